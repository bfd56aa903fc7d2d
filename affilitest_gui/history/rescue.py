"""A readable copy of a history file that cannot be opened where it is (damaged, or
locked by another program). The original is only read, never changed.

The file is copied byte for byte (with its WAL). When the copy opens and every page
checks out, every row is in it. When not, what can still be read is carried over,
table by table and row by row, stepping over damaged pages, into a new file of the
same format version.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from affilitest_gui.history.store import DamagedHistoryError, HistoryStore
from affilitest_gui.words import plural

COPIES_FOLDER = "read-only copies"  # beside the history file
COPIED_NAME = "copied.sqlite3"
RESCUED_NAME = "rescued.sqlite3"
_LAST_ROWID = 2**63 - 1


class NothingReadableError(Exception):
    """Not one table of the file could be read: there is nothing to show."""


@dataclass(frozen=True)
class ReadableCopy:
    """A copy that opens, in a folder of its own (deleted by `discard`)."""

    path: Path
    complete: bool  # False: some rows sat on damaged pages and are missing
    checks: int
    offers: int

    def summary(self) -> str:
        found = f"{plural(self.checks, 'check')} and {plural(self.offers, 'offer')}"
        if self.complete:
            return f"the whole file, {found}"
        return f"{found} could be read; the rest of the file is damaged"

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def readable_copy(original: Path, folder: Path | None = None) -> ReadableCopy:
    """Copy `original` into `folder` and open it. By default the folder is a new one in
    COPIES_FOLDER beside the file; copies left there by an app that was killed are
    removed first.

    Raises NothingReadableError when nothing can be read; NewerDatabaseError when the
    file is from a newer release (a copy would not help)."""
    if folder is None:
        copies = original.parent / COPIES_FOLDER
        for left in copies.glob("*"):  # in use elsewhere (Windows): stays, and is skipped
            shutil.rmtree(left, ignore_errors=True)
        copies.mkdir(exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=copies))
    folder.mkdir(parents=True, exist_ok=True)
    copied = folder / COPIED_NAME
    for suffix in ("", "-wal"):  # the -shm index is rebuilt from the WAL
        source = Path(f"{original}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{copied}{suffix}")
    try:
        return _opened(copied, complete=True)
    except sqlite3.DatabaseError:
        pass
    rescued = folder / RESCUED_NAME
    complete = _carry_over(copied, rescued)
    try:
        return _opened(rescued, complete=complete)
    except sqlite3.DatabaseError as error:  # the rows came, but not the tables this app needs
        raise NothingReadableError(str(error)) from error


def _opened(path: Path, *, complete: bool) -> ReadableCopy:
    """Open with the app's store (which upgrades an older copy), check every page (a
    damaged one may lie past what opening reads), and count what is there."""
    store = HistoryStore(path)
    try:
        found = store.damage()
        if found is not None:
            raise DamagedHistoryError(found)
        offers = sum(len(store.offers.all(sandbox=sandbox)) for sandbox in (False, True))
        return ReadableCopy(path, complete, store.count(), offers)
    finally:
        store.close()


def _carry_over(damaged: Path, rescued: Path) -> bool:
    """Every readable row of `damaged` into a new file `rescued` with the same schema and
    version; True when nothing was missed."""
    source = sqlite3.connect(f"{damaged.resolve().as_uri()}?mode=ro", uri=True)  # %-escaped
    target = sqlite3.connect(rescued)
    try:
        try:
            version = source.execute("PRAGMA user_version").fetchone()[0]
            schema = source.execute(
                "SELECT type, name, sql FROM sqlite_master "
                "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        except sqlite3.DatabaseError as error:
            raise NothingReadableError(str(error)) from error
        tables = [(name, sql) for kind, name, sql in schema if kind == "table"]
        complete = True
        with target:
            for name, sql in tables:
                target.execute(sql)
                complete &= _copy_rows(source, target, name)
            for kind, _name, sql in schema:  # indexes and triggers once the rows are in
                if kind in ("index", "trigger"):
                    target.execute(sql)
            target.execute(f"PRAGMA user_version={int(version)}")
        return complete
    finally:
        source.close()
        target.close()


def _copy_rows(source: sqlite3.Connection, target: sqlite3.Connection, table: str) -> bool:
    """Copy the rows of `table` that can be read; True when all of them could."""
    quoted = '"' + table.replace('"', '""') + '"'
    try:
        columns = [row[1] for row in source.execute(f"PRAGMA table_info({quoted})")]
    except sqlite3.DatabaseError:
        return False
    names = ", ".join('"' + column.replace('"', '""') + '"' for column in columns)
    insert = f"INSERT INTO {quoted} (rowid, {names}) VALUES ({', '.join('?' * (len(columns) + 1))})"
    try:
        source.execute(f"SELECT rowid FROM {quoted} LIMIT 0")
    except sqlite3.OperationalError:  # WITHOUT ROWID: all of it or none
        try:
            rows = source.execute(f"SELECT {names} FROM {quoted}").fetchall()
        except sqlite3.DatabaseError:
            return False
        target.executemany(
            f"INSERT INTO {quoted} ({names}) VALUES ({', '.join('?' * len(columns))})", rows
        )
        return True
    read = f"SELECT rowid, {names} FROM {quoted} WHERE rowid > ? ORDER BY rowid"
    after, complete = -_LAST_ROWID - 1, True
    while after is not None:
        try:
            for row in source.execute(read, (after,)):
                target.execute(insert, row)
                after = row[0]
            return complete
        except sqlite3.DatabaseError:
            complete = False
            after = _past_damage(source, quoted, after)
    return False


def _past_damage(source: sqlite3.Connection, quoted: str, after: int) -> int | None:
    """The smallest rowid past `after` from which reading works again (galloping, then
    halving the gap), or None when nothing after it can be read."""

    def readable_after(rowid: int) -> bool:
        try:
            source.execute(
                f"SELECT rowid FROM {quoted} WHERE rowid > ? ORDER BY rowid LIMIT 1", (rowid,)
            ).fetchall()
        except sqlite3.DatabaseError:
            return False
        return True

    failed, step = after, 1
    while not readable_after(failed + step):
        failed += step
        step *= 2
        if failed + step > _LAST_ROWID:
            return None
    works = failed + step
    while works - failed > 1:
        middle = (failed + works) // 2
        if readable_after(middle):
            works = middle
        else:
            failed = middle
    return works
