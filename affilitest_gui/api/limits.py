"""The rate-limit, retry and timeout numbers: the one place they live.

Why these numbers: ../shared/notes/rate-limit-and-retry.md, summarised in README.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` sends in any `window_s + margin_s` span. With `burst_first` the
    first window's calls go out as a burst, and sends are kept `min_spacing_s` apart only
    once the server answers 429 below the published limit (a finer limit than it says);
    without it, always."""

    limit: int = 50
    window_s: float = 30.0
    margin_s: float = 1.0
    min_spacing_s: float = 0.1
    burst_first: bool = True

    @classmethod
    def scaled(cls, limit: int, window_s: float) -> RateLimit:
        """A limit for a sandbox in scaled time: margin and spacing shrink with the window."""
        api = cls()
        factor = window_s / api.window_s
        return cls(
            limit=limit,
            window_s=window_s,
            margin_s=api.margin_s * factor,
            min_spacing_s=api.min_spacing_s * min(1.0, factor),
            burst_first=api.burst_first,
        )

    @property
    def effective_window_s(self) -> float:
        """The span the client keeps free of a 51st send (window plus safety margin)."""
        return self.window_s + self.margin_s


@dataclass(frozen=True)
class RetryLimits:
    """How often and how long a failed call is tried again."""

    max_attempts: int = 3
    # Jittered waits before the 2nd and the 3rd attempt, as (low, high) seconds.
    backoff_s: tuple[tuple[float, float], ...] = ((1.0, 2.0), (3.0, 6.0))
    # A call that failed after it was sent may have been charged: retry it once at most.
    max_retries_after_sent: int = 1
    # A 429 sends the call back to the front of the queue, this many times at most.
    max_rate_limited: int = 3
    # Extra wait added to every 429 pause, as (low, high) seconds.
    rate_limit_jitter_s: tuple[float, float] = (0.5, 2.0)
    # No retry is scheduled past this many seconds after an item's first send.
    item_deadline_s: float = 300.0
    retryable_statuses: frozenset[int] = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class Timeouts:
    """requests' (connect, read) timeouts, in seconds."""

    connect_s: float = 5.0
    read_s: float = 60.0
    # Quitting stops sending at once, then waits this long for the calls already sent,
    # so their answers (paid for) are recorded; a call still out after that is logged
    # as sent but unanswered.
    quit_drain_s: float = 10.0

    def as_tuple(self) -> tuple[float, float]:
        return (self.connect_s, self.read_s)


@dataclass(frozen=True)
class SharingLimits:
    """One account used from several computers: each sees only its own calls, so a 429
    while our own log is below the limit means someone else is sending. Then our share is
    cut to `decrease` of it (at most once a window, never below `floor`) and given back
    `increase` calls for each window we used it whole without a 429 (multiplicative
    decrease, additive increase, as TCP shares a link); after `forget_after_windows`
    windows without a 429 (10 minutes) the whole limit is ours again. Measured in
    README.md (bench/shared_account.py)."""

    decrease: float = 0.5
    floor: int = 5
    increase: int = 3
    forget_after_windows: int = 20


DEFAULT_CONCURRENCY = 50
"""The most calls in flight at once: a whole window's burst. The runner adapts below it
(`engine/adaptive.py`): the free slots of the current window, else Little's law."""
MIN_IN_FLIGHT = 4

API_RATE_LIMIT = RateLimit()
RETRY_LIMITS = RetryLimits()
SHARING_LIMITS = SharingLimits()
TIMEOUTS = Timeouts()


@dataclass(frozen=True)
class PlatformLimits:
    """How a network platform's connector paces and retries itself. Everflow allows 30
    requests a second per account (shared by every key); Affise and HasOffers publish no
    number: a few a second keeps well under what they tolerate. Only reads are retried
    (429, 5xx, HasOffers' "API usage exceeded rate limit"); a write is retried only when
    the answer proves it did not apply."""

    requests_per_s: float = 4.0
    everflow_requests_per_s: float = 10.0  # a third of the account's 30/s: others share it
    read_attempts: int = 4
    backoff_s: tuple[float, ...] = (1.0, 2.0, 4.0)  # before the 2nd, 3rd, 4th attempt
    max_retry_after_s: float = 30.0  # a longer Retry-After fails the call, with its words
    empty_bucket_wait_s: float = 1.0  # X-RateLimit-Remaining: 0 (Everflow's bucket is per second)
    timeout_s: tuple[float, float] = (5.0, 30.0)  # connect, read


PLATFORM_LIMITS = PlatformLimits()


@dataclass(frozen=True)
class AlertLimits:
    """How an alert that could not be delivered waits: Slack takes about one message a
    second; an outage may last hours; after a day an alert is no longer news."""

    backoff_s: tuple[float, ...] = (30.0, 120.0, 600.0, 1800.0, 3600.0)  # then hourly
    give_up_after_s: float = 86_400.0
    max_retry_after_s: float = 3600.0
    claim_s: float = 300.0  # an alert being delivered is one process's for this long
    look_every_s: float = 60.0  # the app looks at the outbox while it is open


ALERT_LIMITS = AlertLimits()


@dataclass(frozen=True)
class ScheduleTiming:
    """How often the schedules are looked at, and how long the one scheduler of a data
    folder (the app or the watcher) keeps the lease without renewing it: a few ticks, so
    a busy machine does not lose it, and a dead holder is replaced within minutes."""

    tick_s: float = 30.0
    lease_s: float = 120.0
    renew_s: float = 20.0  # the watcher renews while a long run goes on
    daily_summary_hour: int = 9  # local time: the first look at or after it sends it


SCHEDULE_TIMING = ScheduleTiming()
