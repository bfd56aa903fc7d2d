"""Which failures are retried, how often, after how long (pure decisions)."""

from __future__ import annotations

import random

import pytest

from affilitest_gui.api.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    HTTPStatusError,
    MalformedResponseError,
    NetworkError,
    RateLimitedError,
    ServerError,
    TLSError,
)
from affilitest_gui.api.limits import API_RATE_LIMIT, RETRY_LIMITS
from affilitest_gui.engine.retry import RetryPolicy, call_with_retries
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from tests.fakes import FakeClock


@pytest.fixture
def policy() -> RetryPolicy:
    return RetryPolicy(rng=random.Random(7))


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_get_three_attempts_with_growing_jittered_waits(policy, status):
    error = ServerError("boom", status=status)
    first = policy.retry_delay(error, attempts=1, sent_failures=0, elapsed_s=0)
    second = policy.retry_delay(error, attempts=2, sent_failures=0, elapsed_s=first)
    assert 1.0 <= first <= 2.0
    assert 3.0 <= second <= 6.0
    assert policy.retry_delay(error, attempts=3, sent_failures=0, elapsed_s=8) is None


def test_failures_before_sending_get_three_attempts(policy):
    error = NetworkError("refused", sent=False)
    assert policy.retry_delay(error, 1, 0, 0) is not None
    assert policy.retry_delay(error, 2, 0, 2) is not None
    assert policy.retry_delay(error, 3, 0, 8) is None


def test_failures_after_sending_get_one_retry_because_the_call_may_be_charged(policy):
    error = NetworkError("read timed out", sent=True)
    assert policy.retry_delay(error, attempts=1, sent_failures=1, elapsed_s=0) is not None
    assert policy.retry_delay(error, attempts=2, sent_failures=2, elapsed_s=2) is None


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError("x", status=400),
        AuthError("Invalid API Key", status=401),
        ForbiddenError("no budget", status=403),
        HTTPStatusError("Not found", status=404),
        ServerError("Not implemented", status=501),
        TLSError("bad certificate", sent=False),
        MalformedResponseError("html", status=200),
    ],
)
def test_never_retried(policy, error):
    assert policy.retry_delay(error, attempts=1, sent_failures=0, elapsed_s=0) is None


def test_no_retry_past_the_item_deadline(policy):
    error = ServerError("boom", status=500)
    late = RETRY_LIMITS.item_deadline_s - 0.5
    assert policy.retry_delay(error, attempts=1, sent_failures=0, elapsed_s=late) is None


def test_rate_limit_pause_uses_retry_after_else_the_window_plus_positive_jitter(policy):
    low, high = RETRY_LIMITS.rate_limit_jitter_s
    hinted = policy.rate_limit_pause(RateLimitedError("slow", retry_after_s=7.0))
    assert 7.0 + low <= hinted <= 7.0 + high
    unhinted = policy.rate_limit_pause(RateLimitedError("slow"))
    assert API_RATE_LIMIT.window_s + low <= unhinted <= API_RATE_LIMIT.window_s + high


def test_one_off_calls_retry_and_every_attempt_takes_a_throttle_slot(policy):
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    outcomes = [ServerError("boom", status=500), ServerError("boom", status=503), 42]

    def call() -> int:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    result = call_with_retries(call, throttle, policy, sleep=clock.sleep, clock=clock)
    assert result == 42
    assert throttle.state().used == 3


def test_one_off_calls_give_up_on_what_is_never_retried(policy):
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    calls = []

    def call() -> None:
        calls.append(1)
        raise AuthError("Invalid API Key", status=401)

    with pytest.raises(AuthError):
        call_with_retries(call, throttle, policy, sleep=clock.sleep, clock=clock)
    assert len(calls) == 1


def test_one_off_calls_wait_out_a_429_without_counting_it(policy):
    clock = FakeClock()
    throttle = SlidingWindowThrottle(API_RATE_LIMIT, clock=clock, sleep=clock.sleep)
    outcomes = [RateLimitedError("slow", retry_after_s=5.0), "ok"]

    def call() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    started = clock.now
    assert call_with_retries(call, throttle, policy, sleep=clock.sleep, clock=clock) == "ok"
    assert clock.now - started >= 5.0
