"""Which failures are tried again, after how long, and a blocking retry loop for one-off calls.

- 500/502/503/504 and failures before the request left: 3 attempts, waits ~1-2 s, ~3-6 s.
- Failures after the request left (read timeout, reset): one retry at most, since the
  server may have charged the call.
- 400, 401, 403, other 4xx and TLS failures: never.
- 429: not a failure; one pause of the whole throttle (see `rate_limit_pause`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from affilitest_gui.api.errors import (
    AffiliTestError,
    NetworkError,
    RateLimitedError,
    ServerError,
)
from affilitest_gui.api.limits import API_RATE_LIMIT, RETRY_LIMITS, RateLimit, RetryLimits
from affilitest_gui.engine.throttle import SlidingWindowThrottle, never_interrupted

T = TypeVar("T")


class RetryPolicy:
    """Pure decisions; the random source is injectable so tests are repeatable."""

    def __init__(
        self,
        limits: RetryLimits = RETRY_LIMITS,
        rate: RateLimit = API_RATE_LIMIT,
        rng: random.Random | None = None,
    ) -> None:
        self.limits = limits
        self.rate = rate
        self._rng = rng or random.Random()

    def is_retryable(self, error: AffiliTestError) -> bool:
        if isinstance(error, ServerError):
            return error.status in self.limits.retryable_statuses
        return isinstance(error, NetworkError)

    def retry_delay(
        self, error: AffiliTestError, attempts: int, sent_failures: int, elapsed_s: float
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        `attempts`: attempts made so far, this one included; `sent_failures`: failures
        after the request had left, this one included; `elapsed_s`: since the first send.
        """
        if not self.is_retryable(error) or attempts >= self.limits.max_attempts:
            return None
        after_sent = error.sent and isinstance(error, NetworkError)
        if after_sent and sent_failures > self.limits.max_retries_after_sent:
            return None
        steps = self.limits.backoff_s
        low, high = steps[min(attempts - 1, len(steps) - 1)]
        wait = self._rng.uniform(low, high)
        if elapsed_s + wait > self.limits.item_deadline_s:
            return None
        return wait

    def rate_limit_pause(self, error: RateLimitedError) -> float:
        """Retry-After if the server gave one, else a whole window; plus positive jitter."""
        base = error.retry_after_s if error.retry_after_s is not None else self.rate.window_s
        return base + self._rng.uniform(*self.limits.rate_limit_jitter_s)


@dataclass
class AttemptLog:
    """One call's attempts so far, and the retry rules applied to them.

    Shared by the batch runner (which schedules the wait) and `call_with_retries`
    (which sleeps it), so both count the same way: a 429 is not an attempt, and a
    failure after the request left counts towards the one retry such failures get.
    """

    made: int = 0  # attempts as the retry rules count them (a 429 is none)
    sends: int = 0  # requests that left, every one: what the record and the progress say
    sent_failures: int = 0
    rate_limited: int = 0
    first_send: float | None = None

    def sending(self, now: float) -> None:
        self.made += 1
        self.sends += 1
        if self.first_send is None:
            self.first_send = now

    def elapsed(self, now: float) -> float:
        return 0.0 if self.first_send is None else now - self.first_send

    def after_rate_limit(self, policy: RetryPolicy, error: RateLimitedError) -> float | None:
        """The pause before trying again, or None once this call has had its 429s."""
        self.made -= 1
        self.rate_limited += 1
        if self.rate_limited > policy.limits.max_rate_limited:
            return None
        return policy.rate_limit_pause(error)

    def after_failure(
        self, policy: RetryPolicy, error: AffiliTestError, now: float
    ) -> float | None:
        """The wait before the next attempt, or None to give up."""
        if error.sent:
            self.sent_failures += 1
        return policy.retry_delay(error, self.made, self.sent_failures, self.elapsed(now))


def call_with_retries(
    call: Callable[[], T],
    throttle: SlidingWindowThrottle,
    policy: RetryPolicy,
    *,
    interrupted: Callable[[], bool] = never_interrupted,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run a one-off call (callsLeft, appInfo, login) under the same throttle and policy."""
    log = AttemptLog()
    while True:
        throttle.acquire(interrupted)
        log.sending(clock())
        try:
            return call()
        except RateLimitedError as error:
            pause = log.after_rate_limit(policy, error)
            if pause is None:
                raise
            throttle.pause(pause)
        except AffiliTestError as error:
            wait = log.after_failure(policy, error, clock())
            if wait is None:
                raise
            sleep(wait)
