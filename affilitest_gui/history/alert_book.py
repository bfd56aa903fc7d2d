"""The alerts' outbox and log in the history file: an alert waits here until its
channel takes it (retried with back-off, marked late, dropped after a day), and every
attempt's outcome is logged with the server's answer (never a secret: the channels
never put one in an answer)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from affilitest_gui.offers.alerts import EVERY_KIND, AlertKind, Notification, Severity


@dataclass(frozen=True)
class WaitingAlert:
    id: int
    channel: str
    note: Notification
    created_at: str
    attempts: int


@dataclass(frozen=True)
class AlertLogEntry:
    at: str
    channel: str
    state: str  # "sent" | "late" | "waiting" | "failed" | "dropped"
    summary: str
    answer: str


_KNOWN = {kind.value for kind in AlertKind}


class AlertBook:
    """The outbox and the alert log, on the history's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def post(self, channel: str, note: Notification, now: str) -> None:
        """An alert for `channel`, due at once."""
        with self._db:
            self._db.execute(
                "INSERT INTO outbox (channel, title, text, severity, created_at, next_try) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (channel, note.title, note.text, note.severity.name, now, now),
            )

    def due(self, now: str, *, claim_until: str) -> list[WaitingAlert]:
        """The alerts due now, claimed until `claim_until` (in one write transaction): a
        second process delivering the same outbox does not take them too; one that dies
        mid-way leaves them due again when the claim runs out."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            rows = self._db.execute(
                "SELECT id, channel, title, text, severity, created_at, attempts FROM outbox "
                "WHERE next_try <= ? ORDER BY id", (now,)).fetchall()  # fmt: skip
            self._db.executemany("UPDATE outbox SET next_try = ? WHERE id = ?",
                                 [(claim_until, row[0]) for row in rows])  # fmt: skip
        return [WaitingAlert(id_, channel, Notification(title, text, Severity[severity]),
                             created, attempts)
                for id_, channel, title, text, severity, created, attempts in rows]  # fmt: skip

    def waiting(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def settle(self, alert: WaitingAlert, entry: AlertLogEntry, *,
               retry_at: str | None = None) -> None:  # fmt: skip
        """An attempt's outcome logged; the alert stays for `retry_at`, else it leaves."""
        with self._db:
            self._db.execute(
                "INSERT INTO alert_log (at, channel, state, summary, answer) "
                "VALUES (?, ?, ?, ?, ?)",
                (entry.at, entry.channel, entry.state, entry.summary, entry.answer),
            )
            if retry_at is None:
                self._db.execute("DELETE FROM outbox WHERE id = ?", (alert.id,))
            else:
                self._db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, next_try = ? WHERE id = ?",
                    (retry_at, alert.id),
                )

    def choices(self) -> dict[str, frozenset[AlertKind]]:
        """What each channel gets; a channel never chosen for gets every kind."""
        rows = self._db.execute("SELECT channel, kinds FROM alert_choices")
        return {channel: frozenset(AlertKind(k) for k in kinds.split(",") if k in _KNOWN)
                for channel, kinds in rows}  # fmt: skip

    def kinds_for(self, channel: str) -> frozenset[AlertKind]:
        return self.choices().get(channel, EVERY_KIND)

    def save_choice(self, channel: str, kinds: frozenset[AlertKind]) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO alert_choices (channel, kinds) VALUES (?, ?) "
                "ON CONFLICT(channel) DO UPDATE SET kinds = excluded.kinds",
                (channel, ",".join(sorted(kind.value for kind in kinds))),
            )

    def log(self, newest: int | None = None) -> list[AlertLogEntry]:
        """Every attempt's outcome, oldest first (`newest`: only the last so many)."""
        rows = self._db.execute(
            "SELECT at, channel, state, summary, answer FROM (SELECT * FROM alert_log "
            "ORDER BY id DESC LIMIT ?) ORDER BY id", (-1 if newest is None else newest,))
        return [AlertLogEntry(*row) for row in rows]
