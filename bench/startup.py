"""Start-up: a new process until its window is on screen (the "shown" line that
`--quit-after-start` prints after the first paint), side by side with a bare PySide6
window that does nothing, measured the same way in the same run; their ratio is the
figure (goal: within 2x). Also until the window is ready (the "ready" line: the log
and the session attached, painted; the offers are read when their tab opens). From
source, and frozen when `make dist` has built dist/affilitest-gui (goals: < 1.0 s and
< 1.5 s). "Cold" here is a new process each run (the OS file cache stays warm).
`--watch-list` also times a start on 2,000 offers over 200,000 history rows.

    .venv/bin/python bench/startup.py [--quick] [--watch-list]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FROZEN = ROOT / "dist" / "affilitest-gui" / "affilitest-gui"


BARE_WINDOW = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
window = QWidget()
window.show()
QTimer.singleShot(0, lambda: print("shown", flush=True))
QTimer.singleShot(0, app.quit)
app.exec()
"""


def timed(
    command: list[str], runs: int, line: str = "shown", data_dir: Path | None = None
) -> list[float]:
    """Seconds from the process's start to its `line` ("shown" or "ready"), each run;
    the app's data in `data_dir` (default: a new, empty folder)."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               "AFFILITEST_DATA_DIR": str(data_dir or tmp), "HOME": tmp}  # fmt: skip
        for _ in range(runs):
            started = time.perf_counter()
            process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)  # fmt: skip
            said = process.stdout.readline()
            while said and said.strip() != line:  # "shown" comes before "ready"
                said = process.stdout.readline()
            seen = time.perf_counter() - started
            process.communicate(timeout=60)
            if said.strip() != line or process.returncode != 0:
                raise SystemExit(f"{command[0]} did not say {line!r}")
            times.append(seen)
    return times


def report(name: str, times: list[float], goal: float) -> None:
    print(f"{name:<9} median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
          f"max {max(times):.2f} s over {len(times)} runs (goal < {goal} s)")  # fmt: skip


def _fill_watch_list(folder: Path) -> None:
    """The offers benchmark's data: 2,000 offers x 18 cells over 200,000 rows."""
    sys.path.insert(0, str(ROOT))  # run as bench/startup.py or as -m bench.startup
    from affilitest_gui.history.store import HistoryStore
    from bench.offers_scale import fill

    store = HistoryStore(folder / "history.sqlite3")
    fill(store, 2_000, 200_000)
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 10")
    parser.add_argument("--watch-list", action="store_true",
                        help="also ready with 2,000 offers over 200,000 history rows")  # fmt: skip
    args = parser.parse_args()
    runs = 3 if args.quick else 10
    bare = timed([sys.executable, "-c", BARE_WINDOW], runs)
    report("bare", bare, 1.0)
    ours = timed([sys.executable, "-m", "affilitest_gui", "--quit-after-start"], runs)
    report("source", ours, 1.0)
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"source / bare window: {ratio:.1f}x (goal: within 2x)")
    ready = timed([sys.executable, "-m", "affilitest_gui", "--quit-after-start"], runs, "ready")
    report("ready", ready, 1.0)
    if args.watch_list:
        with tempfile.TemporaryDirectory() as folder:
            _fill_watch_list(Path(folder))
            app = [sys.executable, "-m", "affilitest_gui", "--quit-after-start"]
            report("big shown", timed(app, runs, "shown", Path(folder)), 1.0)
            report("big ready", timed(app, runs, "ready", Path(folder)), 1.0)
    if FROZEN.exists():
        report("frozen", timed([str(FROZEN), "--quit-after-start"], runs), 1.5)
    else:
        print("frozen: not built (run make dist first)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
