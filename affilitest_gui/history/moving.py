"""Windows: a history of versions before 0.2, in the Roaming AppData, copied once to the
local folder (verified; the old files left as they were)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from affilitest_gui.paths import (
    HISTORY_NAME,
    make_private_file,
    make_private_folder,
    roaming_data_dir,
)


def move_roaming_history(local: Path, roaming: Path | None = None) -> Path | None:
    """Windows: copy a history from the Roaming folder to the local one, once, when the
    local one has none. SQLite's backup copies the file with its WAL consistently; the
    copy is kept only if it passes SQLite's whole-file check and holds the same number
    of checks. The Roaming files are not touched. Returns the copy, or None."""
    roaming = roaming if roaming is not None else roaming_data_dir()
    if roaming is None:
        return None
    old, new = roaming / HISTORY_NAME, local / HISTORY_NAME
    if not old.exists() or new.exists():
        return None
    make_private_folder(local)
    partial = local / (HISTORY_NAME + ".moving")
    source = sqlite3.connect(f"file:{old.as_posix()}?mode=ro", uri=True)
    target = sqlite3.connect(str(partial))
    try:
        source.backup(target)
        same = (source.execute("SELECT COUNT(*) FROM checks").fetchone()
                == target.execute("SELECT COUNT(*) FROM checks").fetchone())  # fmt: skip
        whole = target.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    except sqlite3.Error:
        same = whole = False
    finally:
        source.close()
        target.close()
    if not (same and whole):
        partial.unlink(missing_ok=True)
        return None
    partial.replace(new)
    make_private_file(new)
    return new
