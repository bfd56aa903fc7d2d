"""Build the onedir bundle for this OS and prove it works: `make dist`.

1. PyInstaller with pyinstaller.spec.
2. The frozen app's --self-test, offscreen: one real check against its embedded sandbox.
3. The bundle holds certifi's CA file, keyring's backends and metadata, a Qt platform plugin.
4. Its size is within the budget (130 MB on Linux; DIST_BUDGET_MB overrides).
5. Where makensis exists, the NSIS installer is built from it.
Exits non-zero at the first thing that does not hold.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
BUNDLE = DIST / "affilitest-gui"
BUDGET_MB = {"linux": 130, "win32": 160, "darwin": 170}
PLATFORM_PLUGINS = {"linux": "libqxcb", "win32": "qwindows", "darwin": "libqcocoa"}
REQUIRED_BACKENDS = {"Windows", "macOS", "SecretService", "fail"}
SELF_TEST_RUNS = 3


def version() -> str:
    text = (ROOT / "affilitest_gui" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__ = "([^"]+)"', text).group(1)  # type: ignore[union-attr]


def fail(message: str) -> None:
    print(f"dist: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def platform_key() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def build() -> float:
    started = time.monotonic()
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    shutil.rmtree(BUNDLE, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         str(ROOT / "pyinstaller.spec")],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return time.monotonic() - started


def console_exe() -> Path:
    name = "affilitest-gui-console" + (".exe" if sys.platform == "win32" else "")
    return BUNDLE / name


def self_test() -> tuple[dict, list[float]]:
    """Run the frozen self-test a few times; the report of the last, and each wall time."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    times, report = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        env["AFFILITEST_DATA_DIR"] = tmp
        for run in range(SELF_TEST_RUNS):
            path = Path(tmp) / f"report-{run}.json"
            started = time.monotonic()
            done = subprocess.run(
                [str(console_exe()), f"--self-test={path}"],
                env=env, capture_output=True, text=True, timeout=180, check=False,
            )  # fmt: skip
            times.append(time.monotonic() - started)
            if done.returncode != 0 or not path.exists():
                fail(f"frozen self-test exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
            report = json.loads(path.read_text(encoding="utf-8"))
    return report, times


def check_contents(report: dict) -> None:
    if not report.get("ok"):
        fail(f"self-test report not ok: {report}")
    if not list(BUNDLE.rglob("cacert.pem")):
        fail("certifi's CA bundle (cacert.pem) is missing: HTTPS would fail")
    keyring_info = report["keyring"]
    if not keyring_info.get("metadata"):
        fail("keyring's metadata is missing: keyring would fall back to its fail backend")
    missing = REQUIRED_BACKENDS - set(keyring_info.get("backend_modules", []))
    if missing:
        fail(f"keyring backends missing from the bundle: {sorted(missing)}")
    plugin = PLATFORM_PLUGINS[platform_key()]
    if not [p for p in BUNDLE.rglob(f"{plugin}*") if p.parent.name == "platforms"]:
        fail(f"the Qt platform plugin {plugin} is missing")
    if not [p for p in BUNDLE.rglob("*qoffscreen*") if p.parent.name == "platforms"]:
        fail("the Qt offscreen plugin is missing: the self-test could not run on CI")


def real_files(folder: Path) -> list[Path]:
    """Files, not the symlinks PyInstaller makes between shared libraries."""
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in real_files(folder)) / 1e6


def build_installer() -> None:
    makensis = shutil.which("makensis")
    if makensis is None:
        print("dist: makensis not found: NSIS installer skipped")
        return
    outfile = DIST / f"AffiliTest-GUI-{version()}-setup.exe"
    started = time.monotonic()
    subprocess.run(
        [makensis, "-V2", f"-DVERSION={version()}", f"-DSOURCE_DIR={BUNDLE}",
         f"-DOUTFILE={outfile}", str(ROOT / "packaging" / "windows" / "installer.nsi")],
        check=True,
    )  # fmt: skip
    print(
        f"dist: NSIS installer {outfile.name}: {outfile.stat().st_size / 1e6:.1f} MB "
        f"in {time.monotonic() - started:.0f} s"
    )


def main() -> int:
    build_s = build()
    report, times = self_test()
    check_contents(report)
    size = size_mb(BUNDLE)
    budget = float(os.environ.get("DIST_BUDGET_MB", BUDGET_MB[platform_key()]))
    files = len(real_files(BUNDLE))
    print(
        f"dist: {BUNDLE.relative_to(ROOT)}: {size:.1f} MB in {files} files "
        f"(budget {budget:.0f} MB), built in {build_s:.0f} s"
    )
    print(
        f"dist: frozen self-test (start, one real check, exit): median "
        f"{statistics.median(times):.2f} s, runs {', '.join(f'{t:.2f}' for t in times)}"
    )
    print(f"dist: keyring backend here: {report['keyring']['backend']}")
    if size > budget:
        fail(f"the bundle is {size:.1f} MB, over the {budget:.0f} MB budget")
    if "--no-installer" not in sys.argv:
        build_installer()
    print("dist: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
