"""Start-up: cold start to the window shown, then quit (`--quit-after-start`).

From source, and frozen when `make dist` has built dist/affilitest-gui. Goals: < 1.0 s
and < 1.5 s. "Cold" here is a new process each run (the OS file cache stays warm).

    .venv/bin/python bench/startup.py [--quick]
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
FROZEN = ROOT / "dist" / "affilitest-gui" / "affilitest-gui-console"


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AFFILITEST_DATA_DIR": tmp,
               "HOME": tmp}  # fmt: skip
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([*command, "--quit-after-start"], env=env, check=True,
                           capture_output=True, timeout=60)  # fmt: skip
            times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float], goal: float) -> None:
    print(f"{name:<7} median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
          f"max {max(times):.2f} s over {len(times)} runs (goal < {goal} s)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 10")
    args = parser.parse_args()
    runs = 3 if args.quick else 10
    report("source", timed([sys.executable, "-m", "affilitest_gui"], runs), 1.0)
    if FROZEN.exists():
        report("frozen", timed([str(FROZEN)], runs), 1.5)
    else:
        print("frozen: not built (run make dist first)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
