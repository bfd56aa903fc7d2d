"""Where the app keeps its data: the OS's per-user data folder, or $AFFILITEST_DATA_DIR."""

from __future__ import annotations

import os
import sys
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


def resource_path(name: str) -> Path:
    """A file of the top-level resources/ folder, from source or in a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root / "resources" / name
