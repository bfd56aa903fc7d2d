"""Build the onedir bundle for this OS and prove it works: `make dist`.

1. PyInstaller with pyinstaller.spec.
2. The frozen app's --self-test (the windowed executable itself), offscreen: one real
   check against its embedded sandbox.
3. The bundle holds the app and one console executable per command-line twin (and no
   other), certifi's CA file, keyring's backends and metadata, a Qt platform plugin; on
   macOS the .app's Info.plist shows a window (not background-only), starts the app and
   names the macOS its Qt needs.
4. The frozen twins work: `affilitest-check` checks one link against a sandbox started
   from source, `affilitest-offers list` reads a history.
5. Its size is within the budget (130 MB on Linux; DIST_BUDGET_MB overrides).
6. Where makensis exists, the NSIS installer is built from it.
Exits non-zero at the first thing that does not hold.

    python scripts/build_dist.py [--no-installer] [--dist DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
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

import bundle_facts

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / bundle_facts.GUI_EXE
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
    shutil.rmtree(WORK, ignore_errors=True)
    shutil.rmtree(BUNDLE, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(WORK), str(ROOT / "pyinstaller.spec")],
        cwd=ROOT, check=True,
    )  # fmt: skip
    return time.monotonic() - started


def executable(name: str) -> Path:
    return BUNDLE / (name + (".exe" if sys.platform == "win32" else ""))


def check_executables() -> None:
    """The app and one console executable per twin; nothing else (no console twin of the
    app: its output goes to the log file)."""
    wanted = {bundle_facts.GUI_EXE, *bundle_facts.CLI_EXES}
    found = {path.stem if sys.platform == "win32" else path.name
             for path in BUNDLE.iterdir() if path.is_file() and os.access(path, os.X_OK)
             and (sys.platform != "win32" or path.suffix == ".exe")}  # fmt: skip
    if found != wanted:
        fail(f"the bundle's executables are {sorted(found)}, not {sorted(wanted)}")


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
                [str(executable(bundle_facts.GUI_EXE)), f"--self-test={path}"],
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


def check_info_plist() -> None:
    """macOS: the built .app shows a window, starts the app, names the macOS Qt needs."""
    app = DIST / f"{bundle_facts.APP_NAME}.app"
    if sys.platform != "darwin":
        return
    binaries = [path for path in app.rglob("*") if path.is_file() and not path.is_symlink()
                and (path.suffix in (".dylib", ".so") or ".framework/" in str(path))]  # fmt: skip
    problems = bundle_facts.info_plist_problems(app / "Contents" / "Info.plist", binaries)
    if problems:
        fail("Info.plist: " + "; ".join(problems))


def check_twins() -> None:
    """The frozen command-line twins run: one real check against a sandbox started from
    source, and a list of an empty watch list."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "affilitest_gui.sandbox"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        ready = json.loads(sandbox.stdout.readline())  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            twin_env = {**os.environ, "AFFILITEST_DATA_DIR": tmp,
                        "AFFILITEST_API_KEY": ready["keys"]["valid"]}  # fmt: skip
            url = ready["base_url"] + "/demo/offer/game"
            checked = subprocess.run(
                [str(executable("affilitest-check")), "--base-url", ready["base_url"], url],
                env=twin_env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            lines = checked.stdout.splitlines()
            if checked.returncode != 0 or len(lines) != 1 or json.loads(lines[0])["health"] != "ok":
                fail(f"frozen affilitest-check: exit {checked.returncode}\n"
                     f"{checked.stdout}\n{checked.stderr}")  # fmt: skip
            listed = subprocess.run(
                [str(executable("affilitest-offers")), "list"],
                env=twin_env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            if listed.returncode != 0 or listed.stdout.strip():
                fail(f"frozen affilitest-offers list: exit {listed.returncode}\n{listed.stderr}")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
        sandbox.stdout.close()  # type: ignore[union-attr]


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
         f"-DVERSION_NUMERIC={bundle_facts.dotted(bundle_facts.numeric_version(version()))}",
         f"-DOUTFILE={outfile}", str(ROOT / "packaging" / "windows" / "installer.nsi")],
        check=True,
    )  # fmt: skip
    print(
        f"dist: NSIS installer {outfile.name}: {outfile.stat().st_size / 1e6:.1f} MB "
        f"in {time.monotonic() - started:.0f} s"
    )


def main() -> int:
    global DIST, WORK, BUNDLE  # noqa: PLW0603 - set once, from the command line
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-installer", action="store_true", help="skip the NSIS installer")
    parser.add_argument("--dist", type=Path, default=DIST, help="where the bundle goes")
    parser.add_argument("--work", type=Path, default=WORK, help="PyInstaller's work folder")
    args = parser.parse_args()
    DIST, WORK = args.dist.resolve(), args.work.resolve()
    BUNDLE = DIST / bundle_facts.GUI_EXE
    build_s = build()
    check_executables()
    check_info_plist()
    report, times = self_test()
    check_contents(report)
    check_twins()
    size = size_mb(BUNDLE)
    budget = float(os.environ.get("DIST_BUDGET_MB", BUDGET_MB[platform_key()]))
    files = len(real_files(BUNDLE))
    print(
        f"dist: {BUNDLE}: {size:.1f} MB in {files} files "
        f"(budget {budget:.0f} MB), built in {build_s:.0f} s"
    )
    print(
        f"dist: frozen self-test (start, one real check, exit): median "
        f"{statistics.median(times):.2f} s, runs {', '.join(f'{t:.2f}' for t in times)}"
    )
    print(f"dist: keyring backend here: {report['keyring']['backend']}")
    if size > budget:
        fail(f"the bundle is {size:.1f} MB, over the {budget:.0f} MB budget")
    if not args.no_installer:
        build_installer()
    print("dist: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
