"""pyinstaller.spec as each OS would run it, checked here on Linux: PyInstaller's classes
are replaced by recorders, and its own rules for the .app (osx.py: the COLLECT's console
setting is its last EXE's; a console COLLECT means LSBackgroundOnly = True unless
info_plist says otherwise; CFBundleExecutable is the first EXE) are applied to what the
spec asked for. Plus the pure rules of scripts/bundle_facts.py."""

from __future__ import annotations

import importlib.util
import plistlib
import struct
import sys
import types
from pathlib import Path

import pytest

from affilitest_gui import __version__

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "pyinstaller.spec"
_spec = importlib.util.spec_from_file_location("bundle_facts", ROOT / "scripts" / "bundle_facts.py")
facts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(facts)


def macho(minimum: tuple[int, int, int], *, old_style: bool = False) -> bytes:
    """A thin 64-bit Mach-O with one load command naming its lowest macOS."""
    word = minimum[0] << 16 | minimum[1] << 8 | minimum[2]
    if old_style:  # LC_VERSION_MIN_MACOSX: version, sdk
        command = struct.pack("<IIII", 0x24, 16, word, word)
    else:  # LC_BUILD_VERSION: platform (1 = macOS), minos, sdk, ntools
        command = struct.pack("<IIIIII", 0x32, 24, 1, word, word, 0)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x0100000C, 0, 6, 1, len(command), 0, 0)
    return header + command


def universal(*thin: bytes) -> bytes:
    """A fat (universal) binary holding the thin ones."""
    offset = 4096
    entries, bodies = b"", b""
    for body in thin:
        entries += struct.pack(">iiIII", 0x0100000C, 0, offset + len(bodies), len(body), 12)
        bodies += body
    head = struct.pack(">II", 0xCAFEBABE, len(thin)) + entries
    return head + b"\0" * (offset - len(head)) + bodies


class Recorded:
    """What the spec asked PyInstaller to build, by kind."""

    def __init__(self) -> None:
        self.exes: list[types.SimpleNamespace] = []
        self.collect: tuple = ()
        self.bundle: dict = {}
        self.windows_numbers: tuple | None = None


def run_spec(platform: str, monkeypatch, binaries: list[Path]) -> Recorded:
    recorded = Recorded()

    class Analysis:
        def __init__(self, scripts, **options):
            hooks = [("pyi_rth_inspect", "hook.py", "PYSOURCE"),
                     ("pyi_rth_pyside6", "hook.py", "PYSOURCE")]  # fmt: skip
            self.scripts = hooks + [(Path(s).stem, s, "PYSOURCE") for s in scripts]
            self.binaries = [(path.name, str(path), "BINARY") for path in binaries]
            self.datas, self.pure = [], []

    def exe(*parts, **options):
        made = types.SimpleNamespace(scripts=parts[1], **options)
        recorded.exes.append(made)
        return made

    def collect(*parts, **options):
        recorded.collect = parts

    def bundle(*parts, **options):
        recorded.bundle = options

    def version_resource(name):
        def make(*args, **kwargs):
            if name == "FixedFileInfo":
                recorded.windows_numbers = kwargs["filevers"]
            return (name, args, kwargs)

        return make

    fake = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in ("FixedFileInfo", "StringFileInfo", "StringStruct", "StringTable",
                 "VarFileInfo", "VarStruct", "VSVersionInfo"):  # fmt: skip
        setattr(fake, name, version_resource(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.win32.versioninfo", fake)
    monkeypatch.setattr(sys, "platform", platform)
    names = {"SPECPATH": str(ROOT), "Analysis": Analysis, "PYZ": lambda pure: "pyz",
             "EXE": exe, "COLLECT": collect, "BUNDLE": bundle, "__file__": str(SPEC)}  # fmt: skip
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), names)
    return recorded


def built_info_plist(recorded: Recorded) -> dict:
    """The Info.plist PyInstaller writes for this spec (building/osx.py's rules)."""
    exes = [part for part in recorded.collect if isinstance(part, types.SimpleNamespace)]
    console = exes[-1].console  # COLLECT and BUNDLE inherit the last EXE's setting
    plist = {"CFBundleExecutable": exes[0].name, "CFBundlePackageType": "APPL"}
    if console:
        plist["LSBackgroundOnly"] = True
    plist.update(recorded.bundle["info_plist"])
    return plist


@pytest.fixture
def qt_binaries(tmp_path) -> list[Path]:
    core = tmp_path / "QtCore"
    core.write_bytes(universal(macho((13, 0, 0)), macho((12, 0, 0))))
    python = tmp_path / "libpython3.11.dylib"
    python.write_bytes(macho((10, 9, 0), old_style=True))
    data = tmp_path / "qt.conf"
    data.write_text("[Paths]\n")
    return [core, python, data]


