"""Where the app keeps its data: the OS's per-user data folder, or $AFFILITEST_DATA_DIR.

No Qt here: the command-line twins open the same database as the app. The folder is
the one Qt's QStandardPaths.AppDataLocation names (a test holds them equal).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from affilitest_gui import APP_NAME, ORGANIZATION

DATA_DIR_VARIABLE = "AFFILITEST_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override)
    return _platform_data_root() / ORGANIZATION / APP_NAME


def _platform_data_root() -> Path:
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")


def history_path() -> Path:
    return data_dir() / "history.sqlite3"


def resource_path(name: str) -> Path:
    """A file of the top-level resources/ folder, from source or in a frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root / "resources" / name
