"""The SQLite history: WAL, one commit per result, pages fetched on demand.

The schema carries its version in `PRAGMA user_version`. Opening a file from an older
release migrates it step by step, each step in one transaction; a file from a newer
release is refused with a clear message and left untouched.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from affilitest_gui.history.alert_book import AlertBook
from affilitest_gui.history.columns import INSERT, SELECT, row_to_record, values
from affilitest_gui.history.files import open_read_only
from affilitest_gui.history.lease import SchedulerLease
from affilitest_gui.history.marks import Marks
from affilitest_gui.history.offer_book import OfferBook
from affilitest_gui.history.platform_book import PlatformBook
from affilitest_gui.history.queue import CheckQueue
from affilitest_gui.history.timeline import Timeline
from affilitest_gui.judging.records import HistoryRecord, judge_stored
from affilitest_gui.paths import check_local, make_private_file, make_private_folder

SCHEMA_VERSION = 5
WAL_ATTEMPTS = 20  # about 10 s in all
# Beside a history file a read failed on: the next opening checks the whole file first.
DAMAGED_MARK = ".damaged"
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


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run each statement of `script` inside the open transaction (`executescript`
    would commit it first, and a step that failed half-way would stay half done)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _create_v1(db: sqlite3.Connection) -> None:
    run_script(db, _CREATE_V1)


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





def _v2_to_v3(db: sqlite3.Connection) -> None:
    """v3: the watch list (offers), each check's health and reasons as columns (so the
    filters stay fast), compareToPreview's answer, and the offer a check was for."""
    run_script(db, _CREATE_OFFERS)
    db.execute("ALTER TABLE checks ADD COLUMN health TEXT NOT NULL DEFAULT 'ok'")
    db.execute("ALTER TABLE checks ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE checks ADD COLUMN preview_match INTEGER")
    db.execute("ALTER TABLE checks ADD COLUMN offer_ref INTEGER REFERENCES offers(id) "
               "ON DELETE SET NULL")  # fmt: skip
    db.execute("ALTER TABLE checks ADD COLUMN sends INTEGER NOT NULL DEFAULT 1")
    db.execute(
        "UPDATE checks SET preview_match = 0 WHERE verdict LIKE 'Misses the preview page%'"
    )
    db.execute("UPDATE checks SET preview_match = 1 WHERE verdict = 'Lands on the preview page'")
    # Judge every older row by the general rules, as a new one would be.
    rows = db.execute(
        "SELECT id, outcome, device, hops, duration_s, preview_match, error_key FROM checks"
    ).fetchall()
    updates = []
    for id_, outcome, device, hops, duration, match, error_key in rows:
        chain = tuple((url, code) for url, code in json.loads(hops))
        preview = None if match is None else bool(match)
        health, reasons = judge_stored(
            outcome, device=device, hops=chain, duration_s=duration, preview_match=preview,
            error_key=error_key,
        )
        label = " " + health.label.lower()  # the filter box finds rows by health
        updates.append((health.value, json.dumps(list(reasons)), label, id_))
    db.executemany(
        "UPDATE checks SET health = ?, reasons = ?, search = search || ? WHERE id = ?", updates
    )
    db.execute("CREATE INDEX checks_health ON checks(sandbox, health, id)")
    db.execute("CREATE INDEX checks_offer ON checks(offer_ref, country, device, id)")


_CREATE_OFFERS = """
CREATE TABLE offers (
    id         INTEGER PRIMARY KEY,
    offer_id   TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL,
    countries  TEXT NOT NULL,
    devices    TEXT NOT NULL,
    expects    TEXT NOT NULL DEFAULT '',
    sandbox    INTEGER NOT NULL DEFAULT 0,
    added_at   TEXT NOT NULL
);
CREATE INDEX offers_offer_id ON offers(sandbox, offer_id);
CREATE INDEX offers_url ON offers(sandbox, url);
-- Each offer's latest and previous answered check per country x device, kept by the
-- trigger as checks are stored, so the offers view reads 2 rows per cell, not them all.
CREATE TABLE offer_cells (
    offer_ref   INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    country     TEXT NOT NULL,
    device      TEXT NOT NULL,
    latest_id   INTEGER NOT NULL,
    previous_id INTEGER,
    PRIMARY KEY (offer_ref, country, device)
) WITHOUT ROWID;
-- Offers that check themselves, and what the last notification said of each.
CREATE TABLE schedules (
    offer_ref INTEGER PRIMARY KEY REFERENCES offers(id) ON DELETE CASCADE,
    every_h   INTEGER NOT NULL,
    next_due  TEXT NOT NULL
);
CREATE TABLE alerts (
    offer_ref INTEGER PRIMARY KEY REFERENCES offers(id) ON DELETE CASCADE,
    broken    INTEGER NOT NULL,
    passes    INTEGER NOT NULL
);
-- The durable queue: every check is written here before it is queued in memory, marked
-- `sent` (and its sends counted) before each request, and moved into `checks` in the
-- same transaction as its result.
CREATE TABLE pending (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL,
    country     TEXT NOT NULL,
    device      TEXT NOT NULL,
    preview_url TEXT,
    codes       INTEGER NOT NULL,
    offer_ref   INTEGER REFERENCES offers(id) ON DELETE SET NULL,
    sandbox     INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'queued',
    sends       INTEGER NOT NULL DEFAULT 0,
    queued_at   TEXT NOT NULL
);
CREATE TRIGGER checks_offer_cell AFTER INSERT ON checks
WHEN NEW.offer_ref IS NOT NULL AND NEW.outcome != 'cancelled'
BEGIN
    INSERT INTO offer_cells (offer_ref, country, device, latest_id)
    VALUES (NEW.offer_ref, NEW.country, NEW.device, NEW.id)
    ON CONFLICT (offer_ref, country, device)
    DO UPDATE SET previous_id = latest_id, latest_id = excluded.latest_id;
END;
"""