def test_the_macos_app_has_a_window_starts_the_app_and_needs_the_macos_its_qt_needs(
    monkeypatch, qt_binaries
):
    recorded = run_spec("darwin", monkeypatch, qt_binaries)
    plist = built_info_plist(recorded)
    assert plist["LSBackgroundOnly"] is False  # a window, a menu bar, a Dock icon
    assert plist["CFBundleExecutable"] == facts.GUI_EXE
    assert plist["LSMinimumSystemVersion"] == "13.0"  # the highest of the binaries
    assert recorded.bundle["bundle_identifier"] == facts.BUNDLE_ID


@pytest.mark.parametrize("platform", ["darwin", "win32", "linux"])
def test_the_app_is_windowed_and_each_twin_is_its_own_console_executable(
    platform, monkeypatch, qt_binaries
):
    recorded = run_spec(platform, monkeypatch, qt_binaries)
    kinds = {exe.name: exe.console for exe in recorded.exes}
    assert kinds == {"affilitest-gui": False, "affilitest-check": True, "affilitest-offers": True}
    for exe in recorded.exes:  # each runs the runtime hooks and its own entry script only
        scripts = [name for name, _, _ in exe.scripts if not name.startswith("pyi_rth")]
        expected = {"affilitest-gui": "__main__", "affilitest-check": "entry_check",
                    "affilitest-offers": "entry_offers"}[exe.name]  # fmt: skip
        assert scripts == [expected]
    assert recorded.collect[0] is recorded.exes[0]  # the app first: the .app starts it


def test_windows_version_resources_take_the_numbers_of_the_version(monkeypatch, qt_binaries):
    recorded = run_spec("win32", monkeypatch, qt_binaries)
    assert recorded.windows_numbers == facts.numeric_version(__version__)
    assert len(recorded.windows_numbers) == 4


def test_the_entry_scripts_exist_and_run_their_twin():
    for name, script in facts.CLI_EXES.items():
        text = (ROOT / facts.ENTRY_FOLDER / script).read_text(encoding="utf-8")
        module = {"affilitest-check": "affilitest_gui.cli",
                  "affilitest-offers": "affilitest_gui.offers_cli"}[name]  # fmt: skip
        assert f"from {module} import main" in text and "main()" in text


@pytest.mark.parametrize(
    ("version", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("1.0.0rc1", (1, 0, 0, 0)), ("2.3", (2, 3, 0, 0)),
     ("1.2.3.4", (1, 2, 3, 4)), ("1.0.0.dev7", (1, 0, 0, 0)), ("10.20.30b2", (10, 20, 30, 0))],
)  # fmt: skip
def test_version_numbers_for_windows_and_nsis(version, numbers):
    assert facts.numeric_version(version) == numbers


def test_a_version_without_numbers_is_refused():
    with pytest.raises(ValueError, match="does not start with a number"):
        facts.numeric_version("next")


def test_a_built_info_plist_is_checked_against_the_bundled_binaries(tmp_path, qt_binaries):
    plist_path = tmp_path / "Info.plist"
    good = facts.info_plist("1.0.0rc1", "13.0")
    assert good["CFBundleShortVersionString"] == "1.0.0" == good["CFBundleVersion"]
    plist_path.write_bytes(plistlib.dumps(good))
    assert facts.info_plist_problems(plist_path, qt_binaries) == []
    background = {**good, "LSBackgroundOnly": True, "LSMinimumSystemVersion": "11.0",
                  "CFBundleExecutable": "affilitest-check"}  # fmt: skip
    plist_path.write_bytes(plistlib.dumps(background))
    problems = facts.info_plist_problems(plist_path, qt_binaries)
    assert len(problems) == 3
    assert "background-only" in problems[0] and "13.0" in problems[2]


def test_a_bundle_with_no_macho_binary_cannot_say_its_minimum(tmp_path):
    text = tmp_path / "readme.txt"
    text.write_text("not a binary, long enough to read a header from it")
    with pytest.raises(ValueError, match="no Mach-O"):
        facts.macos_minimum([text])


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("platform", "backend", "secure", "ok"),
    [("win32", "keyring.backends.Windows.WinVaultKeyring", True, True),
     ("darwin", "keyring.backends.macOS.Keyring", True, True),
     ("win32", "keyring.backends.fail.Keyring", False, False),  # metadata lost in the bundle
     ("darwin", "keyring.backends.chainer.ChainerBackend", True, False),
     ("linux", "keyring.backends.fail.Keyring", False, True)],
)  # fmt: skip
def test_a_release_runner_wants_the_os_keyring_in_the_self_test(platform, backend, secure, ok):
    check = load_script("check_selftest")
    report = {"ok": True, "checks": {"history_database": True},
              "keyring": {"backend": backend, "secure": secure}}  # fmt: skip
    assert (check.problems(report, platform) == []) is ok


def test_a_failed_self_test_names_what_failed():
    check = load_script("check_selftest")
    report = {"ok": False, "checks": {"history_database": True, "results_model": False},
              "keyring": {"backend": "keyring.backends.macOS.Keyring", "secure": True}}  # fmt: skip
    assert check.problems(report, "darwin") == ["the self-test failed: ['results_model']"]
