"""The worker thread through its controller: events and one-off calls come back on the GUI
thread, stopping is bounded, and the connection pool fits everything in flight."""

from __future__ import annotations

import logging

from affilitest_gui.api.limits import RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.engine.events import BatchIdle, ItemEvent, ItemState
from affilitest_gui.worker.api_worker import ApiWorker
from affilitest_gui.worker.calls import CallOutcome, CallsLeft
from affilitest_gui.worker.controller import WorkerController
from tests.conftest import FAST_RETRY

NO_SPACING = RateLimit(limit=100, window_s=1.0, margin_s=0.0, min_spacing_s=0.0)


def requests_for(server, count: int) -> list[CheckRequest]:
    countries = ("us", "gb", "de", "fr", "br", "in", "jp", "ca", "au", "it", "es", "nl", "se")
    return [
        CheckRequest.create(f"{server.base_url}/demo/offer/game", country, "android")
        for country in countries[:count]
    ]


def test_the_worker_stops_by_itself_when_asked_mid_batch(qtbot, make_sandbox):
    server = make_sandbox(latency_s=0.3)
    controller = WorkerController(ApiWorker(server.base_url, concurrency=2, retry=FAST_RETRY))
    controller.set_api_key(server.keys["valid"])
    events = []
    controller.event.connect(events.append)
    controller.submit(requests_for(server, 4))
    qtbot.waitUntil(
        lambda: any(isinstance(e, ItemEvent) and e.state.is_terminal for e in events),
        timeout=10_000,
    )
    assert controller.shutdown() is True  # not by the fallback quit after the timeout
    assert not controller.thread.isRunning()
    terminal = [e for e in events if isinstance(e, ItemEvent) and e.state.is_terminal]
    assert len(terminal) == 4  # each check ends: answered, or cancelled before sending
    answered = {(r.country, r.status) for r in server.server.stats.requests("/api/v1/test")}
    done = {e.request.country for e in terminal if e.state is ItemState.DONE}
    assert done == {country for country, status in answered if status == 200}


def test_every_call_in_flight_has_its_own_pooled_connection(qtbot, make_sandbox, caplog):
    # 12 checks in flight and 2 one-off calls at once, each answer slow: with a pool
    # smaller than that, urllib3 drops connections ("Connection pool is full").
    server = make_sandbox(latency_s=0.8, limit=100, window_s=1.0)
    worker = ApiWorker(server.base_url, concurrency=12, rate=NO_SPACING, retry=FAST_RETRY)
    controller = WorkerController(worker)
    controller.set_api_key(server.keys["valid"])
    events, outcomes = [], []
    controller.event.connect(events.append)
    with caplog.at_level(logging.WARNING, logger="urllib3"):
        controller.submit(requests_for(server, 12))
        for _ in range(2):
            controller.request(CallsLeft(), outcomes.append)
        qtbot.waitUntil(lambda: len(outcomes) == 2 and any(isinstance(e, BatchIdle)
                                                             for e in events),
                        timeout=20_000)  # fmt: skip
        controller.shutdown()
    assert [type(o) for o in outcomes] == [CallOutcome, CallOutcome]
    assert all(o.error is None and o.value is not None for o in outcomes)
    done = [e for e in events if isinstance(e, ItemEvent) and e.state is ItemState.DONE]
    assert len(done) == 12
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]
