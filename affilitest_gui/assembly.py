"""Build the real main window from its parts: worker, history, key store, settings,
the account session, the batch coordinator and the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from affilitest_gui.api.limits import API_RATE_LIMIT
from affilitest_gui.engine.shared_log import SEND_LOG_NAME, SharedSendLog
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.keystore import KeyStore
from affilitest_gui.paths import history_path
from affilitest_gui.session.account import AccountSession
from affilitest_gui.session.batches import BatchCoordinator
from affilitest_gui.session.scheduler import Scheduler, utc_now
from affilitest_gui.ui.main_window import MainWindow
from affilitest_gui.worker.api_worker import ApiWorker
from affilitest_gui.worker.controller import WorkerController

if TYPE_CHECKING:
    from affilitest_gui.history.rescue import ReadableCopy
    from affilitest_gui.sandbox import RunningSandbox


def _start_sandbox() -> RunningSandbox:
    """The sandbox, started (and imported, with requests) when sandbox mode is chosen."""
    from affilitest_gui.sandbox import start_sandbox  # noqa: PLC0415

    return start_sandbox()


def history_file(data_dir: Path | None) -> Path:
    """The history the window opens: the user's, or the one in `data_dir`."""
    return history_path() if data_dir is None else data_dir / "history.sqlite3"


def build_window(
    base_url: str,
    *,
    data_dir: Path | None = None,
    sandbox: Callable[[], RunningSandbox] | None = None,
    keystore: KeyStore | None = None,
    open_url: Callable[[str], object] | None = None,
    clock: Callable[[], datetime] = utc_now,
    read_only: ReadableCopy | None = None,
    **worker_options: Any,
) -> MainWindow:
    """The app's window. With `data_dir` (tests, self-test, screenshots, benchmarks) the
    history and the settings live there instead of the user's data folder; `clock` is
    the schedules' (tests move it); `read_only`: show this copy of a history that could
    not be opened, and change nothing."""
    history = history_file(data_dir)
    store = HistoryStore(history if read_only is None else read_only.path)
    if data_dir is None:
        settings = QSettings()
    else:
        settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    folder = history.parent
    rate = worker_options.get("rate", API_RATE_LIMIT)
    send_log = SharedSendLog(folder / SEND_LOG_NAME, rate)  # shared with the CLI twins
    worker = ApiWorker(base_url, journal=store.queue, send_log=send_log, **worker_options)
    controller = WorkerController(worker)
    sandbox = sandbox or _start_sandbox
    account = AccountSession(
        controller, keystore or KeyStore(), live_base_url=base_url, start_sandbox=sandbox
    )
    batches = BatchCoordinator(controller, store, account)
    scheduler = Scheduler(batches, store.offers, clock=clock)
    extra: dict[str, Any] = {"open_url": open_url} if open_url is not None else {}
    if read_only is not None:
        extra["read_only"] = read_only.summary()
    try:
        window = MainWindow(account, batches, scheduler, controller, settings, **extra)
    except Exception:
        controller.shutdown()  # never leave the worker's thread running behind an error
        store.close()
        raise
    for part in (account, batches, scheduler, controller):
        part.setParent(window)
    return window
