"""The watch list in the history database: offers, merges from imports, and each offer's
latest result per country x device with what changed since the run before.

It shares the history's connection (one file, one thread); live and sandbox offers
are kept apart like their checks.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property

from affilitest_gui.history.columns import SELECT, row_to_record
from affilitest_gui.judging.expectations import expectations_text, parse_expectations
from affilitest_gui.judging.health import Health, worst
from affilitest_gui.judging.records import HistoryRecord, now_text
from affilitest_gui.offers.alerts import AlertState
from affilitest_gui.offers.importing import Field, keep_absent
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import Schedule

_OFFER_COLUMNS = (
    "id, offer_id, name, url, countries, devices, expects, source, platform_status, synced_at, "
    "never_auto_pause"
)

Cell = tuple[str, str]  # (country, device)


@dataclass(frozen=True)
class MergeCounts:
    imported: int = 0
    updated: int = 0


@dataclass(frozen=True)
class CellResult:
    """The latest check of one country x device, as the offers view shows it; the whole
    record (its chain) is read when asked for, by `id`."""

    id: int
    health: Health
    verdict: str
    reasons: tuple[str, ...]
    final_url: str
    checked_at: str


@dataclass(frozen=True)
class OfferStatus:
    """One row of the offers view: the offer, its latest result per cell, what changed."""

    offer: Offer
    latest: dict[Cell, CellResult] = field(default_factory=dict)
    changed_cells: frozenset[Cell] = frozenset()

    @cached_property
    def health(self) -> Health | None:
        """The worst health of its latest results; None before the first check."""
        return worst([result.health for result in self.latest.values()])

    @cached_property
    def counts(self) -> Counter[Health]:
        return Counter(result.health for result in self.latest.values())

    @property
    def changed(self) -> bool:
        return bool(self.changed_cells)

    @cached_property
    def last_checked(self) -> str:
        return max((result.checked_at for result in self.latest.values()), default="")



def _row_to_offer(row: tuple) -> Offer:
    id_, offer_id, name, url, countries, devices, expects, source, status, synced_at, never = row
    return Offer(
        url=url,
        countries=tuple(json.loads(countries)),
        devices=tuple(json.loads(devices)),
        offer_id=offer_id,
        name=name,
        expects=parse_expectations(expects),
        source=source,
        platform_status=status,
        synced_at=synced_at,
        never_auto_pause=bool(never),
        id=id_,
    )


def _offer_values(offer: Offer) -> tuple[object, ...]:
    return (
        offer.offer_id, offer.name, offer.url, json.dumps(list(offer.countries)),
        json.dumps(list(offer.devices)), expectations_text(offer.expects),
    )  # fmt: skip


class OfferBook:
    """The offers of one mode (live or sandbox) on the history's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    # --- offers ----------------------------------------------------------------------

    def all(self, *, sandbox: bool = False) -> list[Offer]:
        rows = self._db.execute(
            f"SELECT {_OFFER_COLUMNS} FROM offers WHERE sandbox = ? ORDER BY id",
            (int(sandbox),),
        )
        return [_row_to_offer(row) for row in rows]

    def get(self, offer_ref: int) -> Offer | None:
        row = self._db.execute(
            f"SELECT {_OFFER_COLUMNS} FROM offers WHERE id = ?", (offer_ref,)
        ).fetchone()
        return _row_to_offer(row) if row else None

    def save(self, offer: Offer, *, sandbox: bool = False) -> Offer:
        """Insert a new offer, or update the one with its id."""
        with self._db:
            return self._save(offer, sandbox)

    def _save(self, offer: Offer, sandbox: bool) -> Offer:
        if offer.id is None:
            cursor = self._db.execute(
                "INSERT INTO offers (offer_id, name, url, countries, devices, expects, sandbox, "
                "added_at, source, platform_status, synced_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*_offer_values(offer), int(sandbox), now_text(), offer.source,
                 offer.platform_status, offer.synced_at),
            )  # fmt: skip
            return replace(offer, id=cursor.lastrowid)
        # An edit or an import never changes where a synced offer came from.
        self._db.execute(
            "UPDATE offers SET offer_id = ?, name = ?, url = ?, countries = ?, devices = ?, "
            "expects = ?, never_auto_pause = ? WHERE id = ?",
            (*_offer_values(offer), int(offer.never_auto_pause), offer.id),
        )
        return offer

    def delete(self, offer_refs: Iterable[int]) -> None:
        """Delete offers; their checks stay in the log (no longer linked to an offer)."""
        refs = [(ref,) for ref in offer_refs]
        with self._db:
            self._db.executemany("UPDATE checks SET offer_ref = NULL WHERE offer_ref = ?", refs)
            for table in ("offer_cells", "schedules", "alerts"):
                self._db.executemany(f"DELETE FROM {table} WHERE offer_ref = ?", refs)
            self._db.executemany("DELETE FROM offers WHERE id = ?", refs)

    def match(self, offer: Offer, *, sandbox: bool = False) -> Offer | None:
        """The stored offer an imported one updates: same offer ID, else same URL."""
        column, value = ("offer_id", offer.offer_id) if offer.offer_id else ("url", offer.url)
        row = self._db.execute(
            f"SELECT {_OFFER_COLUMNS} FROM offers WHERE sandbox = ? AND {column} = ? "
            "ORDER BY id LIMIT 1",
            (int(sandbox), value),
        ).fetchone()
        return _row_to_offer(row) if row else None

    def merge(
        self,
        offers: Iterable[Offer],
        *,
        sandbox: bool = False,
        present: frozenset[Field] = frozenset(Field),
    ) -> MergeCounts:
        """Import: update the offers already there (the fields of `present` columns
        only), add the others, in one transaction that holds the write lock from its
        first look-up, so two imports at once cannot both add the same offer."""
        imported = updated = 0
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for offer in offers:
                existing = self.match(offer, sandbox=sandbox)
                if existing is None:
                    imported += 1
                    self._save(replace(offer, id=None), sandbox)
                else:
                    updated += 1
                    kept = keep_absent(existing, offer, present)
                    self._save(replace(kept, id=existing.id), sandbox)
        return MergeCounts(imported, updated)

    # --- results ---------------------------------------------------------------------

    def statuses(self, *, sandbox: bool = False) -> list[OfferStatus]:
        """Every offer with its latest result per country x device (cancelled checks do
        not count) and the cells whose health or destination changed since the one
        before; cells the offer no longer has are left out."""
        offers = self.all(sandbox=sandbox)
        latest: dict[int, dict[Cell, CellResult]] = {}
        changed: dict[int, set[Cell]] = {}
        rows = self._db.execute(
            "SELECT c.offer_ref, c.country, c.device, l.id, l.health, l.verdict, l.reasons, "
            "l.final_url, l.checked_at, p.health, p.final_url "
            "FROM offer_cells c JOIN offers o ON o.id = c.offer_ref AND o.sandbox = ? "
            "JOIN checks l ON l.id = c.latest_id LEFT JOIN checks p ON p.id = c.previous_id",
            (int(sandbox),),
        )
        for (offer_ref, country, device, id_, health, verdict, reasons, final_url, at,
             health_before, final_url_before) in rows:  # fmt: skip
            cell = (country, device)
            latest.setdefault(offer_ref, {})[cell] = CellResult(
                id_, Health(health), verdict, tuple(json.loads(reasons)), final_url, at
            )
            if health_before is not None and (health_before, final_url_before) != (
                health, final_url
            ):
                changed.setdefault(offer_ref, set()).add(cell)
        statuses = []
        for offer in offers:
            cells = set(itertools.product(offer.countries, offer.devices))  # as it is now
            now = {cell: r for cell, r in latest.get(offer.id, {}).items() if cell in cells}
            moved = frozenset(changed.get(offer.id, set()) & cells)
            statuses.append(OfferStatus(offer, now, moved))
        return statuses

    def record(self, check_id: int) -> HistoryRecord | None:
        """One check, whole (its chain), by its id."""
        row = self._db.execute(
            f"SELECT {SELECT} FROM checks WHERE id = ?", (check_id,)
        ).fetchone()
        return row_to_record(row) if row else None

    # --- schedules and alerts --------------------------------------------------------

    def schedules(self, *, sandbox: bool = False) -> list[Schedule]:
        rows = self._db.execute(
            "SELECT s.offer_ref, s.every_h, s.next_due FROM schedules s "
            "JOIN offers o ON o.id = s.offer_ref WHERE o.sandbox = ? ORDER BY s.next_due",
            (int(sandbox),),
        )
        return [Schedule(ref, every_h, datetime.fromisoformat(due)) for ref, every_h, due in rows]

    def set_schedule(self, offer_refs: Iterable[int], every_h: int | None, now: datetime) -> None:
        """Re-check the offers every `every_h` hours, the first time at `now`; None: never."""
        refs = list(offer_refs)
        with self._db:
            if every_h is None:
                self._db.executemany("DELETE FROM schedules WHERE offer_ref = ?",
                                     [(ref,) for ref in refs])  # fmt: skip
                return
            self._db.executemany(
                "INSERT INTO schedules (offer_ref, every_h, next_due) VALUES (?, ?, ?) "
                "ON CONFLICT (offer_ref) DO UPDATE SET every_h = excluded.every_h, "
                "next_due = MIN(next_due, excluded.next_due)",
                [(ref, every_h, now.isoformat()) for ref in refs],
            )

    def ran(self, schedules: Iterable[Schedule], now: datetime) -> None:
        """The next due time of offers that just ran: one interval from now."""
        with self._db:
            self._db.executemany(
                "UPDATE schedules SET next_due = ? WHERE offer_ref = ?",
                [(s.after_run(now).next_due.isoformat(), s.offer_ref) for s in schedules],
            )

    def apply_sync(self, entries: Iterable[tuple[str, Offer]], *, sandbox: bool = False) -> None:
        """A sync accepted: each (action, offer) saved in one transaction: new offers
        added, changed ones updated (their expectations kept), gone ones marked with the
        platform's status and their schedules stopped. Nothing is ever deleted."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for action, offer in entries:
                if action != "gone":
                    self._save(offer, sandbox)
                if action == "new":
                    continue  # the insert wrote where it came from
                self._db.execute(
                    "UPDATE offers SET source = ?, platform_status = ?, synced_at = ? "
                    "WHERE id = ?",
                    (offer.source, offer.platform_status, offer.synced_at, offer.id),
                )
                if action == "gone":
                    self._db.execute("DELETE FROM schedules WHERE offer_ref = ?", (offer.id,))

    def never_auto_pause(self) -> set[int]:
        """The offers the auto-pause rule must leave alone."""
        return {row[0] for row in self._db.execute(
            "SELECT id FROM offers WHERE never_auto_pause = 1")}  # fmt: skip

    def set_never_auto_pause(self, offer_ref: int, never: bool) -> None:
        with self._db:
            self._db.execute("UPDATE offers SET never_auto_pause = ? WHERE id = ?",
                             (int(never), offer_ref))  # fmt: skip

    def set_platform_status(self, offer_ref: int, status: str) -> None:
        with self._db:
            self._db.execute("UPDATE offers SET platform_status = ? WHERE id = ?",
                             (status, offer_ref))  # fmt: skip

    def alert_states(self) -> dict[int, AlertState]:
        rows = self._db.execute("SELECT offer_ref, broken, passes FROM alerts")
        return {ref: AlertState(bool(broken), passes) for ref, broken, passes in rows}

    def save_alert_states(self, states: dict[int, AlertState]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT INTO alerts (offer_ref, broken, passes) VALUES (?, ?, ?) "
                "ON CONFLICT (offer_ref) DO UPDATE SET broken = excluded.broken, "
                "passes = excluded.passes",
                [(ref, int(state.broken), state.passes) for ref, state in states.items()],
            )
