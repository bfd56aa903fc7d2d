"""The network platforms for the app: connections and their keys, a test call, a sync
planned off the GUI thread and saved only when accepted, and pauses written back there.
The platform work runs on the worker's pool; storage and the keyring stay here, on the
GUI thread. The same run path as `affilitest-offers sync | pause | resume`. Qt core, no
widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.history.platform_book import export_audit
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.records import HistoryRecord, now_text
from affilitest_gui.keystore import KeptKeyStores, KeyStoreFor, StorageInfo, keystore_for
from affilitest_gui.networks.connections import Connection, UnusableConnection
from affilitest_gui.networks.http import NetworkError
from affilitest_gui.networks.sync import SyncPlan, plan_sync
from affilitest_gui.offers.alerts import AlertKind
from affilitest_gui.offers.auto_pause import PauseRule
from affilitest_gui.offers.model import Offer
from affilitest_gui.runs.alerting import auto_paused_note, of_kind, sync_outcome
from affilitest_gui.runs.network_sync import (
    PAUSE,
    StatusChange,
    day_start,
    due_syncs,
    known_links,
    pause_candidates,
    record_status,
    save_plan,
    status_plan,
)
from affilitest_gui.session.alerts import AlertsSession
from affilitest_gui.session.offers import OffersSession
from affilitest_gui.worker.calls import CallOutcome
from affilitest_gui.worker.controller import WorkerController
from affilitest_gui.worker.platform_tasks import CheckConnection, FetchForSync, WriteStatuses


@dataclass(frozen=True)
class MissingKey(Exception):
    """No key is kept for a connection: it must be entered."""

    connection: Connection

    def __str__(self) -> str:
        return f"Enter the {self.connection.name} API key first."


# What platform work can fail with; each says itself in one sentence.
NETWORK_FAILURES = (NetworkError, UnusableConnection, MissingKey, AffiliTestError)


class NetworksSession(QObject):
    """One per window; views call it and await its answers."""

    synced = Signal(str)  # a scheduled sync ended: what it did, or why it did not

    def __init__(
        self,
        controller: WorkerController,
        repository: Repository,
        watch_list: OffersSession,
        alerts: AlertsSession,
        *,
        keystores: KeyStoreFor = keystore_for,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._repository = repository
        self._watch_list = watch_list
        self._alerts = alerts
        self._keystore = KeptKeyStores(keystores)
        self._syncing: set[str] = set()  # platforms whose scheduled sync is on its way

    # --- connections and keys --------------------------------------------------------

    def connection(self, platform: str) -> Connection | None:
        """The connection saved for `platform` (no key in it)."""
        return self._repository.platforms.connection(platform)

    def has_key(self, connection: Connection) -> bool:
        return self._keystore(connection.keyring_account).get() is not None

    def save_key(self, connection: Connection, key: str) -> StorageInfo:
        """Keep the key in the OS keyring (or memory, said so) under the connection's name."""
        return self._keystore(connection.keyring_account).set(key.strip())

    def _key(self, connection: Connection, typed: str = "") -> str:
        key = typed.strip() or self._keystore(connection.keyring_account).get()
        if not key:
            raise MissingKey(connection)
        return key

    # --- platform work (off the GUI thread) ------------------------------------------

    async def check(self, connection: Connection, typed_key: str = "") -> int:
        """How many active offers the platform has for this key (raises its problem)."""
        return await self._controller.call(
            CheckConnection(connection, self._key(connection, typed_key))
        )

    async def plan(self, connection: Connection, typed_key: str = "") -> SyncPlan:
        """Every active offer fetched and planned against the watch list; nothing saved."""
        task, known = self._fetch(connection, self._key(connection, typed_key))
        fetched, links = await self._controller.call(task)
        return plan_sync(connection, fetched, known, links, now=now_text())

    def _fetch(self, connection: Connection, key: str) -> tuple[FetchForSync, list[Offer]]:
        """What a sync asks of the worker, and the watch list it is planned against."""
        known = self._repository.offers.all(sandbox=self._watch_list.sandbox)
        return FetchForSync(connection, key, known_links(known)), known

    def export_audit(self, path: Path) -> int:
        """Every write to a platform, as CSV; returns the rows (raises OSError)."""
        return export_audit(self._repository.platforms.audit(), path)

    def save_connection(self, connection: Connection) -> None:
        self._repository.platforms.save_connection(connection)

    # --- scheduled syncs ---------------------------------------------------------------

    def hold_checks(self, now: datetime) -> bool:
        """Start the scheduled syncs that are due; True while any is on its way (the
        scheduled checks wait for it: they check what the sync brought)."""
        for connection in due_syncs(self._repository, now):
            platform = connection.platform
            if platform in self._syncing:
                continue
            try:
                key = self._key(connection)
            except MissingKey as missing:
                self._repository.platforms.mark_synced(platform, now.isoformat(timespec="seconds"))
                self.synced.emit(f"Scheduled sync skipped: {missing}")
                continue
            task, known = self._fetch(connection, key)
            self._syncing.add(platform)
            self._controller.request(
                task,
                lambda outcome, c=connection, k=known, at=now: self._scheduled_sync_came(
                    c, k, outcome, at.isoformat(timespec="seconds")),
            )
        return bool(self._syncing)

    def _scheduled_sync_came(self, connection: Connection, known: list[Offer],
                             outcome: CallOutcome, started: str) -> None:  # fmt: skip
        """`started`: the schedule's time the sync began (the next is due from it)."""
        self._syncing.discard(connection.platform)
        problem = None if outcome.error is None else str(outcome.error)
        if sync_outcome(self._repository, self._alerts.channels(), connection.platform,
                        problem=problem, now=datetime.now(timezone.utc)):  # fmt: skip
            self._alerts.deliver()
        if outcome.error is not None:
            self._repository.platforms.mark_synced(connection.platform, started)
            self.synced.emit(f"Scheduled sync from {connection.name} failed: {outcome.error}. "
                             "Nothing was changed.")  # fmt: skip
            return
        fetched, links = outcome.value
        plan = plan_sync(connection, fetched, known, links, now=now_text())
        self.accept(plan, connection)
        self._repository.platforms.mark_synced(connection.platform, started)
        self.synced.emit(plan.said(connection.name))

    def accept(self, plan: SyncPlan, connection: Connection) -> None:
        """The previewed plan saved, the connection remembered; every view told."""
        save_plan(plan, self._repository, connection, sandbox=self._watch_list.sandbox)
        self._watch_list.reread()

    async def apply_rule(self, records: Sequence[HistoryRecord]) -> list[StatusChange]:
        """After a batch: the auto-pause rule (when on) on its offers' answers."""
        chosen, waiting = pause_candidates(records, self._repository, since=day_start(),
                                           sandbox=self._watch_list.sandbox)  # fmt: skip
        if not chosen:
            return waiting
        changes = await self.change_status(chosen, PAUSE, by_rule=True)
        self._alerts.post(of_kind(AlertKind.AUTO_PAUSED, auto_paused_note(changes)))
        return changes + waiting

    def current(self, offers: Sequence[Offer]) -> list[Offer]:
        """The offers as they are stored now (their platform's status, after a write)."""
        fresh = [self._repository.offers.get(o.id) for o in offers if o.id is not None]
        return [offer for offer in fresh if offer is not None]

    def pause_rule(self) -> PauseRule:
        return self._repository.platforms.pause_rule()

    def save_pause_rule(self, rule: PauseRule) -> None:
        self._repository.platforms.save_pause_rule(rule)

    def never_auto_pause(self, offer: Offer) -> bool:
        return offer.id in self._repository.offers.never_auto_pause()

    def set_never_auto_pause(self, offer: Offer, never: bool) -> None:
        if offer.id is not None:
            self._repository.offers.set_never_auto_pause(offer.id, never)

    async def change_status(self, offers: Sequence[Offer], action: str, *,
                            by_rule: bool = False) -> list[StatusChange]:  # fmt: skip
        """Pause (or resume) each offer in its platform; each answer in the audit log."""
        changes, writes = status_plan(offers, action)
        by_platform: dict[str, list[tuple[Offer, str]]] = {}
        for offer, wanted in writes:
            by_platform.setdefault(offer.source.partition(":")[0], []).append((offer, wanted))
        for platform, chosen in by_platform.items():
            connection = self.connection(platform)
            if connection is None:
                changes += [StatusChange(offer, "refused", "no saved connection: sync first")
                            for offer, _ in chosen]  # fmt: skip
                continue
            task = WriteStatuses(connection, self._key(connection),
                                 tuple(offer for offer, _ in chosen), action)  # fmt: skip
            answers = await self._controller.call(task)
            for (offer, wanted), written in zip(chosen, answers, strict=True):
                changes.append(record_status(self._repository, offer, action, wanted, written,
                                             by_rule=by_rule))  # fmt: skip
        self._watch_list.reread()
        return changes
