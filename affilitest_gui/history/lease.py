"""Who runs the schedules of a data folder: one scheduler at a time (the open app or
the headless watcher) holds a lease in the history file and renews it while it runs;
one that stops gives it back, one that dies loses it when it runs out, and the other
takes over. Thread-safe: its own connection behind a lock (the watcher renews it from
a timer while a long run goes on)."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

APP = "app"
WATCHER = "watcher"


def holder_name(kind: str) -> str:
    """This process's name as a lease holder: unique, and saying where it runs."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Lease:
    holder: str
    kind: str  # APP or WATCHER
    since: datetime
    expires: datetime

    @property
    def host(self) -> str:
        return self.holder.split(":")[1] if self.holder.count(":") >= 2 else ""

    def where(self) -> str:
        """ "on this computer", or "on HOST"."""
        here = self.host in ("", socket.gethostname())
        return "on this computer" if here else f"on {self.host}"


class SchedulerLease:
    """The `scheduler_lease` row of the history file."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def take(self, holder: str, kind: str, now: datetime, *, for_s: float) -> Lease:
        """Take (or renew) the lease when it is free, run out or already `holder`'s;
        returns who holds it now."""
        expires = (now + timedelta(seconds=for_s)).isoformat(timespec="seconds")
        stamp = now.isoformat(timespec="seconds")
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            row = self._db.execute(
                "SELECT holder, kind, since, expires FROM scheduler_lease WHERE id = 1"
            ).fetchone()
            if row is None or row[0] == holder or row[3] <= stamp:
                since = row[2] if row is not None and row[0] == holder else stamp
                self._db.execute(
                    "INSERT INTO scheduler_lease (id, holder, kind, since, expires) "
                    "VALUES (1, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET holder = "
                    "excluded.holder, kind = excluded.kind, since = excluded.since, "
                    "expires = excluded.expires",
                    (holder, kind, since, expires),
                )
                row = (holder, kind, since, expires)
        return Lease(row[0], row[1], datetime.fromisoformat(row[2]),
                     datetime.fromisoformat(row[3]))  # fmt: skip

    def release(self, holder: str) -> None:
        """Give the lease back (only `holder`'s own)."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM scheduler_lease WHERE holder = ?", (holder,))
