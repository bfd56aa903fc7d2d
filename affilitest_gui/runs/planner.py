"""The one path of every run of checks, for the app and `affilitest-offers run` alike.

It plans the checks (what a stopped run left first, then one call per offer cell),
writes them to the durable queue before anything is sent, journals each request as it
leaves, judges each answer against its offer and records it in the same commit as its
queue entry. An answer a full disk refused is kept in memory and written first, oldest
first, as soon as there is room. Pure Python, no Qt: the app's coordinator and the
command line are thin drivers of it.

Thread-safe: the app records each answer on the thread that received it (the GUI
thread only shows it), while it plans on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.models import CheckRequest, CheckResult
from affilitest_gui.engine.events import ItemEvent
from affilitest_gui.history.problems import STORAGE_ERRORS, StorageProblem, storage_problem
from affilitest_gui.history.queue import DISCARDED_VERDICT, GAVE_UP_VERDICT, PendingCheck
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.records import HistoryRecord, record_for
from affilitest_gui.offers.model import Offer

Cell = tuple[int | None, str, str]  # (offer id, country, device)


@dataclass(frozen=True)
class Recorded:
    """One answer, judged, and what could be written."""

    record: HistoryRecord  # this check's row (with its id once stored)
    offer: Offer | None  # the offer it was checked for
    stored: tuple[HistoryRecord, ...]  # written now, oldest first: kept answers, then this
    failure: BaseException | None = None  # a full disk or a read-only folder: it is kept

    @property
    def kept(self) -> bool:
        """Not written yet: it waits in memory (and stays in the queue, unfinished)."""
        return self.failure is not None


class RunPlanner:
    """Plans, journals, judges and records checks on one repository. `sandbox`: the
    checks go to the sandbox now (their rows are kept apart from live ones)."""

    def __init__(self, repository: Repository, *, sandbox: bool = False) -> None:
        self.repository = repository
        self.sandbox = sandbox
        self._offers: dict[int, Offer] = {}  # queue ref -> the offer it is checked for
        self._kept: list[tuple[CheckRequest, HistoryRecord]] = []
        self._lock = threading.RLock()  # the offers by ref, the kept answers

    # --- planning --------------------------------------------------------------------

    def queue_checks(self, requests: Sequence[CheckRequest]) -> list[CheckRequest]:
        """Checks of the form (no offer): written down; returned with their refs."""
        return self._queue([(request, None) for request in requests])

    def queue_offers(
        self, offers: Iterable[Offer], *, after: Sequence[CheckRequest] = ()
    ) -> list[CheckRequest]:
        """Every country x device of each offer, each judged by its expectations later.
        `after`: leftovers this run already sends; their cells are not checked again
        (one call per cell per run)."""
        done = {self._cell(request) for request in after}
        return self._queue([
            (request, offer) for offer in offers for request in offer.requests()
            if (offer.id, request.country, request.device) not in done
        ])  # fmt: skip

    def _queue(self, checks: list[tuple[CheckRequest, Offer | None]]) -> list[CheckRequest]:
        if not checks:
            return []
        queued = self.repository.queue.enqueue(
            [request for request, _ in checks],
            sandbox=self.sandbox,
            offer_refs=[offer.id if offer else None for _, offer in checks],
        )
        with self._lock:
            for request, (_, offer) in zip(queued, checks, strict=True):
                if offer is not None and request.ref is not None:
                    self._offers[request.ref] = offer
        return queued

    def _cell(self, request: CheckRequest) -> Cell | None:
        offer = self.offer_for(request)
        return (offer.id, request.country, request.device) if offer else None

    # --- what a stopped run left ---------------------------------------------------------

    def unfinished(self) -> list[PendingCheck]:
        """The checks of this mode a stopped run left; a sandbox's are closed at once
        (its server, and so its links, ended with the process that started it)."""
        queue = self.repository.queue
        stale = queue.unfinished(sandbox=True)
        if stale:
            queue.close_unsendable(stale, DISCARDED_VERDICT)
        return [] if self.sandbox else queue.unfinished(sandbox=False)

    def take_over(self, checks: Sequence[PendingCheck]) -> list[CheckRequest]:
        """Send again what a stopped run left: a queued check once, a sent one at most
        once more (marked as possibly charged twice); one sent twice already is closed.
        Returns the checks this process took over (another may have taken some)."""
        queue = self.repository.queue
        queue.close_unsendable([c for c in checks if not c.may_send_again], GAVE_UP_VERDICT)
        sendable = [check for check in checks if check.may_send_again]
        for check in sendable:
            offer = self.repository.offers.get(check.offer_ref) if check.offer_ref else None
            if offer is not None and check.request.ref is not None:
                with self._lock:
                    self._offers[check.request.ref] = offer
        return queue.requeue(sendable)

    def discard(self, checks: Sequence[PendingCheck]) -> int:
        """Log what a stopped run left as not checked, with no call; returns how many."""
        return self.repository.queue.close_unsendable(checks, DISCARDED_VERDICT)

    # --- sending and recording ---------------------------------------------------------

    def sending(self, request: CheckRequest) -> None:
        """Just before a request leaves (on the thread that sends it)."""
        self.repository.queue.sending(request)

    def offer_for(self, request: CheckRequest) -> Offer | None:
        """The offer a queued check is for (None: a check of the form)."""
        with self._lock:
            return self._offers.get(request.ref) if request.ref is not None else None

    def record_answer(self, event: ItemEvent) -> Recorded:
        """`record` for the engine's event of a finished (or cancelled) check."""
        return self.record(event.request, result=event.result, error=event.error,
                           attempts=event.attempt, reason=event.reason)  # fmt: skip

    def record(
        self,
        request: CheckRequest,
        *,
        result: CheckResult | None = None,
        error: AffiliTestError | None = None,
        attempts: int = 0,
        reason: str = "",
    ) -> Recorded:
        """Judge a finished (or cancelled) check against its offer and record it with
        its queue entry, after any answer kept before it. A damaged file raises; a full
        disk keeps the answer in memory (`Recorded.failure` says why)."""
        with self._lock:
            return self._record(request, result, error, attempts, reason)

    def _record(
        self,
        request: CheckRequest,
        result: CheckResult | None,
        error: AffiliTestError | None,
        attempts: int,
        reason: str,
    ) -> Recorded:
        offer = self._offers.pop(request.ref, None) if request.ref is not None else None
        record = record_for(
            request, result=result, error=error, attempts=attempts, reason=reason,
            sandbox=self.sandbox, expects=offer.expects if offer else (),
            offer_ref=offer.id if offer else None,
        )  # fmt: skip
        self._kept.append((request, record))
        stored: list[HistoryRecord] = []
        try:
            self.store_kept(stored)
        except STORAGE_ERRORS as failure:
            if storage_problem(failure) is StorageProblem.DAMAGED:
                raise
            return Recorded(record, offer, tuple(stored), failure=failure)
        return Recorded(stored[-1], offer, tuple(stored))

    def store_kept(self, stored: list[HistoryRecord]) -> None:
        """Write the answers kept in memory, oldest first, each added to `stored` as it
        is written. Raises the storage error that stops it (the rest stays kept)."""
        with self._lock:
            while self._kept:
                request, record = self._kept[0]
                stored.append(self.repository.queue.finish(request, record))
                self._kept.pop(0)

    @property
    def kept(self) -> int:
        """Answers received that could not be written yet."""
        return len(self._kept)
