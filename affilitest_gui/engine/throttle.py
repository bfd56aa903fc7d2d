"""A sliding-window-log throttle: never more than N sends in any window of W seconds.

A token bucket would let ~2N through in the first window; a log of send times on a
monotonic clock is the one scheme that guarantees the bound while still allowing a
burst of N. Every call of an account (retries included) takes a slot here, and, with a
shared log, in the log every process of the same data folder keeps.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from affilitest_gui.api.limits import API_RATE_LIMIT, SHARING_LIMITS, RateLimit, SharingLimits
from affilitest_gui.engine.sharing import ShareKeeper, ShareOfLimit

# The smallest wait: keeps float rounding at a window's edge from spinning.
_MIN_WAIT_S = 1e-6


class ThrottleInterrupted(Exception):
    """acquire() gave up because its caller was paused or cancelled."""


@dataclass(frozen=True)
class ThrottleState:
    """What the throttle indicator shows."""

    used: int
    limit: int
    window_s: float
    paused_for_s: float
    waiting: int
    share: int | None = None  # our share of the limit while another computer sends too

    @property
    def at_limit(self) -> bool:
        allowed = self.limit if self.share is None else self.share
        return self.waiting > 0 and (self.used >= allowed or self.paused_for_s > 0)


def never_interrupted() -> bool:
    return False


class SharedLimit(Protocol):
    """The limit every process of one data folder shares (history.send_log keeps it)."""

    def take(self) -> float:
        """0 if a send was recorded now; else the seconds until there is room."""
        ...


class SlidingWindowThrottle:
    """Thread-safe: `acquire()` blocks until a send is allowed and records it."""

    def __init__(
        self,
        rate: RateLimit = API_RATE_LIMIT,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        shared: SharedLimit | None = None,
        sharing: SharingLimits | None = SHARING_LIMITS,
        keeper: ShareKeeper | None = None,
    ) -> None:
        """`shared`: the send log of every process of this data folder (one account,
        one limit), asked after this process's own log allows a send; `sharing`: how our
        share shrinks and grows back when another computer uses the account (None: never
        shrinks, for the benchmark's comparison); `keeper`: where the share is kept for
        the next process of this data folder."""
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._sends: deque[float] = deque()
        self._last_send: float | None = None
        self._paused_until = float("-inf")
        self._waiting = 0
        self._spacing_s = 0.0 if rate.burst_first else rate.min_spacing_s
        self._shared = shared
        self._share = None if sharing is None else ShareOfLimit(
            rate, sharing, now=clock(), wall=time.time() - clock(), keeper=keeper)

    def acquire(self, interrupted: Callable[[], bool] = never_interrupted) -> float:
        """Wait for a slot and take it; returns the send time. Raises ThrottleInterrupted."""
        with self._cond:
            self._waiting += 1
            try:
                while True:
                    if interrupted():
                        raise ThrottleInterrupted
                    now = self._clock()
                    delay = self._delay_locked(now)
                    if delay <= 0 and self._shared is not None:
                        delay = self._shared.take()
                    if delay <= 0:
                        self._sends.append(now)
                        self._last_send = now
                        if self._share is not None:
                            self._share.sent(now, len(self._sends))
                        return now
                    self._wait_locked(max(delay, _MIN_WAIT_S))
            finally:
                self._waiting -= 1

    def pause(self, seconds: float) -> None:
        """Hold every send for `seconds` from now (a 429 pauses the whole account)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._cond.notify_all()

    def slow_down(self) -> None:
        """A 429 came while our own log is below our share: someone else uses the account
        (or the server's limit is finer than it says). From now on sends are kept
        `min_spacing_s` apart, and our share is cut (`engine.sharing`)."""
        with self._cond:
            self._spacing_s = self.rate.min_spacing_s
            if self._share is not None:
                self._share.cut(self._clock())

    def _allowed_locked(self, now: float) -> int:
        return self.rate.limit if self._share is None else self._share.allowed(now)

    @property
    def spacing_s(self) -> float:
        return self._spacing_s

    def free_slots(self) -> int:
        """Sends the current window still allows (within our share)."""
        with self._cond:
            now = self._clock()
            self._prune_locked(now)
            return max(0, self._allowed_locked(now) - len(self._sends))

    def wake_all(self) -> None:
        """Make every waiting acquire() look at its `interrupted` callback again."""
        with self._cond:
            self._cond.notify_all()

    def state(self) -> ThrottleState:
        with self._cond:
            now = self._clock()
            self._prune_locked(now)
            share = self._allowed_locked(now)
            return ThrottleState(
                used=len(self._sends),
                limit=self.rate.limit,
                window_s=self.rate.window_s,
                paused_for_s=max(0.0, self._paused_until - now),
                waiting=self._waiting,
                share=share if share < self.rate.limit else None,
            )

    def _prune_locked(self, now: float) -> None:
        window = self.rate.effective_window_s
        while self._sends and now - self._sends[0] >= window:
            self._sends.popleft()

    def _delay_locked(self, now: float) -> float:
        self._prune_locked(now)
        delay = self._paused_until - now
        allowed = self._allowed_locked(now)
        if len(self._sends) >= allowed:
            oldest_in_way = self._sends[-allowed]
            delay = max(delay, self.rate.effective_window_s - (now - oldest_in_way))
        if self._last_send is not None:
            delay = max(delay, self._spacing_s - (now - self._last_send))
        return delay

    def _wait_locked(self, seconds: float) -> None:
        if self._sleep is None:
            self._cond.wait(seconds)
            return
        self._cond.release()
        try:
            self._sleep(seconds)
        finally:
            self._cond.acquire()
