"""What the views show of a batch: its progress while it runs, and its summary once it
ended. Plain data, light to import: the progress panel shows it before the session
is built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from affilitest_gui.api.errors import AffiliTestError
    from affilitest_gui.judging.records import HistoryRecord


@dataclass(frozen=True)
class BatchProgress:
    """The current (or last) batch as the views show it."""

    total: int = 0
    finished: int = 0  # done, failed or cancelled
    failed: int = 0
    cancelled: int = 0
    in_flight: int = 0  # sent, answer not back yet
    paused: bool = False
    cause: AffiliTestError | None = None  # the account error that paused it
    resume_blocker: str = ""  # why Resume would not help yet
    started_at: float = 0.0  # time.monotonic()
    stopping: bool = False  # quitting: waiting for the answers of the calls in flight

    @property
    def active(self) -> bool:
        return self.finished < self.total

    @property
    def checked(self) -> int:
        return self.finished - self.cancelled

    @property
    def waiting(self) -> int:
        """Checks not sent yet."""
        return self.total - self.finished - self.in_flight

    @property
    def can_resume(self) -> bool:
        return self.active and self.paused and not self.resume_blocker


@dataclass(frozen=True)
class BatchSummary:
    """A batch that ended: counts, and the failures worth explaining (not account errors,
    which paused the batch and were explained then)."""

    checked: int
    failed: int
    cancelled: int
    failed_records: tuple[HistoryRecord, ...] = ()
    first_failure: AffiliTestError | None = None
    offer_checks: tuple[HistoryRecord, ...] = ()  # answered checks of offers, in order
