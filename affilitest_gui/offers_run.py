"""One run of offers from the command line, shared by `run` and `watch`: what a stopped
run left goes first, then the offers' checks (identical ones once), one JSON line per
offer and cell as answers come, storage trouble and signals said in words, and the
auto-pause rule after it. Built on the run planner, as the app is."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from affilitest_gui.api.client import AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.limits import API_RATE_LIMIT, DEFAULT_CONCURRENCY, RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.cli import (
    EXIT_STOPPED,
    StopOnSignals,
    UsageError,
    check_record,
    run_batch,
    shared_send_log,
)
from affilitest_gui.engine.events import ItemEvent, ItemState, RunnerEvent
from affilitest_gui.history.offer_book import Cell, CellResult
from affilitest_gui.history.problems import STORAGE_ERRORS, problem_sentence, storage_problem
from affilitest_gui.history.queue import SENT, PendingCheck
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.networks.connections import UnusableConnection
from affilitest_gui.networks.connector import Connector
from affilitest_gui.networks.http import NetworkError
from affilitest_gui.offers.model import Offer
from affilitest_gui.runs.network_sync import StatusChange, apply_pause_rule, day_start
from affilitest_gui.runs.planner import RunPlanner
from affilitest_gui.words import plural

PROG = "affilitest-offers"
# Health that makes a run exit 1.
FAILING = (Health.BROKEN, Health.NOT_CHECKED)


@dataclass(frozen=True)
class RunSettings:
    rate: RateLimit = API_RATE_LIMIT
    concurrency: int = DEFAULT_CONCURRENCY


@dataclass
class RanOffers:
    """How a run ended: `status` set when it must end the command (a full disk, a
    signal), `cause` the account or budget error that stopped it."""

    records: list[HistoryRecord] = field(default_factory=list)
    failing: bool = False
    cancelled: list[CheckRequest] = field(default_factory=list)
    answered: int = 0
    cause: AffiliTestError | None = None
    status: int | None = None


class RunOutput:
    """Prints the line of each check the run planner recorded; remembers the worst
    outcome and what was not checked."""

    def __init__(self, planner: RunPlanner, out: IO[str], stop: threading.Event) -> None:
        self.planner, self.out = planner, out
        self._before: dict[tuple[int | None, Cell], CellResult] = {}
        for status in planner.repository.offers.statuses():
            for cell, result in status.latest.items():
                self._before[(status.offer.id, cell)] = result
        self.failing = False
        self.cancelled: list[CheckRequest] = []
        self.stop = stop  # set by a signal, or here by a result that cannot be stored
        self.answered = 0
        self.records: list[HistoryRecord] = []  # this run's answers, one per offer asking
        self.storage_error: BaseException | None = None

    def __call__(self, event: RunnerEvent) -> None:
        if not isinstance(event, ItemEvent) or not event.state.is_terminal:
            return
        if event.state is ItemState.CANCELLED:
            self.cancelled.append(event.request)
            if self.stop.is_set():  # stopped: not sent, so it stays in the queue, unfinished
                return
        else:
            self.answered += 1
        recorded = self.planner.record_answer(event)
        if recorded.failure is not None and self.storage_error is None:  # a full disk
            self.storage_error = recorded.failure  # stop sending; the answer is kept
            self.stop.set()
        if event.state is ItemState.CANCELLED:
            return
        self.records += recorded.records
        checked = check_record(event)
        for record, offer in zip(recorded.records, recorded.offers, strict=True):
            self._write(checked, record, offer)  # one line per offer (identical: one call)
        self.out.flush()

    def _since_ok(self, record: HistoryRecord) -> dict[str, object] | None:
        """For a broken cell that worked before: what changed (after it was stored)."""
        if record.health is not Health.BROKEN or record.offer_ref is None or record.id is None:
            return None
        found = self.planner.repository.timeline.since_ok(record.offer_ref, record.country,
                                                          record.device)  # fmt: skip
        return found.as_json() if found else None

    def _write(self, checked: dict[str, Any], record: HistoryRecord, offer: Offer | None) -> None:
        before = self._before.get((record.offer_ref, (record.country, record.device)))
        changed = before is not None and (
            before.health is not record.health or before.final_url != record.final_url
        )
        self.failing |= record.health in FAILING
        line = {
            **checked,
            "offer_id": offer.offer_id if offer else "",
            "health": record.health.value,
            "reasons": list(record.reasons),
            "changed": changed,
            "sends": record.sends,
            "since_ok": self._since_ok(record),
        }
        self.out.write(json.dumps(line) + "\n")


def send_offers(
    planner: RunPlanner,
    client: AffiliTestClient,
    leftovers: list[PendingCheck],
    offers: list[Offer],
    settings: RunSettings,
    *,
    stop: threading.Event,
    signals: StopOnSignals,
    out: IO[str],
    err: IO[str],
) -> RanOffers:
    """What `leftovers` left first, then `offers`; one JSON line per answer on `out`."""
    output = RunOutput(planner, out, stop)
    requests = planner.take_over(leftovers)  # what a stopped run left comes first
    if requests:
        taken = {request.ref for request in requests}
        again = sum(c.state is SENT for c in leftovers if c.request.ref in taken)
        err.write(f"{PROG}: first, {plural(len(requests), 'check')} left by a run that "
                  f"stopped ({plural(len(requests), 'call')}"
                  + (f"; {again} had been sent and may be charged twice" if again else "")
                  + f"); `{PROG} run --discard-unfinished` drops them instead.\n")  # fmt: skip
    requests += planner.queue_offers(offers, after=requests)
    send_log = shared_send_log(settings.rate, err)
    cause = run_batch(
        client, requests, output, rate=settings.rate, concurrency=settings.concurrency,
        before_send=planner.sending, send_log=send_log, stop=stop,
    )  # fmt: skip
    if send_log is not None:
        send_log.close()
    ran = RanOffers(output.records, output.failing, output.cancelled, output.answered, cause)
    if output.storage_error is not None:
        with contextlib.suppress(*STORAGE_ERRORS):  # space may have been freed since
            planner.store_kept([])
        error, store = output.storage_error, planner.repository
        err.write(f"{PROG}: {problem_sentence(storage_problem(error), store.path, error)}\n")
        if planner.kept:
            err.write(f"{PROG}: {plural(planner.kept, 'answer')} received could not be saved: "
                      "they stay in the queue, unfinished (the next run sends them again, "
                      "marked as possibly charged twice).\n")  # fmt: skip
        ran.status = EXIT_STOPPED
    elif signals.signum is not None:
        err.write(f"{PROG}: stopped: {plural(output.answered, 'check')} answered and "
                  f"logged; {plural(len(output.cancelled), 'check')} not sent, kept in the "
                  f"queue: `{PROG} run --only unfinished` finishes them.\n")  # fmt: skip
        ran.status = signals.exit_status
    return ran


def auto_pause(store: Repository, records: list[HistoryRecord], out: IO[str], err: IO[str],
               connect_to: Callable[[str], Connector]) -> list[StatusChange]:  # fmt: skip
    """With the auto-pause rule on: apply it to this run's answers; the last line says
    what it paused (or why it could not)."""
    if not store.platforms.pause_rule().enabled:
        return []
    try:
        changes = apply_pause_rule(records, store, connect_to, since=day_start())
    except (NetworkError, UsageError, UnusableConnection) as error:
        err.write(f"{PROG}: the auto-pause rule could not run: {error}\n")
        changes = []
    paused = [{"offer_id": change.offer.offer_id, "source": change.offer.source,
               "result": change.result, "message": change.message}
              for change in changes]  # fmt: skip
    out.write(json.dumps({"auto_paused": paused}) + "\n")
    return changes
