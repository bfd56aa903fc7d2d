"""Packaging files: the release workflow, the NSIS script, the generated icons."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def test_the_release_workflow_validates_against_the_github_workflow_schema():
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_run_step_interpolates_an_expression():
    """Untrusted values (the tag) reach shell steps through env:, never `${{ }}` in run:."""
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
            if "run" in step]  # fmt: skip
    assert runs
    assert all("${{" not in run for run in runs)
    assert "${{ github.ref_name }}" in WORKFLOW.read_text(encoding="utf-8")  # via env


# GitHub retired macos-13 (the last Intel image of that name) in December 2025.
RETIRED_RUNNERS = {"macos-11", "macos-12", "macos-13", "windows-2019", "ubuntu-20.04"}


def test_the_workflow_builds_windows_and_both_macs_on_current_runners():
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    matrix = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
    runners = {entry["name"]: entry["os"] for entry in matrix}
    assert set(runners) == {"windows-x64", "macos-arm64", "macos-x64"}
    assert not set(runners.values()) & RETIRED_RUNNERS
    assert runners["macos-x64"].endswith("-intel")  # the arm64 images cannot build x86_64
    assert workflow["on"]["push"]["tags"] == ["v*"]


def test_every_action_is_pinned_to_a_commit():
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"]
            if "uses" in step]  # fmt: skip
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action


def test_the_workflow_installs_the_pinned_qt_and_checks_what_only_its_runners_can():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "-c packaging/constraints.txt" in text
    constraints = (ROOT / "packaging" / "constraints.txt").read_text(encoding="utf-8")
    assert re.search(r"^PySide6-Essentials>=6\.\d+,<6\.\d+$", constraints, re.MULTILINE)
    assert "check_install.ps1" in text  # install, PATH, windowed self-test, mutex, uninstall
    dmg = (ROOT / "packaging" / "macos" / "build_dmg.sh").read_text(encoding="utf-8")
    signing = dmg.index('codesign --force --deep')
    windowed = dmg.index('env -u QT_QPA_PLATFORM "$app/Contents/MacOS/affilitest-gui"')
    stapled = dmg.index('xcrun stapler staple "$app"')
    assert signing < windowed < stapled < dmg.index("hdiutil create")  # staple before the dmg
    assert 'spctl -a -vv -t exec "$app"' in dmg
    assert "check_selftest.py" in dmg


NSIS = ROOT / "packaging" / "windows" / "installer.nsi"


def compile_installer(tmp_path: Path, *defines: str) -> subprocess.CompletedProcess:
    source = tmp_path / "affilitest-gui"
    (source / "_internal").mkdir(parents=True)
    for name in ("affilitest-gui.exe", "affilitest-check.exe", "affilitest-offers.exe",
                 "_internal/data.bin"):  # fmt: skip
        (source / name).write_bytes(b"stand-in for the PyInstaller onedir")
    return subprocess.run(
        ["makensis", "-V2", "-DVERSION=1.0.0rc1", "-DVERSION_NUMERIC=1.0.0.0",
         f"-DSOURCE_DIR={source}", f"-DOUTFILE={tmp_path / 'setup.exe'}", *defines, str(NSIS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.skipif(shutil.which("makensis") is None, reason="Debian's nsis is not installed")
def test_the_nsis_script_compiles_and_signs_the_installer_and_its_uninstaller(tmp_path):
    signed = tmp_path / "signed.txt"
    recorder = tmp_path / "sign.sh"
    recorder.write_text(f'printf "%s\\n" "$1" >> "{signed}"\n')
    done = compile_installer(tmp_path, f"-DSIGN_COMMAND=sh {recorder}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "setup.exe").read_bytes()[:2] == b"MZ"  # a Windows executable
    files = signed.read_text().splitlines()  # !finalize and !uninstfinalize each ran once
    assert len(files) == 2
    assert any(Path(f).name == "setup.exe" for f in files)  # ...on the installer...
    assert any(Path(f).name != "setup.exe" for f in files)  # ...and on the uninstaller


@pytest.mark.skipif(shutil.which("makensis") is None, reason="Debian's nsis is not installed")
def test_the_nsis_script_wants_the_four_version_numbers(tmp_path):
    source = tmp_path / "empty"
    source.mkdir()
    done = subprocess.run(
        ["makensis", "-V2", "-DVERSION=1.0.0rc1", f"-DSOURCE_DIR={source}", str(NSIS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode != 0 and "VERSION_NUMERIC" in done.stdout + done.stderr


def nsis_sections(text: str) -> dict[str, str]:
    """Each Section's header line -> its body."""
    found = re.findall(r"^(Section[^\n]*)\n(.*?)^SectionEnd", text, re.MULTILINE | re.DOTALL)
    return dict(found)


def test_uninstalling_keeps_the_users_settings_history_and_key_unless_ticked():
    text = NSIS.read_text(encoding="utf-8")
    settings_key = re.search(r'!define SETTINGS_KEY "([^"]+)"', text).group(1)
    installer_key = re.search(r'!define INSTALLER_KEY "([^"]+)"', text).group(1)
    assert settings_key == r"Software\${COMPANY}\${APP_NAME}"  # where QSettings() lives
    assert installer_key != settings_key
    assert "InstallDirRegKey HKCU \"${INSTALLER_KEY}\"" in text
    assert not re.search(r"DeleteRegKey\s+HKCU\s+\"\$\{SETTINGS_KEY\}\"", text)
    removing = [header for header, body in nsis_sections(text).items()
                if "--remove-user-data" in body]  # fmt: skip
    assert removing == [
        'Section /o "un.Also delete my settings, check history and saved API key" '
        "UninstallUserData"
    ]  # only the uninstaller's box, off unless ticked
    assert "!insertmacro MUI_UNPAGE_COMPONENTS" in text  # ...and the box is shown


def test_the_installer_and_the_app_agree_on_the_running_flag():
    from affilitest_gui.running_flag import RUNNING_MUTEX

    text = NSIS.read_text(encoding="utf-8")
    assert f'!define RUNNING_MUTEX "{RUNNING_MUTEX}"' in text
    assert "Function .onInit\n  !insertmacro WaitUntilTheAppIsClosed" in text
    assert "Function un.onInit\n  !insertmacro WaitUntilTheAppIsClosed" in text


def test_the_installer_puts_the_twins_on_the_path_and_takes_them_off_again():
    sections = nsis_sections(NSIS.read_text(encoding="utf-8"))
    assert '!insertmacro ChangeUserPath "+"' in sections['Section "Install"']
    assert '!insertmacro ChangeUserPath "-"' in sections['Section "-un.Program"']
    for twin in ("affilitest-check.exe", "affilitest-offers.exe"):
        assert f'Delete "$INSTDIR\\{twin}"' in sections['Section "-un.Program"']


def test_the_generated_icons_are_well_formed():
    ico = (ROOT / "resources" / "icon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 7
    icns = (ROOT / "resources" / "icon.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    png = (ROOT / "resources" / "icon-256.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)
