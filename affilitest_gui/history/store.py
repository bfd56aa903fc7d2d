"""The SQLite history: WAL, one commit per result, pages fetched on demand.

The schema carries its version in `PRAGMA user_version`. Opening a file from an older
release migrates it step by step, each step in one transaction; a file from a newer
release is refused with a clear message and left untouched.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from affilitest_gui.history.records import HistoryRecord

SCHEMA_VERSION = 2
_CREATE_V1 = """
CREATE TABLE checks (
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
CREATE INDEX checks_verdict ON checks(verdict);
"""
# Error keys whose message is the app's own description, not the server's words.
_OBSERVED_BY_APP = ("network", "network_after_send", "tls", "malformed", "unexpected")


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """v2: whether status codes were asked for, whether the error text is the server's,
    and an index that keeps live and sandbox rows apart."""
    db.execute("ALTER TABLE checks ADD COLUMN codes INTEGER NOT NULL DEFAULT 1")
    db.execute("ALTER TABLE checks ADD COLUMN error_from_server INTEGER NOT NULL DEFAULT 1")
    # v1 did not keep the codes flag: a chain with hops but not one code was asked without.
    rows = db.execute("SELECT id, hops FROM checks WHERE hops != '[]'").fetchall()
    without = [(id_,) for id_, hops in rows if all(code is None for _, code in json.loads(hops))]
    db.executemany("UPDATE checks SET codes = 0 WHERE id = ?", without)
    marks = ", ".join("?" * len(_OBSERVED_BY_APP))
    db.execute(
        f"UPDATE checks SET error_from_server = 0 WHERE error_key IN ({marks})", _OBSERVED_BY_APP
    )
    db.execute("CREATE INDEX checks_sandbox ON checks(sandbox, id)")


# MIGRATIONS[n] turns a version-n file into version n + 1.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}

_COLUMNS = (
    "id, checked_at, url, country, device, preview_url, codes, outcome, verdict, hops, "
    "attempts, duration_s, error_key, error_status, error_message, error_from_server, sandbox"
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
    "INSERT INTO checks (checked_at, url, country, device, preview_url, codes, outcome, "
    "verdict, hops, final_url, attempts, duration_s, error_key, error_status, error_message, "
    "error_from_server, sandbox, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?)"
)


class NewerDatabaseError(Exception):
    """The history file was written by a newer release of the app."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"The history file {path} was written by a newer version of AffiliTest GUI "
            f"(format {version}; this version reads up to {SCHEMA_VERSION}). It was not "
            "changed: update the app to open it."
        )
        self.path = path
        self.version = version


def _values(record: HistoryRecord) -> tuple[object, ...]:
    return (
        record.checked_at, record.url, record.country, record.device, record.preview_url,
        int(record.codes), record.outcome, record.verdict,
        json.dumps([list(hop) for hop in record.hops]), record.final_url, record.attempts,
        record.duration_s, record.error_key, record.error_status, record.error_message,
        int(record.error_from_server), int(record.sandbox), search_text(record),
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
    (id_, checked_at, url, country, device, preview, codes, outcome, verdict, hops, attempts,
     duration, error_key, error_status, error_message, from_server, sandbox) = row  # fmt: skip
    return HistoryRecord(
        id=id_,
        checked_at=checked_at,
        url=url,
        country=country,
        device=device,
        preview_url=preview,
        codes=bool(codes),
        outcome=outcome,
        verdict=verdict,
        hops=tuple((hop_url, code) for hop_url, code in json.loads(hops)),
        attempts=attempts,
        duration_s=duration,
        error_key=error_key,
        error_status=error_status,
        error_message=error_message,
        error_from_server=bool(from_server),
        sandbox=bool(sandbox),
    )


def _where(filter_text: str, sandbox: bool | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if sandbox is not None:
        clauses.append("sandbox = ?")
        params.append(int(sandbox))
    for word in filter_text.split():
        escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append("search LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class HistoryStore:
    """One connection, used from one thread (the GUI's).

    `sandbox` on the queries keeps live and sandbox rows apart (None: both).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path))
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise NewerDatabaseError(path, version)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._upgrade(version)

    def _upgrade(self, version: int) -> None:
        if version == 0:  # a new file: the first schema, then every step after it
            with self._db:
                self._db.executescript(_CREATE_V1)
                self._db.execute("PRAGMA user_version=1")
            version = 1
        while version < SCHEMA_VERSION:
            with self._db:  # one transaction per step: a crash leaves the old version
                MIGRATIONS[version](self._db)
                version += 1
                self._db.execute(f"PRAGMA user_version={version}")

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

    def count(self, filter_text: str = "", *, sandbox: bool | None = None) -> int:
        where, params = _where(filter_text, sandbox)
        return self._db.execute(f"SELECT COUNT(*) FROM checks{where}", params).fetchone()[0]

    def page(
        self,
        *,
        filter_text: str = "",
        sandbox: bool | None = None,
        sort: str = "time",
        descending: bool = True,
        offset: int = 0,
        limit: int = 500,
    ) -> list[HistoryRecord]:
        where, params = _where(filter_text, sandbox)
        order = f"{SORT_KEYS[sort]} {'DESC' if descending else 'ASC'}, id DESC"
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM checks{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_row_to_record(row) for row in rows]

    def iter_all(
        self, filter_text: str = "", *, sandbox: bool | None = None
    ) -> Iterator[HistoryRecord]:
        where, params = _where(filter_text, sandbox)
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM checks{where} ORDER BY id DESC", params)
        for row in rows:
            yield _row_to_record(row)
