"""One computer of `bench/shared_account.py`: the engine as `affilitest-offers run`
starts it (cold: its first call goes alone), with its own throttle and its own data
folder's send log; with the shared-limit rule ("on": a ramp after the first answer, the
share cut on a 429 below our count and kept in the folder for the next run) or as
before it ("off": a burst after the first answer, no share). Prints {"elapsed",
"failed"} as JSON.

    python -m bench.one_computer BASE_URL KEY COUNT on|off NAME FOLDER
"""

from __future__ import annotations

import functools
import json
import sys
import time
from pathlib import Path

from affilitest_gui.api.client import AffiliTestClient
from affilitest_gui.api.limits import RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.engine.batch import BatchRunner
from affilitest_gui.engine.events import ItemEvent, ItemState, RunnerEvent
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from affilitest_gui.history.send_log import SEND_LOG_NAME, SharedSendLog
from bench.throughput import LIMIT, WINDOW


def main() -> int:
    base_url, key, count, rule, name, folder = sys.argv[1:7]
    rate = RateLimit.scaled(LIMIT, WINDOW)
    log = SharedSendLog(Path(folder) / SEND_LOG_NAME, rate)
    client = AffiliTestClient(base_url, key, pool_size=50)
    if rule == "on":
        throttle = SlidingWindowThrottle(rate, shared=log, keeper=log)
    else:
        throttle = SlidingWindowThrottle(rate, shared=log, sharing=None)
    failed = []

    def seen(event: RunnerEvent) -> None:
        if isinstance(event, ItemEvent) and event.state is ItemState.FAILED:
            failed.append(event)

    runner = BatchRunner(client.check, seen, throttle=throttle, concurrency=50)
    if rule == "off":  # as before the rule: the first answer lets a burst go
        runner.in_flight.trust = functools.partial(runner.in_flight.trust, at_once=True)
    started = time.monotonic()
    runner.submit([CheckRequest(f"{base_url}/demo/landing/{name}-{i}", "us", "android")
                   for i in range(int(count))])  # fmt: skip
    runner.wait_idle()
    print(json.dumps({"elapsed": time.monotonic() - started, "failed": len(failed)}))
    runner.shutdown()
    client.close()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
