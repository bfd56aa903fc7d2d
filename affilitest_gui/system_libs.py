"""The Linux system libraries Qt needs, checked before Qt loads (it aborts without them).

`python -m affilitest_gui.system_libs offscreen|desktop [--install]` is what `make test`
and `make run` call: as root on Debian/Ubuntu it installs what is missing, otherwise it
prints the one apt line to run. The app asks `desktop_problem()` before opening a window.
No Qt here: this must work when Qt cannot.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# shared library -> the Debian/Ubuntu package that ships it
OFFSCREEN_LIBS: Mapping[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libfreetype.so.6": "libfreetype6",
}
# What Qt's xcb platform plugin (a window on an X11 desktop) needs on top of those.
DESKTOP_LIBS: Mapping[str, str] = {
    **OFFSCREEN_LIBS,
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
FONT_PACKAGE = "fonts-dejavu-core"
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts")


def loads(library: str) -> bool:
    """Whether the dynamic loader finds `library` (as Qt's own loading would)."""
    import ctypes  # noqa: PLC0415 - only where the check runs (Linux on X11), not every start

    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def has_fonts() -> bool:
    return any(any(Path(folder).rglob("*.[to]tf")) for folder in FONT_FOLDERS)


def missing_packages(
    libraries: Mapping[str, str],
    *,
    loader: Callable[[str], bool] | None = None,
    fonts: Callable[[], bool] | None = None,
) -> list[str]:
    """The packages to install for `libraries` (and a font), in a stable order."""
    loader = loader or loads
    packages = [package for library, package in libraries.items() if not loader(library)]
    if not (fonts or has_fonts)():
        packages.append(FONT_PACKAGE)
    return list(dict.fromkeys(packages))


def apt_line(packages: list[str]) -> str:
    return "sudo apt-get install -y " + " ".join(packages)


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will open its window through X11 (xcb) on this Linux session."""
    platform = environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return not environ.get("WAYLAND_DISPLAY")


def desktop_problem(
    environ: Mapping[str, str] | None = None,
    *,
    system: str = sys.platform,
    loader: Callable[[str], bool] | None = None,
    fonts: Callable[[], bool] | None = None,
) -> str | None:
    """One sentence saying what to install when Qt cannot open a window here, else None."""
    if not system.startswith("linux") or not uses_xcb(os.environ if environ is None else environ):
        return None
    packages = missing_packages(DESKTOP_LIBS, loader=loader, fonts=fonts)
    if not packages:
        return None
    return (
        "AffiliTest GUI cannot open its window because system libraries that Qt needs are "
        f"missing; install them (Debian/Ubuntu names) with: {apt_line(packages)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m affilitest_gui.system_libs")
    parser.add_argument("mode", choices=("offscreen", "desktop"))
    parser.add_argument(
        "--install", action="store_true", help="as root with apt: install what is missing"
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        return 0
    libraries = DESKTOP_LIBS if args.mode == "desktop" else OFFSCREEN_LIBS
    packages = missing_packages(libraries)
    if not packages:
        return 0
    can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    if args.install and can_install:
        import subprocess  # noqa: PLC0415 - the installer only, never the app's start

        print(f"Installing what Qt needs ({args.mode}): {' '.join(packages)}", flush=True)
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=quiet)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
            check=True,
            env=quiet,
            stdout=subprocess.DEVNULL,
        )
        return 0
    print(
        f"Qt needs system libraries that are missing ({args.mode}). "
        f"Install them (Debian/Ubuntu names) with:\n  {apt_line(packages)}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
