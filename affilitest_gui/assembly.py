"""Build the real main window from its parts: worker, history, key store, settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.keystore import KeyStore
from affilitest_gui.paths import history_path
from affilitest_gui.sandbox import RunningSandbox, start_sandbox
from affilitest_gui.ui.main_window import MainWindow
from affilitest_gui.worker.api_worker import ApiWorker
from affilitest_gui.worker.controller import WorkerController


def build_window(
    base_url: str,
    *,
    data_dir: Path | None = None,
    sandbox: Callable[[], RunningSandbox] = start_sandbox,
    **worker_options: Any,
) -> MainWindow:
    """The app's window. With `data_dir` (self-test, screenshots, benchmarks) the history
    and the settings live there instead of the user's data folder."""
    if data_dir is None:
        store, settings = HistoryStore(history_path()), QSettings()
    else:
        store = HistoryStore(data_dir / "history.sqlite3")
        settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    return MainWindow(
        WorkerController(ApiWorker(base_url, **worker_options)),
        store,
        KeyStore(),
        settings,
        start_sandbox=sandbox,
        live_base_url=base_url,
    )
