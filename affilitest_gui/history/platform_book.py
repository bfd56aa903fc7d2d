"""The network platforms in the history file: each saved connection (no key: that stays
in the keyring or the environment) and the audit log of every write to a platform
(when, which offer, old and new status, the platform's answer, by hand or by rule)."""

from __future__ import annotations

import csv
import dataclasses
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from affilitest_gui.history.export import written_whole
from affilitest_gui.judging.records import now_text
from affilitest_gui.networks.connections import Connection
from affilitest_gui.offers.auto_pause import PauseRule
from affilitest_gui.offers.spreadsheet import spreadsheet_text


@dataclass(frozen=True)
class AuditEntry:
    source: str  # "affise:123"
    action: str  # "pause" | "resume"
    old_status: str
    new_status: str
    outcome: str  # the connector's WriteOutcome value: done, already, refused
    answer: str  # the platform's words
    offer_ref: int | None = None
    by_rule: bool = False
    at: str = ""
    id: int | None = None


_AUDIT_COLUMNS = (
    "id, at, offer_ref, source, action, old_status, new_status, outcome, answer, by_rule"
)


class PlatformBook:
    """Connections and the audit log, on the history's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def connection(self, platform: str) -> Connection | None:
        row = self._db.execute("SELECT settings FROM connections WHERE platform = ?",
                               (platform,)).fetchone()  # fmt: skip
        if row is None:
            return None
        settings = json.loads(row[0])
        for name in ("countries", "devices"):
            settings[name] = tuple(settings.get(name, ()))
        known = {f.name for f in dataclasses.fields(Connection)}
        return Connection(**{k: v for k, v in settings.items() if k in known})

    def save_connection(self, connection: Connection) -> None:
        settings = json.dumps({**dataclasses.asdict(connection),
                               "synced_at": self.last_synced(connection.platform)})  # fmt: skip
        with self._db:
            self._db.execute(
                "INSERT INTO connections (platform, settings) VALUES (?, ?) "
                "ON CONFLICT (platform) DO UPDATE SET settings = excluded.settings",
                (connection.platform, settings),
            )

    def last_synced(self, platform: str) -> str:
        """When `platform` was last synced (UTC, ISO 8601), "" never."""
        row = self._db.execute("SELECT settings FROM connections WHERE platform = ?",
                               (platform,)).fetchone()  # fmt: skip
        return str(json.loads(row[0]).get("synced_at", "")) if row else ""

    def mark_synced(self, platform: str, at: str) -> None:
        """Kept beside the connection's settings (not one of them)."""
        with self._db:
            self._db.execute(
                "UPDATE connections SET settings = json_set(settings, '$.synced_at', ?) "
                "WHERE platform = ?",
                (at, platform),
            )

    def log(self, entry: AuditEntry) -> AuditEntry:
        """Every write to a platform, the moment its answer came."""
        at = entry.at or now_text()
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO audit (at, offer_ref, source, action, old_status, new_status, "
                "outcome, answer, by_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at, entry.offer_ref, entry.source, entry.action, entry.old_status,
                 entry.new_status, entry.outcome, entry.answer, int(entry.by_rule)),
            )  # fmt: skip
        return dataclasses.replace(entry, at=at, id=cursor.lastrowid)

    def pause_rule(self) -> PauseRule:
        row = self._db.execute("SELECT settings FROM pause_rule WHERE id = 1").fetchone()
        if row is None:
            return PauseRule()
        known = {f.name for f in dataclasses.fields(PauseRule)}
        return PauseRule(**{k: v for k, v in json.loads(row[0]).items() if k in known})

    def save_pause_rule(self, rule: PauseRule) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO pause_rule (id, settings) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET settings = excluded.settings",
                (json.dumps(dataclasses.asdict(rule)),),
            )

    def pause_streaks(self) -> dict[int, int]:
        return dict(self._db.execute("SELECT offer_ref, broken_runs FROM pause_streaks"))

    def save_pause_streaks(self, streaks: dict[int, int]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT INTO pause_streaks (offer_ref, broken_runs) VALUES (?, ?) "
                "ON CONFLICT (offer_ref) DO UPDATE SET broken_runs = excluded.broken_runs",
                list(streaks.items()),
            )

    def auto_paused_since(self, since: str) -> int:
        """Pauses the rule made since `since` (UTC, ISO 8601): the daily cap's count."""
        return self._db.execute(
            "SELECT COUNT(*) FROM audit WHERE by_rule = 1 AND action = 'pause' AND at >= ?",
            (since,),
        ).fetchone()[0]

    def audit(self, offer_ref: int | None = None) -> list[AuditEntry]:
        """Oldest first; one offer's, or every entry."""
        where, params = ("", ()) if offer_ref is None else ("WHERE offer_ref = ?", (offer_ref,))
        rows = self._db.execute(f"SELECT {_AUDIT_COLUMNS} FROM audit {where} ORDER BY id", params)
        return [_entry(row) for row in rows]


def _entry(row: tuple) -> AuditEntry:
    id_, at, ref, source, action, old, new, outcome, answer, rule = row
    return AuditEntry(source=source, action=action, old_status=old, new_status=new,
                      outcome=outcome, answer=answer, offer_ref=ref, by_rule=bool(rule),
                      at=at, id=id_)  # fmt: skip


AUDIT_FIELDS = ("at", "source", "action", "old_status", "new_status", "outcome", "answer", "by")


def audit_row(entry: AuditEntry) -> dict[str, str]:
    """One audit entry as the command line prints it and the export writes it."""
    return {"at": entry.at, "source": entry.source, "action": entry.action,
            "old_status": entry.old_status, "new_status": entry.new_status,
            "outcome": entry.outcome, "answer": entry.answer,
            "by": "rule" if entry.by_rule else "hand"}  # fmt: skip


def export_audit(entries: list[AuditEntry], path: Path) -> int:
    """The audit log as CSV (UTF-8 with BOM; no cell can run as a formula), written
    whole or not at all; returns the rows written."""
    with written_whole(path) as part, part.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=AUDIT_FIELDS)
        writer.writeheader()
        for entry in entries:
            writer.writerow({k: spreadsheet_text(v) for k, v in audit_row(entry).items()})
    return len(entries)
