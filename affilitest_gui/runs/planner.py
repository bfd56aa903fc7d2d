"""The one path of every run of checks, for the app and `affilitest-offers run` alike.

It plans the checks (what a stopped run left first, then one call per offer cell, and
one call for identical checks several offers ask for), writes them to the durable queue
before anything is sent, journals each request as it leaves, judges each answer against
each offer that asked and records it in the same commit as its queue entry. An answer
a full disk refused is kept in memory and written first, oldest first, as soon as there
is room. Pure Python, no Qt: the app's coordinator and the
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


def calls_for(offers: Iterable[Offer]) -> int:
    """The calls checking `offers` costs: identical checks are sent once. Offers are
    stored validated, so their own values are their checks' (no check is built: the
    offers view asks this on every selection change)."""
    return len({(offer.url, country, device, offer.preview_url)
                for offer in offers for country in offer.countries
                for device in offer.devices})  # fmt: skip


@dataclass(frozen=True)
class Recorded:
    """One answer, judged for each offer that asked for it, and what could be written."""

    records: tuple[HistoryRecord, ...]  # one per offer (one for a form check); ids once stored
    offers: tuple[Offer | None, ...]  # the offers it was checked for, in the same order
    stored: tuple[HistoryRecord, ...]  # written now, oldest first: kept answers, then these
    failure: BaseException | None = None  # a full disk or a read-only folder: it is kept

    @property
    def record(self) -> HistoryRecord:
        """The row of the offer the call was first planned for (or of the form check)."""
        return self.records[0]

    @property
    def offer(self) -> Offer | None:
        return self.offers[0]

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
        # queue ref -> the offers one call is made for (identical checks merged)
        self._offers: dict[int, list[Offer]] = {}
        self._kept: list[tuple[CheckRequest, list[HistoryRecord]]] = []
        self._lock = threading.RLock()  # the offers by ref, the kept answers

    # --- planning --------------------------------------------------------------------

    def queue_checks(self, requests: Sequence[CheckRequest]) -> list[CheckRequest]:
        """Checks of the form (no offer): written down; returned with their refs."""
        return self._queue([(request, []) for request in requests])

    def queue_offers(
        self, offers: Iterable[Offer], *, after: Sequence[CheckRequest] = ()
    ) -> list[CheckRequest]:
        """Every country x device of each offer, each judged by its expectations later;
        a check several offers ask for identically (link, country, device, preview,
        codes) is one call, recorded for each. `after`: leftovers this run already
        sends; their cells are not checked again (one call per cell per run)."""
        done = {cell for request in after for cell in self._cells(request)}
        asked: dict[CheckRequest, list[Offer]] = {}
        for offer in offers:
            for request in offer.requests():
                if (offer.id, request.country, request.device) not in done:
                    asked.setdefault(request, []).append(offer)
        return self._queue(list(asked.items()))

    def _queue(self, checks: list[tuple[CheckRequest, list[Offer]]]) -> list[CheckRequest]:
        if not checks:
            return []
        queued = self.repository.queue.enqueue(
            [request for request, _ in checks],
            sandbox=self.sandbox,
            offer_refs=[offers[0].id if offers else None for _, offers in checks],
        )
        with self._lock:
            for request, (_, offers) in zip(queued, checks, strict=True):
                if offers and request.ref is not None:
                    self._offers[request.ref] = offers
        return queued

    def _cells(self, request: CheckRequest) -> list[Cell]:
        with self._lock:
            offers = self._offers.get(request.ref, []) if request.ref is not None else []
        return [(offer.id, request.country, request.device) for offer in offers]

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
                    self._offers[check.request.ref] = [offer]
        return queue.requeue(sendable)

    def discard(self, checks: Sequence[PendingCheck]) -> int:
        """Log what a stopped run left as not checked, with no call; returns how many."""
        return self.repository.queue.close_unsendable(checks, DISCARDED_VERDICT)

    # --- sending and recording ---------------------------------------------------------

    def sending(self, request: CheckRequest) -> None:
        """Just before a request leaves (on the thread that sends it)."""
        self.repository.queue.sending(request)

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
        with self._lock:  # one answer at a time: the kept ones go first, in order
            asked = self._offers.pop(request.ref, []) if request.ref is not None else []
            offers: list[Offer | None] = list(asked) or [None]
            records = [
                record_for(request, result=result, error=error, attempts=attempts,
                           reason=reason, sandbox=self.sandbox,
                           expects=offer.expects if offer else (),
                           offer_ref=offer.id if offer else None)
                for offer in offers
            ]  # fmt: skip
            self._kept.append((request, records))
            stored: list[HistoryRecord] = []
            try:
                self.store_kept(stored)
            except STORAGE_ERRORS as failure:
                if storage_problem(failure) is StorageProblem.DAMAGED:
                    raise
                return Recorded(tuple(records), tuple(offers), tuple(stored), failure=failure)
            return Recorded(tuple(stored[-len(records):]), tuple(offers), tuple(stored))

    def store_kept(self, stored: list[HistoryRecord]) -> None:
        """Write the answers kept in memory, oldest first, each added to `stored` as it
        is written. Raises the storage error that stops it (the rest stays kept)."""
        with self._lock:
            while self._kept:
                request, records = self._kept[0]
                stored += self.repository.queue.finish(request, *records)
                self._kept.pop(0)

    @property
    def kept(self) -> int:
        """Answers received that could not be written yet."""
        return len(self._kept)
