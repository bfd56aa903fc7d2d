"""Plain dataclasses the batch runner reports; the Qt worker re-emits them as they are."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.models import CheckRequest, CheckResult


class ItemState(str, Enum):
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in (ItemState.DONE, ItemState.FAILED, ItemState.CANCELLED)


@dataclass(frozen=True)
class ItemEvent:
    """One check changed state. `wait_s` and `reason` are set for RETRYING."""

    item_id: int
    state: ItemState
    request: CheckRequest
    attempt: int = 0
    wait_s: float | None = None
    reason: str = ""
    result: CheckResult | None = None
    error: AffiliTestError | None = None


@dataclass(frozen=True)
class BatchPaused:
    """The runner stopped sending. `cause` is the 401/403 that paused it, None if the user did."""

    cause: AffiliTestError | None
    item_id: int | None = None


@dataclass(frozen=True)
class BatchResumed:
    """Sending goes on."""


@dataclass(frozen=True)
class RateLimitPause:
    """A 429 arrived: every call waits `seconds` (never shown as an error)."""

    seconds: float
    error: AffiliTestError


@dataclass(frozen=True)
class BatchIdle:
    """Every submitted check has reached its terminal state; counts since the last idle."""

    done: int
    failed: int
    cancelled: int


RunnerEvent = ItemEvent | BatchPaused | BatchResumed | RateLimitPause | BatchIdle
