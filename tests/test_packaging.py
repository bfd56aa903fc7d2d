"""Packaging files: the release workflow, the NSIS script, the generated icons."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from affilitest_gui import __version__

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


def test_the_workflow_builds_windows_and_both_macs():
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    matrix = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert {entry["name"] for entry in matrix} == {"windows-x64", "macos-arm64", "macos-x64"}
    assert workflow["on"]["push"]["tags"] == ["v*"]


@pytest.mark.skipif(shutil.which("makensis") is None, reason="Debian's nsis is not installed")
def test_the_nsis_script_compiles(tmp_path):
    source = tmp_path / "affilitest-gui"
    (source / "_internal").mkdir(parents=True)
    for name in ("affilitest-gui.exe", "affilitest-gui-console.exe", "_internal/data.bin"):
        (source / name).write_bytes(b"stand-in for the PyInstaller onedir")
    outfile = tmp_path / "setup.exe"
    done = subprocess.run(
        ["makensis", "-V2", f"-DVERSION={__version__}", f"-DSOURCE_DIR={source}",
         f"-DOUTFILE={outfile}", str(ROOT / "packaging" / "windows" / "installer.nsi")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert outfile.read_bytes()[:2] == b"MZ"  # a Windows executable


def test_the_generated_icons_are_well_formed():
    ico = (ROOT / "resources" / "icon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 7
    icns = (ROOT / "resources" / "icon.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    png = (ROOT / "resources" / "icon-256.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)
