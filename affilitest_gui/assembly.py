"""Build the real main window from its parts: worker, history, key store, settings,
the account session, the batch coordinator and the scheduler; and open it on the
user's history, asking what to do when that file cannot be opened."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from affilitest_gui.api.limits import API_RATE_LIMIT
from affilitest_gui.history.moving import move_roaming_history
from affilitest_gui.history.problems import (
    DatabaseError,
    StorageProblem,
    problem_sentence,
    storage_problem,
)
from affilitest_gui.history.rescue import NothingReadableError, ReadableCopy, readable_copy
from affilitest_gui.history.send_log import SEND_LOG_NAME, SharedSendLog
from affilitest_gui.history.store import (
    DamagedHistoryError,
    HistoryStore,
    NewerDatabaseError,
    set_aside,
)
from affilitest_gui.judging.records import utc_now
from affilitest_gui.keystore import KeyStore, KeyStoreFor, keystore_for
from affilitest_gui.paths import HISTORY_NAME, NetworkFolderError, history_path
from affilitest_gui.paths import data_dir as user_data_dir
from affilitest_gui.runs.planner import RunPlanner
from affilitest_gui.session.account import AccountSession
from affilitest_gui.session.alerts import AlertsSession
from affilitest_gui.session.batches import BatchCoordinator
from affilitest_gui.session.networks import NetworksSession
from affilitest_gui.session.offers import OffersSession
from affilitest_gui.session.scheduler import Scheduler
from affilitest_gui.ui.history_problem import HistoryChoice, ask_about_history
from affilitest_gui.ui.main_window import MainWindow
from affilitest_gui.worker.api_worker import ApiWorker
from affilitest_gui.worker.controller import WorkerController

if TYPE_CHECKING:
    from affilitest_gui.sandbox import RunningSandbox


def _start_sandbox() -> RunningSandbox:
    """The sandbox, started (and imported, with requests) when sandbox mode is chosen."""
    from affilitest_gui.sandbox import start_sandbox  # noqa: PLC0415

    return start_sandbox()


def history_file(data_dir: Path | None) -> Path:
    """The history the window opens: the user's, or the one in `data_dir`."""
    return history_path() if data_dir is None else data_dir / HISTORY_NAME


def build_window(
    base_url: str,
    *,
    window: MainWindow | None = None,
    data_dir: Path | None = None,
    sandbox: Callable[[], RunningSandbox] | None = None,
    keystore: KeyStore | None = None,
    open_url: Callable[[str], object] | None = None,
    clock: Callable[[], datetime] = utc_now,
    read_only: ReadableCopy | None = None,
    environ: Mapping[str, str] | None = None,
    keystores: KeyStoreFor = keystore_for,
    **worker_options: Any,
) -> MainWindow:
    """The app's window: `window` (already on screen, the app's start) or a new one,
    with the session attached. With `data_dir` (tests, self-test, screenshots,
    benchmarks) the history and the settings live there instead of the user's data
    folder; `clock` is the schedules' (tests move it); `read_only`: show this copy of a
    history that could not be opened, and change nothing; `environ`: where alert secrets
    may come from (the process's environment by default); `keystores`: where the
    platforms' keys and the alert channels' secrets are kept (the OS keyring)."""
    history = history_file(data_dir)
    store = HistoryStore(history if read_only is None else read_only.path)
    if window is None:
        if data_dir is None:
            settings = QSettings()
        else:
            settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, **({"open_url": open_url} if open_url else {}))
    rate = worker_options.get("rate", API_RATE_LIMIT)
    send_log = SharedSendLog(history.parent / SEND_LOG_NAME, rate)  # shared with the CLI twins
    planner = RunPlanner(store)
    worker = ApiWorker(base_url, before_send=planner.sending, record=planner.record_answer,
                       send_log=send_log, **worker_options)  # fmt: skip
    controller = WorkerController(worker)
    sandbox = sandbox or _start_sandbox
    account = AccountSession(
        controller, keystore or KeyStore(), live_base_url=base_url, start_sandbox=sandbox
    )
    batches = BatchCoordinator(controller, planner, account)
    watch_list = OffersSession(store.offers, account, platforms=store.platforms,
                               timeline=store.timeline)  # fmt: skip
    alerts = AlertsSession(controller, store, environ=environ, keystores=keystores)
    networks = NetworksSession(controller, store, watch_list, alerts, keystores=keystores)
    scheduler = Scheduler(batches, store, alerts, clock=clock, hold=networks.hold_checks)
    watch_list.changed.connect(scheduler.tick)  # a schedule set, an offer gone, a sync
    networks.synced.connect(lambda _said: scheduler.tick())
    summary = None if read_only is None else read_only.summary()
    try:
        window.attach(account, batches, scheduler, watch_list, networks=networks,
                      alerts=alerts, read_only=summary)  # fmt: skip
    except Exception:
        controller.shutdown()  # never leave the worker's thread running behind an error
        store.close()
        raise
    for part in (account, batches, scheduler, watch_list, networks, alerts, controller):
        part.setParent(window)
    return window


