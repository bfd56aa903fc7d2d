"""The throttle's guarantees: never more than N sends in any window, and no needless wait."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affilitest_gui.api.limits import API_RATE_LIMIT, SHARING_LIMITS, RateLimit
from affilitest_gui.engine.throttle import SlidingWindowThrottle, ThrottleInterrupted
from tests.fakes import FakeClock

EPS = 1e-6

rates = st.builds(
    RateLimit,
    limit=st.integers(1, 12),
    window_s=st.floats(0.5, 40.0),
    margin_s=st.floats(0.0, 2.0),
    min_spacing_s=st.floats(0.0, 0.5),
    burst_first=st.booleans(),
)
gaps = st.lists(st.floats(0.0, 3.0), min_size=1, max_size=120)


def run_single_threaded(rate: RateLimit, arrival_gaps: list[float]) -> tuple[list, list]:
    clock = FakeClock()
    throttle = SlidingWindowThrottle(rate, clock=clock, sleep=clock.sleep)
    arrivals, sends = [], []
    arrival = clock.now
    for gap in arrival_gaps:
        arrival += gap
        clock.now = max(clock.now, arrival)
        arrivals.append(arrival)
        sends.append(throttle.acquire())
    return arrivals, sends


def spacing(rate: RateLimit) -> float:
    """The spacing a throttle keeps before any 429 (none when the first window bursts)."""
    return 0.0 if rate.burst_first else rate.min_spacing_s


def assert_never_more_than_limit(rate: RateLimit, sends: list[float]) -> None:
    window = rate.effective_window_s
    for i in range(len(sends) - rate.limit):
        assert sends[i + rate.limit] - sends[i] >= window - EPS
    for before, after in itertools.pairwise(sends):
        assert after - before >= spacing(rate) - EPS


def assert_no_needless_wait(rate: RateLimit, arrivals: list[float], sends: list[float]) -> None:
    for i, (arrival, sent) in enumerate(zip(arrivals, sends, strict=True)):
        earliest = arrival
        if i:
            earliest = max(earliest, sends[i - 1] + spacing(rate), sends[i - 1])
        if i >= rate.limit:
            earliest = max(earliest, sends[i - rate.limit] + rate.effective_window_s)
        assert sent >= arrival - EPS
        assert sent <= earliest + 1e-4, f"send {i} waited {sent - earliest:.6f}s too long"


@given(rates, gaps)
def test_any_window_holds_at_most_limit_sends(rate, arrival_gaps):
    _, sends = run_single_threaded(rate, arrival_gaps)
    assert_never_more_than_limit(rate, sends)


@given(rates, gaps)
def test_no_send_waits_longer_than_it_must(rate, arrival_gaps):
    arrivals, sends = run_single_threaded(rate, arrival_gaps)
    assert_no_needless_wait(rate, arrivals, sends)


@given(st.lists(st.floats(0.0, 0.5), min_size=51, max_size=300))
def test_the_real_api_numbers(arrival_gaps):
    arrivals, sends = run_single_threaded(API_RATE_LIMIT, arrival_gaps)
    assert_never_more_than_limit(API_RATE_LIMIT, sends)
    assert_no_needless_wait(API_RATE_LIMIT, arrivals, sends)


def test_a_burst_of_fifty_goes_out_at_once_then_the_51st_waits_the_window():
    _, sends = run_single_threaded(API_RATE_LIMIT, [0.0] * 51)
    assert sends[49] == sends[0]  # the first window's calls go out together
    assert sends[50] - sends[0] == pytest.approx(31.0)


def test_after_slowing_down_sends_keep_their_spacing():
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    first = throttle.acquire()
    throttle.slow_down()  # a 429 came below the published limit
    assert throttle.acquire() - first == pytest.approx(0.1)
    assert throttle.spacing_s == 0.1 and throttle.free_slots() == 25 - 2  # our share: half


def test_a_shared_account_halves_our_share_once_a_window_and_gives_it_back_slowly():
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    window = API_RATE_LIMIT.effective_window_s
    assert throttle.state().share is None
    throttle.slow_down()
    throttle.slow_down()  # the same burst's next 429: one signal
    assert throttle.state().share == 25
    sends = [throttle.acquire() for _ in range(26)]
    assert sends[25] - sends[0] >= window  # the 26th waits for the first to leave the window
    step = SHARING_LIMITS.increase
    assert throttle.state().share == 25 + step  # a window after the cut, used whole: a step
    for _ in range(25 + step):
        throttle.acquire()
    assert throttle.state().share == 25 + 2 * step
    throttle.slow_down()  # another computer again
    assert throttle.state().share == (25 + 2 * step) // 2
    clock.now += 20 * window  # ten minutes without a 429: the whole limit again
    assert throttle.state().share is None and throttle.free_slots() == 50


def test_the_share_learned_is_where_the_next_run_starts(tmp_path):
    from affilitest_gui.history.send_log import SharedSendLog

    log = SharedSendLog(tmp_path / "sends.sqlite3", API_RATE_LIMIT)
    first = SlidingWindowThrottle(API_RATE_LIMIT, shared=log, keeper=log)
    first.slow_down()
    assert first.state().share == 25
    second = SlidingWindowThrottle(API_RATE_LIMIT, shared=log, keeper=log)  # the next run
    assert second.state().share == 25
    log.save_share(None)
    assert SlidingWindowThrottle(API_RATE_LIMIT, keeper=log).state().share is None
    log.close()


def test_without_sharing_a_429_only_spaces_the_sends():
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep,
                                     sharing=None)  # fmt: skip
    throttle.slow_down()
    assert throttle.state().share is None and throttle.free_slots() == 50


def test_pause_holds_every_send_then_lets_them_go():
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    start = throttle.acquire()
    throttle.pause(12.5)
    assert throttle.state().paused_for_s == pytest.approx(12.5)
    assert throttle.acquire() == pytest.approx(start + 12.5)


def test_state_reports_the_calls_used_in_the_window():
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    for _ in range(7):
        throttle.acquire()
    state = throttle.state()
    assert (state.used, state.limit, state.window_s, state.waiting) == (7, 50, 30.0, 0)
    clock.now += 40
    assert throttle.state().used == 0


def test_threads_sharing_a_throttle_keep_the_bound_on_the_real_clock():
    rate = RateLimit(limit=5, window_s=0.3, margin_s=0.0, min_spacing_s=0.0)
    throttle = SlidingWindowThrottle(rate)
    sends: list[float] = []
    lock = threading.Lock()

    def caller() -> None:
        for _ in range(3):
            sent = throttle.acquire()
            with lock:
                sends.append(sent)

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(sends) == 24
    sends.sort()
    assert_never_more_than_limit(rate, sends)


def test_a_waiting_acquire_gives_up_when_interrupted():
    rate = RateLimit(limit=1, window_s=60.0, margin_s=0.0, min_spacing_s=0.0)
    throttle = SlidingWindowThrottle(rate)
    throttle.acquire()
    stop = threading.Event()
    outcome: list[str] = []

    def waiter() -> None:
        try:
            throttle.acquire(stop.is_set)
            outcome.append("sent")
        except ThrottleInterrupted:
            outcome.append("interrupted")

    thread = threading.Thread(target=waiter)
    thread.start()
    deadline = time.monotonic() + 10
    while throttle.state().waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert throttle.state().at_limit
    stop.set()
    throttle.wake_all()
    thread.join(10)
    assert outcome == ["interrupted"]