def _v3_to_v4(db: sqlite3.Connection) -> None:
    """v4: each pending check's owner, the process that will send it (`history.owners`):
    only checks whose owner is gone are leftovers of a crash."""
    db.execute("ALTER TABLE pending ADD COLUMN owner TEXT")


def _v4_to_v5(db: sqlite3.Connection) -> None:
    """v5: offers synced from a network platform (their source, the platform's status,
    when), the connections (no key: that stays in the keyring), and the audit log of
    every write to a platform."""
    run_script(db, _CREATE_V5)


_CREATE_V5 = """
ALTER TABLE offers ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN platform_status TEXT NOT NULL DEFAULT '';
ALTER TABLE offers ADD COLUMN synced_at TEXT NOT NULL DEFAULT '';
CREATE INDEX offers_source ON offers(sandbox, source);
ALTER TABLE offers ADD COLUMN never_auto_pause INTEGER NOT NULL DEFAULT 0;
CREATE TABLE connections (
    platform TEXT PRIMARY KEY,
    settings TEXT NOT NULL
);
-- The auto-pause rule (one row) and each offer's broken runs in a row.
CREATE TABLE pause_rule (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL
);
CREATE TABLE pause_streaks (
    offer_ref   INTEGER PRIMARY KEY REFERENCES offers(id) ON DELETE CASCADE,
    broken_runs INTEGER NOT NULL
);
-- Alerts on their way to Slack, Teams or email, and what became of each attempt.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    title      TEXT NOT NULL,
    text       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_try   TEXT NOT NULL
);
CREATE TABLE alert_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    channel TEXT NOT NULL,
    state   TEXT NOT NULL,
    summary TEXT NOT NULL,
    answer  TEXT NOT NULL
);
-- What each channel gets (kinds, comma-separated); no row: everything.
CREATE TABLE alert_choices (
    channel TEXT PRIMARY KEY,
    kinds   TEXT NOT NULL
);
-- Small facts the schedules keep between runs and processes (the day's allowance, the
-- last daily summary, a platform's sync problem), as JSON.
CREATE TABLE marks (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The calls sent per day (UTC), each attempt counted as it leaves (the Schedule dialog's
-- chart); and the checks of an offer by time (its strip of recent runs).
CREATE TABLE call_days (
    day     TEXT NOT NULL,
    sandbox INTEGER NOT NULL,
    calls   INTEGER NOT NULL,
    PRIMARY KEY (day, sandbox)
) WITHOUT ROWID;
CREATE INDEX checks_offer_time ON checks(offer_ref, id);
-- Who runs the schedules of this data folder (the app or the watcher), until when.
CREATE TABLE scheduler_lease (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    holder  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    since   TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    offer_ref   INTEGER REFERENCES offers(id) ON DELETE SET NULL,
    source      TEXT NOT NULL,
    action      TEXT NOT NULL,
    old_status  TEXT NOT NULL,
    new_status  TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    answer      TEXT NOT NULL,
    by_rule     INTEGER NOT NULL DEFAULT 0
);
"""


# MIGRATIONS[n] turns a version-n file into version n + 1 (0: a new, empty file).
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _create_v1,
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
}


# What the log can be sorted by: a name the UI knows -> an SQL expression.
SORT_KEYS = {
    "time": "id",
    "url": "url",
    "country": "country",
    "device": "device",
    "verdict": "verdict",
    "health": "health",
    "final_url": "final_url",
    "attempts": "attempts",
    "duration": "duration_s",
}


