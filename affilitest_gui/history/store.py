"""The SQLite history: WAL, one commit per result, pages fetched on demand."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from affilitest_gui.history.records import HistoryRecord

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    id            INTEGER PRIMARY KEY,
    checked_at    TEXT NOT NULL,
    url           TEXT NOT NULL,
    country       TEXT NOT NULL,
    device        TEXT NOT NULL,
    preview_url   TEXT,
    outcome       TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    hops          TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    duration_s    REAL,
    error_key     TEXT,
    error_status  INTEGER,
    error_message TEXT,
    sandbox       INTEGER NOT NULL DEFAULT 0,
    search        TEXT NOT NULL DEFAULT ''
);
"""
_COLUMNS = (
    "id, checked_at, url, country, device, preview_url, outcome, verdict, hops, attempts, "
    "duration_s, error_key, error_status, error_message, sandbox"
)
# What the log can be sorted by: a name the UI knows -> an SQL expression.
SORT_KEYS = {
    "time": "id",
    "url": "url",
    "country": "country",
    "device": "device",
    "verdict": "verdict",
    "final_url": "final_url",
    "attempts": "attempts",
    "duration": "duration_s",
}


_INSERT = (
    "INSERT INTO checks (checked_at, url, country, device, preview_url, outcome, verdict, "
    "hops, final_url, attempts, duration_s, error_key, error_status, error_message, sandbox, "
    "search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _values(record: HistoryRecord) -> tuple[object, ...]:
    return (
        record.checked_at, record.url, record.country, record.device, record.preview_url,
        record.outcome, record.verdict, json.dumps([list(hop) for hop in record.hops]),
        record.final_url, record.attempts, record.duration_s, record.error_key,
        record.error_status, record.error_message, int(record.sandbox), search_text(record),
    )  # fmt: skip


def search_text(record: HistoryRecord) -> str:
    """The one lower-case text the filter box searches."""
    return " ".join(
        (record.url, record.final_url, record.verdict, record.country, record.device)
    ).lower()


def matches(record: HistoryRecord, filter_text: str) -> bool:
    """The filter's rule in Python, for rows not read from the database: every word."""
    text = search_text(record)
    return all(word.lower() in text for word in filter_text.split())


def _row_to_record(row: tuple) -> HistoryRecord:
    (id_, checked_at, url, country, device, preview, outcome, verdict, hops, attempts,
     duration, error_key, error_status, error_message, sandbox) = row  # fmt: skip
    return HistoryRecord(
        id=id_,
        checked_at=checked_at,
        url=url,
        country=country,
        device=device,
        preview_url=preview,
        outcome=outcome,
        verdict=verdict,
        hops=tuple((hop_url, code) for hop_url, code in json.loads(hops)),
        attempts=attempts,
        duration_s=duration,
        error_key=error_key,
        error_status=error_status,
        error_message=error_message,
        sandbox=bool(sandbox),
    )


def _where(filter_text: str) -> tuple[str, list[str]]:
    words = filter_text.split()
    if not words:
        return "", []
    clauses, params = [], []
    for word in words:
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("search LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    return " WHERE " + " AND ".join(clauses), params


class HistoryStore:
    """One connection, used from one thread (the GUI's)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute("CREATE INDEX IF NOT EXISTS checks_verdict ON checks(verdict)")
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def add(self, record: HistoryRecord) -> HistoryRecord:
        """Store and commit at once: a crash right after loses nothing."""
        with self._db:
            cursor = self._db.execute(_INSERT, _values(record))
        return replace(record, id=cursor.lastrowid)

    def add_many(self, records: list[HistoryRecord]) -> None:
        """Bulk insert in one transaction (imports, benchmarks)."""
        with self._db:
            self._db.executemany(_INSERT, [_values(record) for record in records])

    def count(self, filter_text: str = "") -> int:
        where, params = _where(filter_text)
        return self._db.execute(f"SELECT COUNT(*) FROM checks{where}", params).fetchone()[0]

    def page(
        self,
        *,
        filter_text: str = "",
        sort: str = "time",
        descending: bool = True,
        offset: int = 0,
        limit: int = 500,
    ) -> list[HistoryRecord]:
        where, params = _where(filter_text)
        order = f"{SORT_KEYS[sort]} {'DESC' if descending else 'ASC'}, id DESC"
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM checks{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_row_to_record(row) for row in rows]

    def iter_all(self, filter_text: str = "") -> Iterator[HistoryRecord]:
        where, params = _where(filter_text)
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM checks{where} ORDER BY id DESC", params)
        for row in rows:
            yield _row_to_record(row)
