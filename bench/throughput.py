"""Throughput at the rate limit, in scaled time: 50 calls per 3 s, latency 0.3 s ± jitter.

One scaled second is ten real ones, so L = 0.3 s stands for the 3 s of a real call and
W = 3 s for the real 30 s window. For each batch size N it prints our makespan, the ideal
bound (ceil(N/50) - 1) * W + L, their ratio, the 429s and the most calls the server saw
in any window; and, side by side, a sequential client (one call after another, as the
vendor's Python client does) and an unthrottled 10-in-flight client (as the PHP client).

    .venv/bin/python bench/throughput.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import requests

from affilitest_gui.api.client import AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.limits import DEFAULT_CONCURRENCY, RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.engine.batch import BatchRunner
from affilitest_gui.engine.throttle import SlidingWindowThrottle

LIMIT, WINDOW, LATENCY = 50, 3.0, 0.3


class Sandbox:
    """The sandbox as its own process, scaled time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "affilitest_gui.sandbox", "--limit", str(LIMIT),
             "--window", str(WINDOW), "--latency", str(LATENCY), "--budget", "1000000"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        ready = json.loads(self.process.stdout.readline())
        self.base_url, self.key = ready["base_url"], ready["keys"]["valid"]

    def stats(self) -> dict:
        with requests.Session() as session:
            session.trust_env = False
            return session.get(f"{self.base_url}/sandbox/stats?window={WINDOW}").json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.process.stdout.close()


def requests_for(sandbox: Sandbox, count: int) -> list[CheckRequest]:
    # A landing page: one traced hop, so the latency is the injected one.
    return [CheckRequest(f"{sandbox.base_url}/demo/landing/{i}", "us", "android")
            for i in range(count)]  # fmt: skip


def ours(
    sandbox: Sandbox,
    count: int,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    warm: bool = True,
    burst_first: bool = True,
) -> float:
    """The engine as the app runs it: `warm`, the account already answered (the app asks
    for the calls left at sign-in, so the first batch bursts); cold, as a command-line
    run starts (its first call goes alone). `burst_first=False, concurrency=12` is v0.1."""
    client = AffiliTestClient(sandbox.base_url, sandbox.key, pool_size=concurrency)
    rate = replace(RateLimit.scaled(LIMIT, WINDOW), burst_first=burst_first)
    runner = BatchRunner(
        client.check, lambda event: None,
        throttle=SlidingWindowThrottle(rate), concurrency=concurrency,
    )  # fmt: skip
    if warm:
        runner.in_flight.trust(at_once=True)
    started = time.monotonic()
    runner.submit(requests_for(sandbox, count))
    runner.wait_idle()
    elapsed = time.monotonic() - started
    runner.shutdown()
    client.close()
    return elapsed


def sequential(sandbox: Sandbox, count: int) -> tuple[float, int]:
    failed = 0
    with AffiliTestClient(sandbox.base_url, sandbox.key) as client:
        started = time.monotonic()
        for request in requests_for(sandbox, count):
            try:
                client.check(request)
            except AffiliTestError:
                failed += 1
        return time.monotonic() - started, failed


def unthrottled(sandbox: Sandbox, count: int) -> tuple[float, int]:
    with AffiliTestClient(sandbox.base_url, sandbox.key) as client:

        def one(request: CheckRequest) -> bool:
            try:
                client.check(request)
                return True
            except AffiliTestError:
                return False

        started = time.monotonic()
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(one, requests_for(sandbox, count)))
        return time.monotonic() - started, results.count(False)


def measure(name: str, run, count: int) -> dict:
    sandbox = Sandbox()
    try:
        outcome = run(sandbox, count)
        elapsed, failed = outcome if isinstance(outcome, tuple) else (outcome, 0)
        stats = sandbox.stats()
    finally:
        sandbox.stop()
    return {
        "client": name,
        "n": count,
        "makespan_s": round(elapsed, 2),
        "failed": failed,
        "429s": int(stats["statuses"].get("429", 0)),
        "max_in_window": stats["max_in_window"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small batches only (CI)")
    args = parser.parse_args()
    sizes = (1, 50, 51, 120) if args.quick else (1, 50, 51, 200, 500)
    others = (1, 50) if args.quick else (1, 50, 51, 200)
    print(f"limit {LIMIT} per {WINDOW:g} s, latency {LATENCY:g} s (x0.5-1.5 jitter)\n")
    print(f"{'client':<12} {'N':>4} {'makespan':>9} {'ideal':>7} {'ratio':>6} "
          f"{'429s':>5} {'max/win':>8} {'failed':>6}")  # fmt: skip
    rows = []
    for count in sizes:
        rows.append(measure("ours", ours, count))
        rows.append(measure("ours, cold", lambda box, n: ours(box, n, warm=False), count))
        rows.append(measure("v0.1 (C=12)", lambda box, n: ours(box, n, concurrency=12,
                                                               burst_first=False), count))
        if count in others:
            rows.append(measure("sequential", sequential, count))
            rows.append(measure("unthrottled", unthrottled, count))
    for row in rows:
        ideal = (math.ceil(row["n"] / LIMIT) - 1) * WINDOW + LATENCY
        print(
            f"{row['client']:<12} {row['n']:>4} {row['makespan_s']:>8.2f}s {ideal:>6.2f}s "
            f"{row['makespan_s'] / ideal:>6.2f} {row['429s']:>5} {row['max_in_window']:>8} "
            f"{row['failed']:>6}"
        )
    speedups = [
        (row["n"], seq["makespan_s"] / row["makespan_s"])
        for row in rows if row["client"] == "ours"
        for seq in rows if seq["client"] == "sequential" and seq["n"] == row["n"]
    ]  # fmt: skip
    print("\nspeed-up over the sequential client: "
          + ", ".join(f"N={n}: {s:.1f}x" for n, s in speedups))  # fmt: skip
    one_call = next(row["makespan_s"] for row in rows if row["client"] == "ours" and row["n"] == 1)
    goals = []
    for row in rows:
        if row["client"] != "ours" or row["n"] == 1:
            continue
        if row["n"] <= LIMIT:
            goals.append(f"N={row['n']}: {row['makespan_s'] / one_call:.2f}x one call (<= 1.5)")
        else:
            bound = (math.ceil(row["n"] / LIMIT) - 1) * WINDOW + LATENCY
            goals.append(f"N={row['n']}: {row['makespan_s'] / bound:.2f}x the bound (<= 1.05)")
    print("goals (ours): " + ", ".join(goals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
