"""What Qt needs from the system on Linux, said in one sentence before Qt can abort."""

from __future__ import annotations

import subprocess
import sys

from affilitest_gui.system_libs import (
    DESKTOP_LIBS,
    FONT_PACKAGE,
    OFFSCREEN_LIBS,
    apt_line,
    desktop_problem,
    main,
    missing_packages,
)

XCB_PACKAGES = [
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1",
    "libxkbcommon-x11-0",
]  # fmt: skip


def without_xcb(library: str) -> bool:
    """A loader on a desktop without the X11 (xcb) libraries."""
    return "xcb" not in library and "x11" not in library


def test_the_desktop_needs_every_xcb_library_qt_names():
    assert sorted(set(DESKTOP_LIBS.values()) - set(OFFSCREEN_LIBS.values())) == XCB_PACKAGES


def test_missing_packages_are_named_once_in_a_stable_order():
    missing = missing_packages(DESKTOP_LIBS, loader=without_xcb, fonts=lambda: False)
    assert missing == [*XCB_PACKAGES, FONT_PACKAGE]
    assert missing_packages(DESKTOP_LIBS, loader=lambda _lib: True, fonts=lambda: True) == []


def test_the_problem_is_one_sentence_with_the_apt_line():
    problem = desktop_problem({"DISPLAY": ":0"}, system="linux", loader=without_xcb,
                              fonts=lambda: True)  # fmt: skip
    assert problem is not None
    assert problem.count(". ") == 0 and problem.endswith(apt_line(XCB_PACKAGES))
    assert "cannot open its window" in problem


def test_no_problem_where_xcb_is_not_used():
    missing = {"loader": without_xcb, "fonts": lambda: True}
    assert desktop_problem({"DISPLAY": ":0"}, system="win32", **missing) is None
    assert desktop_problem({"WAYLAND_DISPLAY": "wayland-0"}, system="linux", **missing) is None
    assert desktop_problem({"QT_QPA_PLATFORM": "offscreen"}, system="linux", **missing) is None
    assert desktop_problem({"QT_QPA_PLATFORM": "xcb"}, system="linux", **missing) is not None


def test_the_command_line_prints_the_apt_line_when_it_cannot_install(capsys, monkeypatch):
    monkeypatch.setattr("affilitest_gui.system_libs.loads", without_xcb)
    monkeypatch.setattr("affilitest_gui.system_libs.has_fonts", lambda: True)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["offscreen"]) == 0  # the offscreen set has no xcb library
    assert main(["desktop"]) == 1  # not asked to install: says what to run
    assert apt_line(XCB_PACKAGES) in capsys.readouterr().err


def test_the_app_says_what_to_install_instead_of_crashing_in_qt():
    code = (
        "import sys\n"
        "import affilitest_gui.system_libs as libs\n"
        "libs.loads = lambda library: 'xcb' not in library and 'x11' not in library\n"
        "libs.has_fonts = lambda: True\n"
        "from affilitest_gui.app import main\n"
        "sys.exit(main([]))\n"
    )
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "AffiliTest GUI cannot open its window because system libraries that Qt needs are "
        f"missing; install them (Debian/Ubuntu names) with: {apt_line(XCB_PACKAGES)}"
    ]
