"""A windowed start has no console: on Windows (as under pythonw) `sys.stdout` and
`sys.stderr` are None, so every print, the crash hook and the log's handler would raise
or drop their lines. `ensure_streams` points a missing stream at a log file in the data
folder's `logs/` before anything writes to it. No Qt here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from affilitest_gui.paths import make_private_folder

LOG_FOLDER = "logs"
LOG_NAME = "affilitest-gui.log"
LOG_MAX_BYTES = 1_000_000  # then the file is kept as .1 and a new one begins


def log_file(data_folder: Path) -> Path:
    return data_folder / LOG_FOLDER / LOG_NAME


def ensure_streams(data_folder: Path) -> Path | None:
    """Give a missing stdout/stderr a home; the log file used, or None if both exist.

    A folder that cannot be written (read-only, full) gets the null device instead: a
    start must never fail for want of a log."""
    if sys.stdout is not None and sys.stderr is not None:
        return None
    path = log_file(data_folder)
    handle: TextIO
    try:
        make_private_folder(path.parent)
        if path.exists() and path.stat().st_size > LOG_MAX_BYTES:
            path.replace(path.with_name(LOG_NAME + ".1"))
        handle = path.open("a", encoding="utf-8", errors="backslashreplace", buffering=1)
    except OSError:
        handle = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives with the process
        path = Path(os.devnull)
    if sys.stdout is None:
        sys.stdout = handle
    if sys.stderr is None:
        sys.stderr = handle
    return path
