"""Our share of an account's limit when another computer uses the account too.

Each computer sees only its own calls, so a 429 that comes while our own log is below
the limit means someone else is sending. Then our share is cut (multiplicative
decrease, once a window at most: one burst's 429s are one signal) and given back one
step for each window in which we used all of it without a 429 (additive increase), as
TCP shares a link. After a long quiet spell the whole limit is ours again. Kept in the
data folder's send log when there is one, so the next run on this computer starts from
what the last one learned. Pure Python; thread-safe through its throttle's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from affilitest_gui.api.limits import RateLimit, SharingLimits


@dataclass(frozen=True)
class ShareMemory:
    """What a process leaves for the next: the share, and when it last changed and was
    cut, in wall-clock seconds (processes share no monotonic clock)."""

    share: float
    changed_at: float
    cut_at: float


class ShareKeeper(Protocol):
    """Where the share is kept between processes (the data folder's send log)."""

    def load_share(self) -> ShareMemory | None: ...

    def save_share(self, memory: ShareMemory | None) -> None: ...


class ShareOfLimit:
    """Not locked itself: the throttle calls it under its own lock. Times are the
    throttle's clock; `wall` is that clock's offset to wall-clock time."""

    def __init__(self, rate: RateLimit, limits: SharingLimits, *, now: float, wall: float,
                 keeper: ShareKeeper | None = None) -> None:  # fmt: skip
        self.rate, self.limits = rate, limits
        self._keeper = keeper
        self._wall = wall  # wall-clock time minus the throttle's clock
        self.share = float(rate.limit)
        self._changed_at = self._cut_at = float("-inf")
        memory = keeper.load_share() if keeper is not None else None
        if memory is not None:
            self.share = min(float(rate.limit), max(float(limits.floor), memory.share))
            self._changed_at, self._cut_at = memory.changed_at - wall, memory.cut_at - wall
        self._forget_if_quiet(now)

    @property
    def window(self) -> float:
        return self.rate.effective_window_s

    @property
    def reduced(self) -> bool:
        return self.share < self.rate.limit

    def allowed(self, now: float) -> int:
        """The sends our share allows in a window now."""
        self._forget_if_quiet(now)
        return max(1, int(self.share))

    def cut(self, now: float) -> None:
        """A 429 below our own count: someone else sends. Once a window at most."""
        if now - self._cut_at < self.window:
            return
        self.share = max(float(self.limits.floor), self.share * self.limits.decrease)
        self._changed_at = self._cut_at = now
        self._keep()

    def sent(self, now: float, in_window: int) -> None:
        """A send was recorded (`in_window` sends in the window now, it included): a
        window after the last change, a share used whole without a 429 grows a step."""
        if not self.reduced or in_window < int(self.share):
            return
        if now - self._changed_at < self.window:
            return
        self.share = min(float(self.rate.limit), self.share + self.limits.increase)
        self._changed_at = now
        self._keep()

    def _forget_if_quiet(self, now: float) -> None:
        if self.reduced and now - self._cut_at >= self.limits.forget_after_windows * self.window:
            self.share = float(self.rate.limit)
            self._keep()

    def _keep(self) -> None:
        if self._keeper is None:
            return
        if not self.reduced:
            self._keeper.save_share(None)
            return
        self._keeper.save_share(ShareMemory(self.share, self._changed_at + self._wall,
                                            self._cut_at + self._wall))  # fmt: skip