def open_window(
    base_url: str, *, interactive: bool, **options: Any
) -> tuple[MainWindow, ReadableCopy | None] | None:
    """`build_window`, and the read-only copy the window shows, if any.

    When the history cannot be opened: say why (on stderr too) and, with someone there
    to answer, offer a read-only copy of what can be read, or a new history (the old
    file is kept, renamed). None: quit."""
    if options.get("data_dir") is None:
        move_roaming_history(user_data_dir())  # Windows: once, from the Roaming folder
    try:
        return build_window(base_url, **options), None
    except (NewerDatabaseError, NetworkFolderError) as error:
        return _refuse(str(error), interactive)
    except OSError as error:  # a folder that cannot be made or written
        path = history_file(options.get("data_dir"))
        return _refuse(problem_sentence(storage_problem(error), path, error), interactive)
    except DatabaseError as error:  # damaged, or locked by another program
        problem = error
    path = history_file(options.get("data_dir"))
    kind = storage_problem(problem, path.parent)
    if kind in (StorageProblem.READ_ONLY, StorageProblem.FULL):
        return _refuse(problem_sentence(kind, path, problem), interactive)
    text = f"The history file {path} cannot be read ({problem}). It was not changed."
    sys.stderr.write(text + "\n")
    if isinstance(problem, DamagedHistoryError):
        sys.stderr.write(f"SQLite found: {problem.detail}\n")  # for support
    if not interactive:
        return None
    copy = _readable_copy(path)
    choices = [HistoryChoice.START_NEW]
    if copy is None:
        informative = "Nothing in it can be read, so there is no copy to look at."
    else:
        informative = f"A copy can be opened read-only: {copy.summary()}."
        choices.insert(0, HistoryChoice.OPEN_COPY)
    shown = options.get("window")
    if shown is not None:  # the question alone, not over a window that has no history yet
        shown.hide()
    choice = ask_about_history(text, informative, choices)
    if shown is not None and choice is not HistoryChoice.QUIT:
        shown.show()
    if copy is not None and choice is HistoryChoice.OPEN_COPY:
        return build_window(base_url, read_only=copy, **options), copy
    if copy is not None:
        copy.discard()
    if choice is HistoryChoice.START_NEW:
        try:
            kept = set_aside(path)
        except OSError as error:  # Windows: another program holds the file open
            _say_in_use(path, error)
            return None
        sys.stderr.write(f"The old history file is kept as {kept}.\n")
        return build_window(base_url, **options), None
    return None


def _refuse(text: str, interactive: bool) -> None:
    """Say why the app cannot start (on stderr too, and to a person there); quit."""
    sys.stderr.write(f"{text}\n")
    if interactive:
        ask_about_history(text, "", [])


def _say_in_use(path: Path, error: OSError) -> None:
    text = (
        f"The history file {path} is in use by another program, so it cannot be set "
        "aside to start a new one. Nothing was changed."
    )
    sys.stderr.write(f"{text} ({error.strerror or error})\n")
    ask_about_history(
        text,
        "Close the program that has it open (another AffiliTest GUI, affilitest-offers, "
        "a backup or sync tool, a database viewer), then start the app again.",
        [],
    )


def _readable_copy(path: Path) -> ReadableCopy | None:
    """A copy of what can be read (a wait cursor meanwhile: a big file takes a while)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return readable_copy(path)
    except (NothingReadableError, OSError):
        return None
    finally:
        QApplication.restoreOverrideCursor()
