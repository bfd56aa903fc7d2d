"""Who is running a pending check: every process that queues checks marks them with its
token and holds a lock named by it for as long as it lives. A check whose owner's lock
can be taken was left by a process that is gone (a crash, a kill, a power cut): that,
and only that, is a leftover. Two runs on one data folder never take each other's live
checks for leftovers.

The lock is an exclusive transaction on a small SQLite file in the data folder's
`runs/`: the OS releases it the moment the process ends, however it ends, on every OS
SQLite runs on (no process ids, which Windows reuses and cannot probe with a signal).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from pathlib import Path

from affilitest_gui.paths import make_private_folder

RUNS_FOLDER = "runs"


class RunOwner:
    """This process's token, and the lock that says it is alive."""

    def __init__(self, data_folder: Path) -> None:
        self.folder = data_folder / RUNS_FOLDER
        make_private_folder(self.folder)
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._path = self.folder / f"{self.token}.lock"
        self._lock = sqlite3.connect(str(self._path), isolation_level=None,
                                     check_same_thread=False)  # fmt: skip
        self._lock.execute("BEGIN EXCLUSIVE")

    def close(self) -> None:
        """The process is done with its checks: let the lock go and remove its file."""
        with contextlib.suppress(sqlite3.Error):
            self._lock.execute("ROLLBACK")
        self._lock.close()
        _remove(self._path)


def owner_alive(folder: Path, token: str) -> bool:
    """Whether the process that holds `token` is still running (on this computer or
    another one sharing nothing but this folder: the lock is the file's)."""
    path = folder / RUNS_FOLDER / f"{token}.lock"
    if not path.exists():
        return False
    probe = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # "database is locked": its owner holds it
        return True
    finally:
        probe.close()
    _remove(path)  # its owner is gone: the file is left over too
    return False


def _remove(lock: Path) -> None:
    for path in (lock, Path(f"{lock}-journal")):
        with contextlib.suppress(OSError):
            path.unlink()
