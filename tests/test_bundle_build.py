"""The real PyInstaller build of this OS, as `make dist` makes it (without the installer):
it must build, pass its checks (the executables, the frozen self-test, the frozen
command-line twins against a sandbox, the size budget), in a folder of the test's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(900)
def test_the_bundle_builds_and_passes_its_checks(tmp_path):
    dist = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "scripts/build_dist.py", "--no-installer",
         "--dist", str(dist), "--work", str(tmp_path / "build")],
        cwd=ROOT, capture_output=True, text=True, timeout=850, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert done.stdout.rstrip().endswith("dist: OK")
    bundle = dist / "affilitest-gui"
    executables = sorted(p.name.removesuffix(".exe") for p in bundle.iterdir() if p.is_file())
    assert executables == ["affilitest-check", "affilitest-gui", "affilitest-offers"]
