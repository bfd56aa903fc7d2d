"""The batch runner against the sandbox over real sockets, in scaled time."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from affilitest_gui.api.client import AffiliTestClient
from affilitest_gui.api.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    NetworkError,
    ServerError,
    UnexpectedError,
)
from affilitest_gui.api.limits import RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.engine.batch import UNANSWERED, BatchRunner
from affilitest_gui.engine.events import (
    BatchIdle,
    BatchPaused,
    BatchResumed,
    ItemEvent,
    ItemState,
    RateLimitPause,
)
from affilitest_gui.engine.retry import RetryPolicy
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from affilitest_gui.sandbox import Fault
from tests.conftest import FAST_RETRY
from tests.fakes import EventLog

WAIT = 60  # generous: a slow, noisy 2-core machine must pass

# 50 per 2 s, as the server counts; a scaled margin a little wider than production's
# 1/30 of the window, for the scheduling jitter of a loaded 2-core test machine.
SCALED = RateLimit(limit=50, window_s=2.0, margin_s=0.25, min_spacing_s=0.005)
UNTHROTTLED = RateLimit(limit=10_000, window_s=1.0, margin_s=0.0, min_spacing_s=0.0)


def checks(sandbox, count: int, offer: str = "game") -> list[CheckRequest]:
    countries = ["us", "gb", "de", "br"]
    devices = ["android", "iphone", "desktop"]
    return [
        CheckRequest.create(
            f"{sandbox.base_url}/demo/offer/{offer}",
            countries[i % len(countries)],
            devices[i % len(devices)],
        )
        for i in range(count)
    ]


def make_runner(sandbox, key="valid", rate=SCALED, concurrency=12, perform=None):
    client = AffiliTestClient(sandbox.base_url, sandbox.keys[key], pool_size=concurrency)
    log = EventLog()
    runner = BatchRunner(
        perform or client.check,
        log,
        throttle=SlidingWindowThrottle(rate),
        policy=RetryPolicy(FAST_RETRY, rate, rng=random.Random(3)),
        concurrency=concurrency,
    )
    return runner, client, log


@pytest.fixture
def runner_for(sandbox):
    made = []

    def make(**kwargs):
        runner, client, log = make_runner(kwargs.pop("sandbox", sandbox), **kwargs)
        made.append((runner, client))
        return runner, client, log

    yield make
    for runner, client in made:
        runner.shutdown()
        client.close()


def test_200_checks_at_the_limit_with_zero_429s(sandbox_process, runner_for):
    # The server runs as its own process (its own GIL), as the real service would.
    sandbox = sandbox_process("--limit", "50", "--window", "2", "--latency", "0.02")
    runner, _, log = runner_for(sandbox=sandbox, rate=SCALED)
    ids = runner.submit(checks(sandbox, 200))
    assert runner.wait_idle(WAIT)
    ends = log.terminal()
    assert sorted(ends) == sorted(ids)
    assert {event.state for event in ends.values()} == {ItemState.DONE}
    seen = sandbox.stats(window_s=2.0)
    assert seen["statuses"] == {"200": 200}  # no 429, nothing else
    assert seen["max_in_window"] <= 50
    assert log.of_type(BatchIdle)[-1] == BatchIdle(done=200, failed=0, cancelled=0)


def test_every_item_reports_its_states_in_order(sandbox, runner_for):
    runner, _, log = runner_for()
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    assert log.states(item) == [ItemState.QUEUED, ItemState.SENDING, ItemState.DONE]
    done = log.terminal()[item]
    assert done.result.attempts == 1
    assert done.result.final_url.endswith("com.example.game")


def test_500s_are_retried_and_succeed(sandbox, runner_for):
    sandbox.server.push_fault(Fault(500, '{"error": "Internal Server Error"}', times=2))
    runner, _, log = runner_for()
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    assert log.states(item) == [
        ItemState.QUEUED,
        ItemState.SENDING,
        ItemState.RETRYING,
        ItemState.SENDING,
        ItemState.RETRYING,
        ItemState.SENDING,
        ItemState.DONE,
    ]
    assert log.terminal()[item].result.attempts == 3


def test_500s_give_up_after_three_attempts(sandbox, runner_for):
    sandbox.server.push_fault(Fault(503, "", times=5))
    runner, _, log = runner_for()
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    failed = log.terminal()[item]
    assert failed.state is ItemState.FAILED
    assert isinstance(failed.error, ServerError)
    assert failed.attempt == 3
    assert sandbox.server.stats.statuses[503] == 3


def test_a_400_is_never_retried(sandbox, runner_for):
    sandbox.server.push_fault(Fault(400, '{"error": "Missing parameters: url"}', times=3))
    runner, _, log = runner_for()
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    failed = log.terminal()[item]
    assert (failed.state, failed.attempt) == (ItemState.FAILED, 1)
    assert isinstance(failed.error, BadRequestError)


def test_a_failure_after_sending_is_retried_once_only(sandbox, runner_for):
    sandbox.server.push_fault(Fault(200, drop=True, times=3))
    runner, _, log = runner_for()
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    failed = log.terminal()[item]
    assert (failed.state, failed.attempt) == (ItemState.FAILED, 2)
    assert isinstance(failed.error, NetworkError) and failed.error.sent


@pytest.mark.parametrize(
    ("bad_key", "error_type"),
    [("unverified", AuthError), ("no_budget", ForbiddenError), ("no_permission", ForbiddenError)],
)
def test_401_or_403_pauses_once_and_keeps_every_item_for_resume(
    sandbox, runner_for, bad_key, error_type
):
    runner, client, log = runner_for(key=bad_key, concurrency=4)
    ids = runner.submit(checks(sandbox, 20))
    paused = None
    for _ in range(WAIT * 10):
        if log.of_type(BatchPaused):
            paused = log.of_type(BatchPaused)[0]
            break
        runner.wait_idle(0.1)
    assert paused is not None and isinstance(paused.cause, error_type)
    runner.wait_idle(0.5)  # let calls already in flight come back
    assert len(log.of_type(BatchPaused)) == 1
    assert log.terminal() == {}
    assert runner.pending == 20 and runner.paused
    sent_while_refused = sum(sandbox.server.stats.statuses.values())
    assert sent_while_refused <= 4  # at most the calls in flight when the first refusal came

    client.set_api_key(sandbox.keys["valid"])
    runner.resume()
    assert runner.wait_idle(WAIT)
    ends = log.terminal()
    assert sorted(ends) == sorted(ids)
    assert all(end.state is ItemState.DONE for end in ends.values())
    assert len(log.of_type(BatchResumed)) == 1


def test_429s_pause_everything_and_nothing_fails(make_sandbox, runner_for):
    sandbox = make_sandbox(limit=5, window_s=1.0)
    runner, _, log = runner_for(sandbox=sandbox, rate=UNTHROTTLED, concurrency=10)
    ids = runner.submit(checks(sandbox, 10))
    assert runner.wait_idle(WAIT)
    assert sandbox.server.stats.statuses[429] > 0
    assert log.of_type(RateLimitPause)
    ends = log.terminal()
    assert sorted(ends) == sorted(ids)
    assert all(end.state is ItemState.DONE for end in ends.values())
    # Every send is counted, the re-sends after a 429 too (the server saw each one)...
    seen = Counter((r.url, r.country, r.device)
                   for r in sandbox.server.stats.requests("/api/v1/test"))  # fmt: skip
    assert {end.result.attempts for end in ends.values()} != {1}
    for end in ends.values():
        asked = end.request
        assert end.result.attempts == seen[(asked.url, asked.country, asked.device)]
    # ...and a check's duration is its answering attempt's, not the pause before it.
    pause = min(event.seconds for event in log.of_type(RateLimitPause))
    assert max(end.result.elapsed_s for end in ends.values()) < pause


def test_cancel_ends_every_item_exactly_once(make_sandbox, runner_for):
    sandbox = make_sandbox(latency_s=0.05)
    runner, _, log = runner_for(sandbox=sandbox, concurrency=4)
    ids = runner.submit(checks(sandbox, 60))
    while len(log.terminal()) < 5:
        runner.wait_idle(0.05)
    runner.cancel()
    assert runner.wait_idle(WAIT)
    ends = log.terminal()
    assert sorted(ends) == sorted(ids)
    states = [end.state for end in ends.values()]
    assert states.count(ItemState.CANCELLED) > 0
    assert set(states) <= {ItemState.DONE, ItemState.CANCELLED}
    idle = log.of_type(BatchIdle)[-1]
    assert idle.done + idle.cancelled == 60


def test_a_user_pause_stops_sending_until_resume(make_sandbox, runner_for):
    sandbox = make_sandbox(latency_s=0.02)
    runner, _, log = runner_for(sandbox=sandbox, concurrency=2)
    runner.submit(checks(sandbox, 30))
    while len(log.terminal()) < 3:
        runner.wait_idle(0.05)
    runner.pause()
    runner.wait_idle(0.5)  # calls in flight come back
    arrived = sum(sandbox.server.stats.statuses.values())
    runner.wait_idle(0.5)
    assert sum(sandbox.server.stats.statuses.values()) == arrived
    assert runner.pending > 0
    assert log.of_type(BatchPaused) == [BatchPaused(cause=None)]
    runner.resume()
    assert runner.wait_idle(WAIT)
    assert len(log.terminal()) == 30


def test_a_bug_in_a_call_fails_the_item_instead_of_losing_it(sandbox, runner_for):
    def broken(request):
        raise KeyError("boom")

    runner, _, log = runner_for(perform=broken)
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    failed = log.terminal()[item]
    assert failed.state is ItemState.FAILED
    assert isinstance(failed.error, UnexpectedError)


def test_cancel_while_paused_leaves_the_runner_idle_and_unpaused(make_sandbox, runner_for):
    sandbox = make_sandbox(latency_s=0.02)
    runner, _, log = runner_for(sandbox=sandbox, concurrency=2)
    runner.submit(checks(sandbox, 20))
    while len(log.terminal()) < 2:
        runner.wait_idle(0.05)
    runner.pause()
    runner.cancel()
    assert runner.wait_idle(WAIT)
    assert not runner.paused
    later = runner.submit(checks(sandbox, 3))
    assert runner.wait_idle(WAIT)
    ends = log.terminal()
    assert [ends[item].state for item in later] == [ItemState.DONE] * 3


def test_an_account_pause_cancelled_then_a_new_batch_runs(sandbox, runner_for):
    runner, client, log = runner_for(key="no_budget", concurrency=1)
    runner.submit(checks(sandbox, 5))
    while not log.of_type(BatchPaused):
        runner.wait_idle(0.05)
    runner.cancel()
    assert runner.wait_idle(WAIT) and not runner.paused
    client.set_api_key(sandbox.keys["valid"])
    later = runner.submit(checks(sandbox, 2))
    assert runner.wait_idle(WAIT)
    assert {log.terminal()[item].state for item in later} == {ItemState.DONE}


def test_pause_with_nothing_to_run_does_not_hold_the_next_batch(sandbox, runner_for):
    runner, _, log = runner_for()
    runner.pause()
    [item] = runner.submit(checks(sandbox, 1))
    assert runner.wait_idle(WAIT)
    assert log.terminal()[item].state is ItemState.DONE


def test_shutdown_keeps_every_answer_of_the_calls_in_flight(make_sandbox):
    sandbox = make_sandbox(latency_s=0.3)
    runner, client, log = make_runner(sandbox, concurrency=3)
    ids = runner.submit(checks(sandbox, 10))
    while sum(1 for e in log.of_type(ItemEvent) if e.state is ItemState.SENDING) < 3:
        runner.wait_idle(0.02)
    runner.shutdown(timeout=10.0)
    ends = log.terminal()
    assert sorted(ends) == sorted(ids)  # every check ends exactly once
    answered = sandbox.server.stats.requests("/api/v1/test")
    assert answered and all(entry.status == 200 for entry in answered)
    done = [e for e in ends.values() if e.state is ItemState.DONE]
    # Every answer the server sent is kept; only checks never sent are cancelled.
    assert sorted((e.request.country, e.request.device) for e in done) == sorted(
        (entry.country, entry.device) for entry in answered
    )
    assert all(e.state is ItemState.CANCELLED and e.attempt == 0
               for e in ends.values() if e.state is not ItemState.DONE)  # fmt: skip
    with pytest.raises(RuntimeError):
        runner.submit(checks(sandbox, 1))
    client.close()


def test_shutdown_is_bounded_and_says_which_checks_were_sent_unanswered(make_sandbox):
    sandbox = make_sandbox(latency_s=3.0)
    runner, client, log = make_runner(sandbox, concurrency=2)
    runner.in_flight.trust()  # the account is known good: no lone first call
    ids = runner.submit(checks(sandbox, 4))
    while sum(1 for e in log.of_type(ItemEvent) if e.state is ItemState.SENDING) < 2:
        runner.wait_idle(0.02)
    runner.shutdown(timeout=0.3)
    ends = log.terminal()
    assert sorted(ends) == sorted(ids)
    unanswered = [e for e in ends.values() if e.attempt > 0]
    assert len(unanswered) == 2
    assert all(e.state is ItemState.CANCELLED and e.reason == UNANSWERED for e in unanswered)
    client.close()


def test_checks_submitted_to_the_front_go_before_those_waiting(sandbox, runner_for):
    import threading

    sent: list[str] = []
    first_sent = threading.Event()
    release = threading.Event()
    client = AffiliTestClient(sandbox.base_url, sandbox.keys["valid"])

    def perform(request):
        sent.append(request.country)
        first_sent.set()
        release.wait(WAIT)
        return client.check(request)

    runner, _, _ = runner_for(concurrency=1, rate=UNTHROTTLED, perform=perform)
    runner.submit([CheckRequest.create(f"{sandbox.base_url}/demo/offer/game", country,
                                       "android") for country in ("us", "gb", "de")])  # fmt: skip
    assert first_sent.wait(WAIT)
    runner.submit([CheckRequest.create(f"{sandbox.base_url}/demo/offer/game", "fr", "android")],
                  front=True)  # fmt: skip
    release.set()
    assert runner.wait_idle(WAIT)
    assert sent == ["us", "fr", "gb", "de"]  # a person's check waits for one slot at most
    client.close()


def test_a_refused_account_costs_one_call_not_a_burst(sandbox, runner_for):
    runner, _, log = runner_for(key="no_budget", rate=UNTHROTTLED)
    runner.submit(checks(sandbox, 10))
    while not log.of_type(BatchPaused):
        assert not runner.wait_idle(0.02)
    assert len(sandbox.server.stats.requests("/api/v1/test")) == 1  # one call, alone
    runner.cancel()
    assert runner.wait_idle(WAIT)


def test_in_flight_bursts_a_free_window_then_follows_littles_law():
    from affilitest_gui.api.limits import API_RATE_LIMIT
    from affilitest_gui.engine.adaptive import InFlightLimit

    limit = InFlightLimit(API_RATE_LIMIT, maximum=50)
    assert limit.may_take(0, 0, free_slots=50)
    assert not limit.may_take(1, 0, free_slots=49)  # alone until the account answers
    limit.trust(at_once=True)  # the calls left answered at sign-in (the app)
    assert limit.may_take(49, 49, free_slots=0)  # nothing measured yet: up to the maximum
    assert not limit.may_take(50, 0, free_slots=50)  # never above it
    limit.observe(3.0)  # Little's law: 50 calls / 31 s x 3 s x 1.5 headroom = 7.3
    assert limit.may_take(7, 7, free_slots=0) and not limit.may_take(8, 8, free_slots=0)
    # The window's free slots still go out as a burst: as many may wait as are free.
    assert limit.may_take(30, 29, free_slots=30) and not limit.may_take(30, 30, free_slots=30)
    limit.observe(0.1)
    assert limit.may_take(3, 3, free_slots=0)  # never below the minimum of 4
    limit.distrust()
    assert not limit.may_take(1, 0, free_slots=50)


def test_a_cold_run_ramps_up_after_its_first_answer_instead_of_bursting():
    """Another computer may be sending on the account: a ramp meets it, not 49 at once."""
    from affilitest_gui.api.limits import API_RATE_LIMIT
    from affilitest_gui.engine.adaptive import InFlightLimit

    limit = InFlightLimit(API_RATE_LIMIT, maximum=50)
    limit.observe(0.3)
    limit.trust()  # a check answered
    assert limit.may_take(1, 1, free_slots=49) and not limit.may_take(2, 2, free_slots=48)
    for answered in range(3, 50):
        limit.observe(0.3)  # each answer lets one more fly: doubling each round trip
        assert limit.may_take(answered - 1, 0, free_slots=50)
        assert not limit.may_take(answered, 0, free_slots=50)
    limit.observe(0.3)
    assert limit.may_take(30, 29, free_slots=30)  # ramped up: the window's slots go again
