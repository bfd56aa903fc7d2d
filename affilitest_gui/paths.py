"""Where the app keeps its data: the OS's per-user data folder, or $AFFILITEST_DATA_DIR."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

DATA_DIR_VARIABLE = "AFFILITEST_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) if location else Path.home() / ".affilitest-gui"


def history_path() -> Path:
    return data_dir() / "history.sqlite3"
