"""One account, one limit, across processes: the app, `affilitest-offers` run by the OS's
scheduler and `affilitest-check` share a log of sends in a small SQLite file of their
data folder, taken under SQLite's write lock, so that together they never send more
than the limit in any window. Wall-clock time: every process must read the same clock.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from affilitest_gui.api.limits import RateLimit
from affilitest_gui.engine.sharing import ShareMemory
from affilitest_gui.paths import make_private_folder

SEND_LOG_NAME = "sends.sqlite3"
SETUP_ATTEMPTS = 20


class SharedSendLog:
    """`take()` records a send if the window allows one, else says how long to wait."""

    def __init__(
        self, path: Path, rate: RateLimit, *, clock: Callable[[], float] = time.time
    ) -> None:
        make_private_folder(path.parent)
        self.rate = rate
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            str(path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._set_up()

    def _set_up(self) -> None:
        """Create the log; two processes starting at once may find it locked: retry."""
        for attempt in range(SETUP_ATTEMPTS):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS sends (at REAL NOT NULL)")
                self._db.execute("CREATE INDEX IF NOT EXISTS sends_at ON sends(at)")
                self._db.execute("CREATE TABLE IF NOT EXISTS share (id INTEGER PRIMARY KEY "
                                 "CHECK (id = 1), share REAL NOT NULL, changed_at REAL NOT "
                                 "NULL, cut_at REAL NOT NULL)")  # fmt: skip
                return
            except sqlite3.OperationalError:
                if attempt == SETUP_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def take(self) -> float:
        """0 if a send was recorded now; else the seconds until the window has room."""
        window = self.rate.effective_window_s
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # one writer at a time, every process
            try:
                now = self._clock()
                self._db.execute("DELETE FROM sends WHERE at <= ?", (now - window,))
                rows = self._db.execute(
                    "SELECT at FROM sends ORDER BY at DESC LIMIT ?", (self.rate.limit,)
                ).fetchall()
                if len(rows) < self.rate.limit:
                    self._db.execute("INSERT INTO sends (at) VALUES (?)", (now,))
                    return 0.0
                return max(rows[-1][0] + window - now, 1e-3)
            finally:
                self._db.execute("COMMIT")

    def load_share(self) -> ShareMemory | None:
        """Our share of the account's limit as the last process here left it."""
        with self._lock:
            row = self._db.execute("SELECT share, changed_at, cut_at FROM share").fetchone()
        return ShareMemory(*row) if row else None

    def save_share(self, memory: ShareMemory | None) -> None:
        """Keep (or, None, forget) the share for the next process of this data folder."""
        with self._lock:
            if memory is None:
                self._db.execute("DELETE FROM share")
                return
            self._db.execute(
                "INSERT INTO share (id, share, changed_at, cut_at) VALUES (1, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET share = excluded.share, changed_at = "
                "excluded.changed_at, cut_at = excluded.cut_at",
                (memory.share, memory.changed_at, memory.cut_at),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