def set_aside(path: Path) -> Path:
    """Rename a history file that cannot be opened (and its WAL files), so a new one can
    start while the old one is kept for support; returns its new name.

    All or nothing: a file another program holds cannot be renamed on Windows
    (PermissionError); then the files already renamed get their names back and the
    error is raised, so no new history starts beside half of an old one."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.stem}-unreadable-{stamp}{path.suffix}")
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", "-wal", "-shm", DAMAGED_MARK):
            old, new = Path(f"{path}{suffix}"), Path(f"{kept}{suffix}")
            if old.exists():
                old.rename(new)
                moved.append((old, new))
    except OSError:
        for old, new in reversed(moved):
            new.rename(old)
        raise
    return kept


class DamagedHistoryError(sqlite3.DatabaseError):
    """A whole-file check found damage (after a read failed on a damaged page)."""

    def __init__(self, detail: str) -> None:
        super().__init__("a check of the whole file found damaged pages")
        self.detail = detail  # SQLite's own words, for support


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

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """`read_only`: a folder this user cannot write (or a file another program
        holds): read what is there, write nothing, create nothing."""
        self.path = path
        if read_only:
            self._db = open_read_only(path)
            self.queue = CheckQueue(path, read_only=True)
            self.offers = OfferBook(self._db)
            self.platforms = PlatformBook(self._db)
            self.alerts = AlertBook(self._db)
            self.marks = Marks(self._db)
            self.timeline = Timeline(self._db)
            self._lease: SchedulerLease | None = None
            return
        check_local(path.parent)  # a network drive: refused before anything is written
        make_private_folder(path.parent)
        self._db = sqlite3.connect(str(path))
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise NewerDatabaseError(path, version)
            self._check_if_marked()
            self._db.execute("PRAGMA foreign_keys=ON")
            self._upgrade(version)
            self._probe()
            # Only once the file is known good: a file refused above keeps every byte.
            self._use_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            self._db.close()
            raise
        make_private_file(path)
        self.offers = OfferBook(self._db)
        self.platforms = PlatformBook(self._db)
        self.alerts = AlertBook(self._db)
        self.marks = Marks(self._db)
        self.timeline = Timeline(self._db)
        self.queue = CheckQueue(path)
        self._lease = None

    def _use_wal(self) -> None:
        """Switch a new file to WAL. The switch needs the file alone for a moment: when
        other processes open the same new file at once it may find it locked (SQLite
        does not wait there); it tries again briefly, and a file already switched by
        another process is left as it is."""
        for attempt in range(WAL_ATTEMPTS):
            try:
                mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
                if mode.lower() != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    @property
    def lease(self) -> SchedulerLease:
        """Who runs this folder's schedules (opened on first use: its own connection)."""
        if self._lease is None:
            self._lease = SchedulerLease(self.path)
        return self._lease

    @property
    def _mark(self) -> Path:
        return Path(f"{self.path}{DAMAGED_MARK}")

    def mark_damaged(self) -> None:
        """A read failed on a damaged page: the next opening checks every page (too
        slow to do on every start), and refuses the file if the damage is there."""
        self._mark.touch()

    def damage(self) -> str | None:
        """SQLite's whole-file check: its first finding, or None when the file is sound."""
        try:
            found = [row[0] for row in self._db.execute("PRAGMA quick_check(1)")]
        except sqlite3.DatabaseError as error:
            return str(error)
        return None if found == ["ok"] else found[0]

    def _check_if_marked(self) -> None:
        if not self._mark.exists():
            return
        found = self.damage()
        if found is not None:
            raise DamagedHistoryError(found)
        self._mark.unlink()  # sound after all (the damage was elsewhere, or repaired)

    def _probe(self) -> None:
        """Read a row of each table now, so a damaged file (or one whose tables do not
        match its version) is found here, before anything else starts, not mid-way."""
        self._db.execute(f"SELECT {SELECT} FROM checks LIMIT 1").fetchall()
        for table in ("offers", "offer_cells", "pending", "schedules", "alerts", "connections",
                      "audit", "pause_rule", "pause_streaks", "outbox", "alert_log",
                      "alert_choices", "marks", "scheduler_lease", "call_days"):  # fmt: skip
            self._db.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()

    def _upgrade(self, version: int) -> None:
        """Step by step, each step in one transaction (its tables, its rows and the new
        version number): a crash or a damaged page leaves the file as it was. Two
        processes opening a new file at once: the version is read again under the write
        lock, so the second goes on from where the first left it."""
        while version < SCHEMA_VERSION:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version < SCHEMA_VERSION:
                    MIGRATIONS[version](self._db)
                    version += 1
                    self._db.execute(f"PRAGMA user_version={version}")
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()

    def close(self) -> None:
        self.queue.close()
        if self._lease is not None:
            self._lease.close()
        self._db.close()

    def add(self, record: HistoryRecord) -> HistoryRecord:
        """Store and commit at once: a crash right after loses nothing."""
        with self._db:
            cursor = self._db.execute(INSERT, values(record))
        return replace(record, id=cursor.lastrowid)

    def add_many(self, records: list[HistoryRecord]) -> None:
        """Bulk insert in one transaction (imports, benchmarks)."""
        with self._db:
            self._db.executemany(INSERT, [values(record) for record in records])

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
            f"SELECT {SELECT} FROM checks{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [row_to_record(row) for row in rows]

    def iter_all(
        self, filter_text: str = "", *, sandbox: bool | None = None
    ) -> Iterator[HistoryRecord]:
        where, params = _where(filter_text, sandbox)
        rows = self._db.execute(f"SELECT {SELECT} FROM checks{where} ORDER BY id DESC", params)
        for row in rows:
            yield row_to_record(row)
