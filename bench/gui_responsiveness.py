"""GUI responsiveness: event-loop stalls while a 500-check batch streams into the log.

The real main window (offscreen), the real worker, a sandbox process in scaled time.
A 5 ms timer measures its own lateness; the longest and the 99th-percentile stall are
the figures. Goal: longest < 50 ms. The three longest stalls are printed with their
causes: the GUI-thread handlers (timed here) that ran in them, and what is left over
(Qt's own painting and layout, the garbage collector, the event loop).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_responsiveness.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring.backends.fail
import qasync
from PySide6.QtCore import QTimer
from throughput import Sandbox

from affilitest_gui.api.limits import RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.app import make_application
from affilitest_gui.assembly import build_window
from affilitest_gui.keystore import KeyStore
from affilitest_gui.session.account import AccountSession
from affilitest_gui.session.batches import BatchCoordinator
from affilitest_gui.ui.offers_view import OffersView
from affilitest_gui.ui.progress_panel import ProgressPanel
from affilitest_gui.ui.results_model import ResultsModel
from affilitest_gui.ui.results_panel import ResultsPanel

TICK_MS = 5
# The GUI thread's handlers while results stream, and what each one does.
TIMED = {
    (BatchCoordinator, "_on_event"): "a worker event (a result, recorded off this thread, counted)",
    (BatchCoordinator, "flush_results"): "stored rows handed to the views",
    (ResultsModel, "add"): "the log's new rows",
    (ResultsPanel, "_count"): "the log's row count",
    (ProgressPanel, "show_progress"): "the progress panel",
    (ProgressPanel, "show_throttle"): "the throttle line",
    (OffersView, "refresh"): "the offers view read again",
    (AccountSession, "_calls_left_came"): "the calls left answered",
    (BatchCoordinator, "submit"): "the checks written to the durable queue",
}
# (start, end, what, outermost), perf_counter seconds; a handler called inside another
# (the progress panel inside a worker event) is not outermost.
spans: list[tuple[float, float, str, bool]] = []
depth = [0]  # handlers running now, one inside another


def timed(function, what: str):
    def run(*args, **kwargs):
        start = time.perf_counter()
        depth[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            spans.append((start, time.perf_counter(), what, depth[0] == 0))

    return run


def time_the_collector() -> None:
    started = [0.0]

    def collected(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif threading.current_thread() is threading.main_thread():
            spans.append((started[0], time.perf_counter(),
                          f"garbage collection (generation {info['generation']})", depth[0] == 0))

    gc.callbacks.append(collected)


def time_the_handlers() -> None:
    """Before the window is built: its connections take the timed handlers."""
    for (kind, name), what in TIMED.items():
        if hasattr(kind, name):
            setattr(kind, name, timed(getattr(kind, name), what))


def causes(end: float, stall_ms: float) -> str:
    """What ran in the stall that ended at `end` (a tick's time), longest first."""
    begin = end - (stall_ms + TICK_MS) / 1000
    spent: dict[str, list[float]] = {}
    outermost = 0.0
    for start, stop, what, top in spans:
        overlap = min(stop, end) - max(start, begin)
        if overlap > 0:
            spent.setdefault(what if top else f"(within) {what}", []).append(overlap * 1000)
            outermost += overlap * 1000 if top else 0
    parts = [f"{what} x{len(ms)}: {sum(ms):.0f} ms"
             for what, ms in sorted(spent.items(), key=lambda item: -sum(item[1]))]
    rest = stall_ms + TICK_MS - outermost
    return "; ".join([*parts, f"Qt's painting and layout, the loop: {max(rest, 0):.0f} ms"])


async def run(count: int, tmp: Path) -> list[tuple[float, float]]:
    sandbox = Sandbox()
    time_the_handlers()
    time_the_collector()
    window = build_window(sandbox.base_url, data_dir=tmp, rate=RateLimit.scaled(50, 3.0),
                          keystore=KeyStore(keyring.backends.fail.Keyring()))  # in memory
    store = window.store
    window.show()
    window.account.save_key(sandbox.key, verified=True)
    stalls: list[tuple[float, float]] = []  # (ms late, when)
    last = time.perf_counter()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        stalls.append((max(0.0, (now - last) * 1000 - TICK_MS), now))
        last = now

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    offers = [f"{sandbox.base_url}/demo/offer/{name}" for name in ("game", "broken", "js", "meta")]
    requests = [CheckRequest(offers[i % 4], "us", "android") for i in range(count)]
    await asyncio.sleep(0.5)  # the window's first paint and the key's calls left: not the batch
    last = time.perf_counter()
    timer.start()
    window.checks.run_checks(requests)
    while store.count() < count:
        await asyncio.sleep(0.05)
    timer.stop()
    window.shutdown()
    store.close()
    sandbox.stop()
    return stalls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 checks instead of 500")
    args = parser.parse_args()
    count = 100 if args.quick else 500
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp, loop:
        started = time.monotonic()
        stalls = loop.run_until_complete(run(count, Path(tmp)))
    late = sorted(ms for ms, _ in stalls)
    p99 = late[int(len(late) * 0.99) - 1]
    print(
        f"{count} checks in {time.monotonic() - started:.1f} s; {len(late)} ticks of {TICK_MS} ms"
    )
    print(f"event-loop stall: max {late[-1]:.1f} ms, p99 {p99:.1f} ms, "
          f"median {statistics.median(late):.1f} ms (goal: max < 50 ms)")  # fmt: skip
    print("the three longest stalls, and what ran in them:")
    for ms, when in sorted(stalls, reverse=True)[:3]:
        print(f"  {ms:.0f} ms: {causes(when, ms)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
