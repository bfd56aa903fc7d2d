"""Opening the history file without writing to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_read_only(path: Path) -> sqlite3.Connection:
    """A connection that writes nothing: in a folder that cannot be written, SQLite may
    not make the WAL's index, so the file is then read as it is on disk (immutable)."""
    if not path.exists():
        raise sqlite3.OperationalError(f"unable to open database file {path}")
    uri = path.resolve().as_uri()
    for mode in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"{uri}?{mode}", uri=True)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            db.close()
            continue
        db.execute("PRAGMA query_only=ON")
        return db
    raise sqlite3.OperationalError(f"unable to open database file {path}")
