"""How many calls may be in flight: the current window's free slots go out as a burst;
once the window is used, Little's law on the latency the runner measures (the calls a
sustained rate keeps in flight), within MIN_IN_FLIGHT and the runner's maximum.

Until the account is known to work (a check answered, or calls left above zero) one
call goes alone: a refused key or an empty budget then costs one call, not a burst.
Known to work by a check's answer (a run that starts cold, as a command-line run does),
the calls in flight then grow by one per answer (doubling each round trip, TCP's slow
start): another computer sending on the same account meets a ramp, not a burst of 50.
Known to work from the calls left at sign-in (the app), the first window bursts."""

from __future__ import annotations

import math
import threading

from affilitest_gui.api.limits import MIN_IN_FLIGHT, RateLimit

SMOOTHING = 0.3  # weight of the newest latency in the moving average
HEADROOM = 1.5  # latencies vary: keep a few more in flight than the average needs


class InFlightLimit:
    """Thread-safe: `observe()` each call's duration, ask `allowed()` before sending."""

    def __init__(self, rate: RateLimit, maximum: int) -> None:
        self.rate = rate
        self.maximum = max(1, maximum)
        self.minimum = min(MIN_IN_FLIGHT, self.maximum)
        self._latency: float | None = None
        self._trusted = False
        self._ramp: int | None = None  # calls in flight allowed while starting slowly
        self._lock = threading.Lock()

    def trust(self, *, at_once: bool = False) -> None:
        """The account works: from now on bursts may go (`at_once`), or the calls in
        flight grow from two by one per answer (a check answered a cold run)."""
        with self._lock:
            if at_once:
                self._ramp = None
            elif not self._trusted:
                self._ramp = min(2, self.maximum)
            self._trusted = True

    def distrust(self) -> None:
        """An account error: the next call goes alone again."""
        with self._lock:
            self._trusted = False
            self._ramp = None

    @property
    def latency_s(self) -> float | None:
        with self._lock:
            return self._latency

    def observe(self, seconds: float) -> None:
        """An answer came after `seconds`; while starting slowly, one more may fly."""
        with self._lock:
            if self._ramp is not None:
                self._ramp = None if self._ramp + 1 >= self.maximum else self._ramp + 1
            if self._latency is None:
                self._latency = seconds
            else:
                self._latency += SMOOTHING * (seconds - self._latency)

    def steady(self) -> int:
        """Little's law: sustained rate x latency (the maximum before any measurement)."""
        latency = self.latency_s
        if latency is None:
            return self.maximum
        rate_per_s = self.rate.limit / self.rate.effective_window_s
        return math.ceil(rate_per_s * latency * HEADROOM)

    def may_take(self, sending: int, awaiting_slot: int, free_slots: int) -> bool:
        """Whether one more call may start: `sending` are started (`awaiting_slot` of
        them still wait for the throttle), `free_slots` are left in the window."""
        with self._lock:
            trusted, ramp = self._trusted, self._ramp
        if not trusted:
            return sending < 1
        if ramp is not None:
            return sending < ramp
        if sending >= self.maximum:
            return False
        steady = max(self.minimum, min(self.maximum, self.steady()))
        return sending < steady or awaiting_slot < free_slots
