"""The one storage interface the layers above use: the results log, the watch list and
the durable queue. `HistoryStore` is its SQLite implementation; a shared team database
(PostgreSQL) can sit behind the same interface without touching the session, the run
planner or the command-line twins. Errors are the history's own (`history.problems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from affilitest_gui.api.models import CheckRequest
from affilitest_gui.chains.since_ok import SinceOk
from affilitest_gui.history.alert_book import AlertLogEntry, WaitingAlert
from affilitest_gui.history.lease import Lease
from affilitest_gui.history.offer_book import MergeCounts, OfferStatus
from affilitest_gui.history.platform_book import AuditEntry
from affilitest_gui.history.queue import PendingCheck
from affilitest_gui.history.timeline import STRIP_RUNS, RunMark
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.networks.connections import Connection
from affilitest_gui.offers.alerts import AlertKind, AlertState, Notification
from affilitest_gui.offers.auto_pause import PauseRule
from affilitest_gui.offers.importing import Field
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import Schedule


class QueueRepository(Protocol):
    """The durable queue: every check written down before it is sent, marked as it
    leaves, and moved into the log with its answer in one transaction."""

    def enqueue(
        self,
        requests: Sequence[CheckRequest],
        *,
        sandbox: bool,
        offer_refs: Sequence[int | None] | None = None,
    ) -> list[CheckRequest]: ...

    def sending(self, request: CheckRequest) -> None: ...

    def requeue(self, checks: Iterable[PendingCheck]) -> list[CheckRequest]: ...

    def finish(
        self, request: CheckRequest, record: HistoryRecord, *also: HistoryRecord
    ) -> list[HistoryRecord]: ...

    def unfinished(self, *, sandbox: bool | None = None) -> list[PendingCheck]: ...

    def close_unsendable(self, checks: Iterable[PendingCheck], verdict: str) -> int: ...


class OfferRepository(Protocol):
    """The watch list: offers, their latest results per cell, schedules and alerts."""

    def all(self, *, sandbox: bool = False) -> list[Offer]: ...

    def get(self, offer_ref: int) -> Offer | None: ...

    def save(self, offer: Offer, *, sandbox: bool = False) -> Offer: ...

    def delete(self, offer_refs: Iterable[int]) -> None: ...

    def match(self, offer: Offer, *, sandbox: bool = False) -> Offer | None: ...

    def merge(
        self,
        offers: Iterable[Offer],
        *,
        sandbox: bool = False,
        present: frozenset[Field] = frozenset(Field),
    ) -> MergeCounts: ...

    def statuses(self, *, sandbox: bool = False) -> list[OfferStatus]: ...

    def record(self, check_id: int) -> HistoryRecord | None: ...

    def schedules(self, *, sandbox: bool = False) -> list[Schedule]: ...

    def set_schedule(
        self, offer_refs: Iterable[int], every_h: int | None, now: datetime
    ) -> None: ...

    def ran(self, schedules: Iterable[Schedule], now: datetime) -> None: ...

    def apply_sync(
        self, entries: Iterable[tuple[str, Offer]], *, sandbox: bool = False
    ) -> None: ...

    def never_auto_pause(self) -> set[int]: ...

    def set_never_auto_pause(self, offer_ref: int, never: bool) -> None: ...

    def set_platform_status(self, offer_ref: int, status: str) -> None: ...

    def alert_states(self) -> dict[int, AlertState]: ...

    def save_alert_states(self, states: dict[int, AlertState]) -> None: ...


class PlatformRepository(Protocol):
    """The network platforms' connections (no keys) and the audit log of their writes."""

    def connection(self, platform: str) -> Connection | None: ...

    def save_connection(self, connection: Connection) -> None: ...

    def last_synced(self, platform: str) -> str: ...

    def mark_synced(self, platform: str, at: str) -> None: ...

    def log(self, entry: AuditEntry) -> AuditEntry: ...

    def audit(self, offer_ref: int | None = None) -> list[AuditEntry]: ...

    def pause_rule(self) -> PauseRule: ...

    def save_pause_rule(self, rule: PauseRule) -> None: ...

    def pause_streaks(self) -> dict[int, int]: ...

    def save_pause_streaks(self, streaks: dict[int, int]) -> None: ...

    def auto_paused_since(self, since: str) -> int: ...


class AlertRepository(Protocol):
    """Alerts on their way to the channels, and what became of each attempt."""

    def post(self, channel: str, note: Notification, now: str) -> None: ...

    def due(self, now: str, *, claim_until: str) -> list[WaitingAlert]: ...

    def waiting(self) -> int: ...

    def settle(
        self, alert: WaitingAlert, entry: AlertLogEntry, *, retry_at: str | None = None
    ) -> None: ...

    def log(self, newest: int | None = None) -> list[AlertLogEntry]: ...

    def choices(self) -> dict[str, frozenset[AlertKind]]: ...

    def kinds_for(self, channel: str) -> frozenset[AlertKind]: ...

    def save_choice(self, channel: str, kinds: frozenset[AlertKind]) -> None: ...


class MarkRepository(Protocol):
    """Small named facts kept between runs and processes (JSON values)."""

    def get(self, name: str) -> Any: ...

    def set(self, name: str, value: Any) -> None: ...


class LeaseRepository(Protocol):
    """Who runs the schedules of this data folder (`history.lease`)."""

    def take(self, holder: str, kind: str, now: datetime, *, for_s: float) -> Lease: ...

    def release(self, holder: str) -> None: ...


class TimelineRepository(Protocol):
    """An offer's past: why a cell broke, its recent runs, the calls per day."""

    def since_ok(self, offer_ref: int, country: str, device: str) -> SinceOk | None: ...

    def since_ok_of(self, offer_ref: int, cells: list[tuple[str, str]]) -> SinceOk | None: ...

    def strip(
        self, offer_ref: int, *, cells: int = 1, runs: int = STRIP_RUNS
    ) -> list[RunMark]: ...

    def calls_per_day(self, days: int, today: date, *, sandbox: bool) -> dict[date, int]: ...


class Repository(Protocol):
    """One history: the results log, and its watch list, queue, platforms and alerts."""

    path: Path
    queue: QueueRepository
    offers: OfferRepository
    platforms: PlatformRepository
    alerts: AlertRepository
    marks: MarkRepository
    timeline: TimelineRepository

    @property
    def lease(self) -> LeaseRepository: ...

    def close(self) -> None: ...

    def mark_damaged(self) -> None: ...

    def damage(self) -> str | None: ...

    def add(self, record: HistoryRecord) -> HistoryRecord: ...

    def add_many(self, records: list[HistoryRecord]) -> None: ...

    def count(self, filter_text: str = "", *, sandbox: bool | None = None) -> int: ...

    def page(
        self,
        *,
        filter_text: str = "",
        sandbox: bool | None = None,
        sort: str = "time",
        descending: bool = True,
        offset: int = 0,
        limit: int = 500,
    ) -> list[HistoryRecord]: ...

    def iter_all(
        self, filter_text: str = "", *, sandbox: bool | None = None
    ) -> Iterator[HistoryRecord]: ...
