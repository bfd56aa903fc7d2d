"""Small facts the schedules keep between runs and between processes (the day's
allowance, the last daily summary, a platform's sync problem), each a JSON value under
a name, in the history file."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


class Marks:
    """Named JSON values on the history's connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def get(self, name: str) -> Any:
        """The value, or None when never set (or no longer readable)."""
        row = self._db.execute("SELECT value FROM marks WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None

    def set(self, name: str, value: Any) -> None:
        """`value` JSON-able; None forgets the mark."""
        with self._db:
            if value is None:
                self._db.execute("DELETE FROM marks WHERE name = ?", (name,))
                return
            self._db.execute(
                "INSERT INTO marks (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (name, json.dumps(value)),
            )
