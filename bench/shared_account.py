"""One account used from two computers at once, in scaled time: two processes, each with
its own data folder (so no shared send log), each running 80 checks against one sandbox
that enforces 50 calls per 3 s (a scaled 30 s). Each sees only its own calls, so
together they pass the limit; with the shared-limit rule a 429 below our own count cuts
our share (halved, once a window) and gives it back 5 a window.

Prints the 429s per 100 checks and the makespan, with and without the rule: two runs at
once on fresh data folders; then, on the same folders (what each learned kept), two runs
at once again, and two runs one after another (the second starts as the first ends).

    .venv/bin/python bench/shared_account.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.throughput import LIMIT, WINDOW, Sandbox

CHECKS = 80

def start(sandbox: Sandbox, rule: str, name: str, folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.one_computer", sandbox.base_url,
                             sandbox.key, str(CHECKS), rule, name, str(folder)],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip


def pair(sandbox: Sandbox, rule: str, folders: list[Path], *, together: bool,
         tag: str) -> list[dict]:  # fmt: skip
    names = [f"{tag}-{n}" for n in range(2)]
    if together:
        runs = [start(sandbox, rule, name, folder)
                for name, folder in zip(names, folders, strict=True)]  # fmt: skip
        return [json.loads(run.communicate()[0]) for run in runs]
    return [json.loads(start(sandbox, rule, name, folder).communicate()[0])
            for name, folder in zip(names, folders, strict=True)]  # fmt: skip


def scenario(rule: str) -> list[dict]:
    """Fresh folders at once; then, learned, at once; then one after another."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folders = [Path(tmp) / "a", Path(tmp) / "b"]
        for when, together in (("at once, fresh", True), ("at once, again", True),
                               ("one after other", False)):  # fmt: skip
            sandbox = Sandbox()
            try:
                started = time.monotonic()
                outs = pair(sandbox, rule, folders, together=together, tag=when[:4])
                makespan = time.monotonic() - started
                stats = sandbox.stats()
            finally:
                sandbox.stop()
            too_many = int(stats["statuses"].get("429", 0))
            rows.append({"rule": rule, "when": when,
                         "429_per_100": round(100 * too_many / (2 * CHECKS), 1),
                         "makespan_s": round(makespan, 2),
                         "failed": sum(out["failed"] for out in outs),
                         "max_in_window": stats["max_in_window"]})  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one round (CI)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    print(f"two processes x {CHECKS} checks, one account, limit {LIMIT} per {WINDOW:g} s\n")
    print(f"{'rule':<5} {'runs':<16} {'429/100':>8} {'makespan':>9} {'failed':>7} {'max/win':>8}")
    for _ in range(rounds):
        for rule in ("off", "on"):
            for row in scenario(rule):
                print(f"{row['rule']:<5} {row['when']:<16} {row['429_per_100']:>8} "
                      f"{row['makespan_s']:>8}s {row['failed']:>7} {row['max_in_window']:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
