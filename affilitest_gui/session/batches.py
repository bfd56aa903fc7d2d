"""Every batch of checks, whichever view starts it: queueing, the log, a pause on an
account error, resume, cancel, and stopping cleanly on quit. Qt core, no widgets.

Each finished check is judged and committed to the history by the run planner on the
thread that received its answer; the coordinator counts it and hands the stored rows to
the views in batches (`results_stored`), so a fast batch does not repaint them once
per result, and nothing slow runs on the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from affilitest_gui.api.errors import ACCOUNT_ERRORS, AffiliTestError, AuthError
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.engine.events import (
    BatchIdle,
    BatchPaused,
    BatchResumed,
    ItemEvent,
    ItemState,
    RateLimitPause,
    RunnerEvent,
)
from affilitest_gui.history.problems import STORAGE_ERRORS
from affilitest_gui.history.queue import (
    PendingCheck,
)
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.model import Offer
from affilitest_gui.runs.planner import RunPlanner
from affilitest_gui.session.account import AccountSession, AccountState
from affilitest_gui.session.progress import BatchProgress, BatchSummary
from affilitest_gui.worker.api_worker import RecordedEvent
from affilitest_gui.worker.controller import WorkerController

SHOW_RESULTS_EVERY_MS = 120


class ProblemKind(Enum):
    NOT_SIGNED_IN = "not signed in"
    OVER_BUDGET = "over budget"


@dataclass(frozen=True)
class SubmitProblem:
    """Why a batch should not be queued as it is (checked before any call is spent)."""

    kind: ProblemKind
    needed: int = 0
    left: int = 0


def resume_blocker(cause: AffiliTestError | None, account: AccountState) -> str:
    """Why resuming a paused batch would only spend calls on the same refusal."""
    if account.calls_left == 0:
        return "No calls left: top up the account, then refresh the calls left (F5)."
    if isinstance(cause, AuthError) and not account.verified:
        return "Enter an API key that works, or log in, to go on."
    if cause is not None and account.refused:
        return "AffiliTest refused this key: enter another API key, or log in, to go on."
    return ""


class BatchCoordinator(QObject):
    """The one owner of the batch lifecycle; views call it and listen to its signals."""

    progress_changed = Signal(object)  # BatchProgress
    results_stored = Signal(object)  # list[HistoryRecord], oldest first
    retrying = Signal(object)  # ItemEvent (RETRYING)
    rate_limited = Signal(object)  # RateLimitPause
    throttle_changed = Signal(object)  # ThrottleState
    paused_by_account = Signal(object)  # AffiliTestError
    finished = Signal(object)  # BatchSummary
    stopped = Signal()  # quit: the worker stopped, every answer that came is recorded
    storage_failed = Signal(object)  # StorageError | OSError: a result could not be written

    def __init__(
        self,
        controller: WorkerController,
        planner: RunPlanner,
        account: AccountSession,
        parent: QObject | None = None,
    ) -> None:
        """`planner`: the run planner whose journal the worker's sends go through."""
        super().__init__(parent)
        self._controller = controller
        self.planner = planner
        self.store = planner.repository
        self.account = account
        planner.sandbox = account.state.sandbox
        self.progress = BatchProgress()
        self._in_flight: set[int] = set()
        self._failed_records: list[HistoryRecord] = []
        self._first_failure: AffiliTestError | None = None
        self._offer_checks: list[HistoryRecord] = []
        self._unshown: list[HistoryRecord] = []
        self.scheduled_running = False  # a scheduled run is in the queue
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_RESULTS_EVERY_MS)
        self._show_timer.timeout.connect(self.flush_results)
        controller.event.connect(self._on_event)
        controller.throttle_changed.connect(self.throttle_changed)
        controller.stopped.connect(self._on_stopped)
        account.changed.connect(self._on_account_changed)

    # --- starting --------------------------------------------------------------------

    def problem_with(self, count: int) -> SubmitProblem | None:
        """Check a batch of `count` checks on the GUI thread, before anything is queued."""
        account = self.account.state
        if not account.signed_in:
            return SubmitProblem(ProblemKind.NOT_SIGNED_IN)
        if account.calls_left is not None and count > account.calls_left:
            return SubmitProblem(ProblemKind.OVER_BUDGET, needed=count, left=account.calls_left)
        return None

    def submit(self, requests: Sequence[CheckRequest]) -> None:
        """Checks of the form: written to the durable queue first, then queued in memory."""
        if self._controller.running:
            queued = self.planner.queue_checks(requests)
            self._queue_in_memory(queued, front=self.scheduled_running)

    def submit_offers(self, offers: Iterable[Offer], *, scheduled: bool = False) -> None:
        """Check every country x device of each offer, each judged by its expectations.
        A scheduled run waits behind everything; a person's checks go before it."""
        if not self._controller.running:
            return
        queued = self.planner.queue_offers(offers)
        if scheduled:
            self.scheduled_running = bool(queued)
        self._queue_in_memory(queued, front=self.scheduled_running and not scheduled)

    def _queue_in_memory(self, requests: list[CheckRequest], *, front: bool = False) -> None:
        if not requests:
            return
        progress = self.progress
        if not progress.active:  # a new batch
            progress = BatchProgress(started_at=time.monotonic())
            self._failed_records, self._first_failure, self._offer_checks = [], None, []
        self._update(replace(progress, total=progress.total + len(requests)))
        self._controller.submit(requests, front=front)

    # --- what a crash left -----------------------------------------------------------

    def unfinished(self) -> list[PendingCheck]:
        """The checks of this mode a crash left in the queue."""
        return self.planner.unfinished()

    def run_unfinished(self, checks: list[PendingCheck]) -> None:
        """Send again what a crash left (`RunPlanner.take_over`)."""
        if self._controller.running:
            self._queue_in_memory(self.planner.take_over(checks))

    def discard_unfinished(self, checks: list[PendingCheck]) -> None:
        self.planner.discard(checks)

    # --- control ---------------------------------------------------------------------

    def pause(self) -> None:
        self._controller.pause()

    def resume(self) -> None:
        if self.planner.kept:  # after a full disk: the kept answers first, if there is room
            try:
                self.planner.store_kept(self._unshown)
            except STORAGE_ERRORS as error:
                self.flush_results()
                self.storage_failed.emit(error)
                return
            self.flush_results()
        if self.progress.can_resume:
            self._controller.resume()

    def cancel(self) -> None:
        """Cancel the checks not sent yet; the calls in flight finish and are kept."""
        self._controller.cancel()

    def begin_stop(self) -> None:
        """Quit: stop sending, let the calls in flight answer (bounded); `stopped` follows."""
        self._update(replace(self.progress, stopping=True))
        self._controller.begin_shutdown()

    def stop(self) -> None:
        """Quit and wait for it here (nothing running, or no event loop to return to)."""
        self._update(replace(self.progress, stopping=True))
        self._controller.shutdown()

    # --- worker events (GUI thread) --------------------------------------------------

    @Slot(object)
    def _on_event(self, event: RunnerEvent) -> None:
        match event:
            case RecordedEvent():
                self._on_item(event.event, event)
            case ItemEvent():
                self._on_item(event, None)
            case BatchPaused(cause=cause):
                self._on_paused(cause)
            case BatchResumed():
                self._update(replace(self.progress, paused=False, cause=None))
            case RateLimitPause():
                self.rate_limited.emit(event)
            case BatchIdle():
                self._on_idle()

    def _on_item(self, event: ItemEvent, recorded: RecordedEvent | None) -> None:
        if event.state is ItemState.SENDING:
            self._in_flight.add(event.item_id)
        else:
            self._in_flight.discard(event.item_id)
        if event.state is ItemState.RETRYING:
            self.retrying.emit(event)
        progress = replace(self.progress, in_flight=len(self._in_flight))
        if recorded is not None:
            stored = self._show(recorded)
            failed = event.state is ItemState.FAILED
            progress = replace(
                progress,
                finished=progress.finished + 1,
                failed=progress.failed + failed,
                cancelled=progress.cancelled + (event.state is ItemState.CANCELLED),
            )
            worth_explaining = event.error is not None and not isinstance(
                event.error, ACCOUNT_ERRORS
            )
            if failed and worth_explaining and stored is not None:
                self._failed_records.append(stored)
                self._first_failure = self._first_failure or event.error
        self._update(progress)

    def _show(self, event: RecordedEvent) -> HistoryRecord | None:
        """A finished check the worker recorded: its row to the views (in batches)."""
        recorded = event.recorded
        if recorded is None:  # the history is damaged: said at once, the check stays queued
            self.storage_failed.emit(event.failure)
            return None
        self._unshown.extend(recorded.stored)
        for record, offer in zip(recorded.records, recorded.offers, strict=True):
            if offer is not None and record.health is not Health.CANCELLED:
                self._offer_checks.append(record)
        if recorded.stored and not self._show_timer.isActive():
            self._show_timer.start()
        if recorded.failure is not None:
            # A full disk (or a folder gone read-only): stop sending; the answer is kept in
            # memory and written when the disk has room (Resume), else it stays in the
            # queue as unfinished, never lost.
            self._controller.pause()
            self.storage_failed.emit(recorded.failure)
        return recorded.record

    @property
    def drain_s(self) -> float:
        """How long a quit waits for the answers on their way."""
        return self._controller.worker.drain_s

    @property
    def worker_running(self) -> bool:
        """False once stopping has begun."""
        return self._controller.running

    @property
    def worker_thread_running(self) -> bool:
        """The worker's thread itself: False once it has really stopped."""
        return self._controller.thread.isRunning()

    @property
    def unstored(self) -> int:
        """Answers received that could not be written yet."""
        return self.planner.kept

    def _on_paused(self, cause: AffiliTestError | None) -> None:
        self._update(replace(self.progress, paused=True, cause=cause))
        if cause is not None:
            self.account.note_refusal(cause)
            self.paused_by_account.emit(cause)

    def _on_idle(self) -> None:
        progress = self.progress
        if progress.active:
            return  # checks submitted since that idle are still on their way
        self.flush_results()
        self._update(replace(progress, paused=False, cause=None, in_flight=0))
        self.finished.emit(
            BatchSummary(
                checked=progress.checked,
                failed=progress.failed,
                cancelled=progress.cancelled,
                failed_records=tuple(self._failed_records),
                first_failure=self._first_failure,
                offer_checks=tuple(self._offer_checks),
            )
        )
        self._failed_records, self._first_failure, self._offer_checks = [], None, []
        self.scheduled_running = False
        if self._controller.running:
            self.account.refresh_calls_left()

    @Slot()
    def flush_results(self) -> None:
        """Hand the rows stored since the last call to the views."""
        self._show_timer.stop()
        records, self._unshown = self._unshown, []
        if records:
            self.results_stored.emit(records)

    @Slot()
    def _on_stopped(self) -> None:
        self.flush_results()
        self.stopped.emit()

    def _on_account_changed(self, state: AccountState) -> None:
        self.planner.sandbox = state.sandbox
        self._update(self.progress)

    def _update(self, progress: BatchProgress) -> None:
        blocker = resume_blocker(progress.cause, self.account.state) if progress.paused else ""
        progress = replace(progress, resume_blocker=blocker)
        if progress == self.progress and progress.active:
            return  # nothing new to show (a retry's wait, a send while others are out)
        self.progress = progress
        self.progress_changed.emit(progress)
