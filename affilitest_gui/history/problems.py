"""What went wrong with the history file or its folder, in words: damage is not the only
way a write fails. A full disk, a file in use by another program or a folder that cannot
be written each get their own sentence, and only real damage marks the file damaged."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from enum import Enum
from pathlib import Path

from affilitest_gui.paths import FolderNotMadeError

# What a call on the history (or its folder) may raise, for the layers above: they name
# these and never SQLite, which lives in history/ alone.
StorageError = sqlite3.Error
DatabaseError = sqlite3.DatabaseError
STORAGE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, OSError)


NO_ROOM_BYTES = 256 * 1024  # less free than this: a write that failed failed for room


class StorageProblem(Enum):
    DAMAGED = "damaged"
    FULL = "full"
    IN_USE = "in use"
    READ_ONLY = "read-only"
    NO_FOLDER = "no folder"
    OTHER = "other"


_BY_SQLITE_CODE = {
    sqlite3.SQLITE_CORRUPT: StorageProblem.DAMAGED,
    sqlite3.SQLITE_NOTADB: StorageProblem.DAMAGED,
    sqlite3.SQLITE_FULL: StorageProblem.FULL,
    sqlite3.SQLITE_BUSY: StorageProblem.IN_USE,
    sqlite3.SQLITE_LOCKED: StorageProblem.IN_USE,
    sqlite3.SQLITE_READONLY: StorageProblem.READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: StorageProblem.READ_ONLY,
    sqlite3.SQLITE_PERM: StorageProblem.READ_ONLY,
}
_BY_ERRNO = {
    errno.ENOSPC: StorageProblem.FULL,
    errno.EDQUOT: StorageProblem.FULL,
    errno.EROFS: StorageProblem.READ_ONLY,
    errno.EACCES: StorageProblem.READ_ONLY,
    errno.EPERM: StorageProblem.READ_ONLY,
}


def storage_problem(error: BaseException, folder: Path | None = None) -> StorageProblem:
    """Which problem an error of SQLite or of the file system is. `folder`: where the
    file is; SQLite says only "disk I/O error" when a full disk refuses its shared-memory
    file, so then the folder's free space decides."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == sqlite3.SQLITE_IOERR and _no_room(folder):
            return StorageProblem.FULL
        if code is not None:
            return _BY_SQLITE_CODE.get(code & 0xFF, StorageProblem.OTHER)
        text = str(error)
        if "malformed" in text or "not a database" in text:
            return StorageProblem.DAMAGED
        if "disk is full" in text:
            return StorageProblem.FULL
        if "locked" in text:
            return StorageProblem.IN_USE
        if "readonly" in text or "unable to open" in text:
            return StorageProblem.READ_ONLY
        return StorageProblem.OTHER
    if isinstance(error, FolderNotMadeError):
        return StorageProblem.NO_FOLDER
    if isinstance(error, OSError):
        return _BY_ERRNO.get(error.errno or 0, StorageProblem.OTHER)
    return StorageProblem.OTHER


def _no_room(folder: Path | None) -> bool:
    """The disk holding `folder` has (almost) no space left."""
    if folder is None:
        return False
    try:
        return shutil.disk_usage(folder).free < NO_ROOM_BYTES
    except OSError:
        return False


def problem_sentence(problem: StorageProblem, path: Path, error: BaseException) -> str:
    """One sentence that names the file or folder and what to do."""
    folder = path.parent
    if problem is StorageProblem.FULL:
        return (f"The disk holding {folder} is full: free some space, then finish the run "
                "(affilitest-offers run --only unfinished, or start the app).")  # fmt: skip
    if problem is StorageProblem.IN_USE:
        return (f"The history file {path} is in use by another program (a backup or sync "
                "tool, a database viewer): close it, then try again.")  # fmt: skip
    if problem is StorageProblem.READ_ONLY:
        return (f"The folder {folder} cannot be written to (read-only, or not yours): choose "
                "another with AFFILITEST_DATA_DIR, or make it writable.")  # fmt: skip
    if problem is StorageProblem.NO_FOLDER:
        reason = getattr(error, "strerror", None) or error
        return (f"The data folder {folder} cannot be created ({reason}): choose another "
                "with AFFILITEST_DATA_DIR, or create it yourself.")  # fmt: skip
    if problem is StorageProblem.DAMAGED:
        return f"Part of the history file {path} cannot be read ({error})."
    return f"The history file {path} could not be written ({error})."
