"""The main window: check form, progress, results log, key setup and error dialogs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui import APP_NAME, __version__
from affilitest_gui.api.catalog import Action, describe
from affilitest_gui.api.client import DEFAULT_BASE_URL
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.api.support import support_report
from affilitest_gui.engine.events import (
    BatchIdle,
    BatchPaused,
    ItemEvent,
    ItemState,
    RateLimitPause,
)
from affilitest_gui.engine.throttle import ThrottleState
from affilitest_gui.history.export import export_csv
from affilitest_gui.history.records import HistoryRecord, record_for
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.keystore import KeyStore
from affilitest_gui.sandbox import RunningSandbox
from affilitest_gui.ui.app_info_panel import AppInfoPanel
from affilitest_gui.ui.check_form import CheckForm
from affilitest_gui.ui.error_dialog import ErrorDialog
from affilitest_gui.ui.key_dialog import KeyDialog, LoginDialog
from affilitest_gui.ui.msgbox import show_message
from affilitest_gui.ui.progress_panel import ProgressPanel
from affilitest_gui.ui.results_model import ResultsModel
from affilitest_gui.ui.results_panel import ResultsPanel
from affilitest_gui.ui.style import SANDBOX_BANNER_STYLE, WARNING_STYLE
from affilitest_gui.worker.calls import CallKind, CallOutcome
from affilitest_gui.worker.controller import WorkerController

VENDOR_URL = "https://affilitest.com"
SHOW_RESULTS_EVERY_MS = 120
SANDBOX_OFFERS = ("game", "broken", "loop", "meta")
ACCOUNT_CAUSES = ("auth", "forbidden")


class MainWindow(QMainWindow):
    """Owns no network code: every call goes through the WorkerController."""

    def __init__(
        self,
        controller: WorkerController,
        store: HistoryStore,
        keystore: KeyStore,
        settings: QSettings,
        *,
        start_sandbox: Callable[[], RunningSandbox],
        live_base_url: str = DEFAULT_BASE_URL,
        open_url: Callable[[str], object] = lambda url: QDesktopServices.openUrl(QUrl(url)),
    ) -> None:
        super().__init__()
        self.controller = controller
        self.store = store
        self.keystore = keystore
        self.settings = settings
        self._start_sandbox = start_sandbox
        self.live_base_url = live_base_url
        self.open_url = open_url
        self.sandbox: RunningSandbox | None = None
        self.api_key: str | None = None
        self.logged_in = False
        self.calls_left: int | None = None
        self.error_dialog: ErrorDialog | None = None
        self.key_dialog: KeyDialog | None = None
        self._failed_records: list[HistoryRecord] = []
        self._failure_example: AffiliTestError | None = None
        self._pause_cause: AffiliTestError | None = None
        # Results are stored the moment they arrive; the table takes them in batches, so
        # a fast batch does not repaint it once per result.
        self._unshown: list[HistoryRecord] = []
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_RESULTS_EVERY_MS)
        self._show_timer.timeout.connect(self.show_new_results)

        self.banner = QLabel("SANDBOX: offline demo server on this computer. Results are not real.")
        self.banner.setObjectName("sandboxBanner")
        self.banner.setStyleSheet(SANDBOX_BANNER_STYLE)
        self.banner.hide()
        self.form = CheckForm(settings)
        self.app_info = AppInfoPanel(controller)
        tabs = QTabWidget()
        tabs.addTab(self.form, "Check offers")
        tabs.addTab(self.app_info, "App info")
        self.progress = ProgressPanel()
        self.model = ResultsModel(store)
        self.results = ResultsPanel(self.model)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(tabs, 1)
        left_layout.addWidget(self.progress)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.results)
        self.splitter.setSizes([430, 970])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.calls_label = QLabel("Calls left: \u2014")
        self.mode_label = QLabel("")
        self.statusBar().addPermanentWidget(self.calls_label)
        self.statusBar().addPermanentWidget(self.mode_label)
        self._build_menus()
        self._connect()
        self._update_title()
        self.resize(1400, 860)
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # --- construction ----------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Run checks", self.form.submit, "Ctrl+R")
        self._action(file_menu, "Export &visible rows\u2026", self.export_visible, "Ctrl+E")
        self._action(file_menu, "Export &all rows\u2026", self.export_all, "Ctrl+Shift+E")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        account = self.menuBar().addMenu("&Account")
        self._action(account, "API &key\u2026", self.show_key_dialog, "Ctrl+K")
        self._action(account, "&Log in with email\u2026", self.show_login_dialog)
        self._action(account, "&Refresh calls left", self.refresh_calls_left, "F5")
        self._action(account, "Try the &sandbox", self.enable_sandbox)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About", self.show_about)

    def _action(
        self, menu: object, text: str, slot: Callable[[], object], shortcut: object = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[arg-type]
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    def _worker_links(self) -> list[tuple[SignalInstance, Callable[..., object]]]:
        worker = self.controller.worker
        return [
            (worker.item_event, self.on_item_event),
            (worker.batch_paused, self.on_batch_paused),
            (worker.batch_resumed, self.progress.resumed),
            (worker.rate_limited, self.on_rate_limited),
            (worker.batch_idle, self.on_batch_idle),
            (worker.throttle_changed, self.on_throttle),
        ]

    def _disconnect_worker(self) -> None:
        for signal, slot in self._worker_links():
            signal.disconnect(slot)

    def _connect(self) -> None:
        # Worker signals fire on worker threads: always queue them to the GUI thread.
        for signal, slot in self._worker_links():
            signal.connect(slot, Qt.ConnectionType.QueuedConnection)
        self.form.run_requested.connect(self.run_checks)
        self.progress.pause_requested.connect(self.controller.pause)
        self.progress.resume_requested.connect(self.resume)
        self.progress.cancel_requested.connect(self.controller.cancel)
        self.results.open_url.connect(self.open_url)
        self.results.rerun.connect(self.rerun)

    # --- start-up --------------------------------------------------------------------

    def start(self, *, sandbox: bool = False) -> None:
        """Load the key (or ask for it), or go straight to the sandbox."""
        if sandbox:
            self.enable_sandbox()
            return
        key = self.keystore.get()
        if key:
            self.use_key(key)
        else:
            self.show_key_dialog()

    def use_key(self, key: str) -> None:
        self.api_key = key
        self.controller.set_api_key(key)
        self._update_title()
        self.refresh_calls_left()

    def _update_title(self) -> None:
        if self.sandbox is not None:
            self.setWindowTitle(f"{APP_NAME} \u2014 SANDBOX")
            self.mode_label.setText("SANDBOX (offline demo)")
            self.mode_label.setStyleSheet(f"{WARNING_STYLE}; font-weight: bold")
        else:
            self.setWindowTitle(APP_NAME)
            signed_in = self.api_key is not None or self.logged_in
            self.mode_label.setText("Live: affilitest.com" if signed_in else "Not signed in")
            self.mode_label.setStyleSheet("")

    # --- the key, the login, the sandbox -------------------------------------------

    def show_key_dialog(self) -> None:
        if self.key_dialog is not None and self.key_dialog.isVisible():
            self.key_dialog.raise_()
            self.key_dialog.activateWindow()
            return
        dialog = KeyDialog(self.controller, self.keystore, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.key_saved.connect(self._key_saved)
        dialog.key_removed.connect(self._key_removed)
        dialog.sandbox_requested.connect(self.enable_sandbox)
        dialog.login_requested.connect(self.show_login_dialog)
        dialog.destroyed.connect(lambda: setattr(self, "key_dialog", None))
        self.key_dialog = dialog
        dialog.show()

    def _key_saved(self, key: str) -> None:
        self.disable_sandbox()
        self.use_key(key)
        if self._pause_cause is not None:
            self.progress.note("Key updated. Press Resume to continue the waiting checks.")

    def _key_removed(self) -> None:
        self.api_key = None
        self.controller.set_api_key(None)
        self.calls_left = None
        self.calls_label.setText("Calls left: \u2014")
        self._update_title()

    def show_login_dialog(self) -> None:
        dialog = LoginDialog(self.controller, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.logged_in.connect(self._logged_in)
        dialog.show()

    def _logged_in(self) -> None:
        self.disable_sandbox()
        self.api_key = None
        self.logged_in = True
        self._update_title()
        self.refresh_calls_left()
        if self._pause_cause is not None:
            self.progress.note("Logged in. Press Resume to continue the waiting checks.")

    def enable_sandbox(self) -> None:
        if self.sandbox is None:
            self.sandbox = self._start_sandbox()
        self.controller.set_base_url(self.sandbox.base_url)
        self.api_key = self.sandbox.keys["valid"]
        self.controller.set_api_key(self.api_key)
        self.banner.show()
        if not self.form.url_lines():
            offers = (f"{self.sandbox.base_url}/demo/offer/{name}" for name in SANDBOX_OFFERS)
            self.form.urls.setPlainText("\n".join(offers))
        self._update_title()
        self.refresh_calls_left()

    def disable_sandbox(self) -> None:
        if self.sandbox is None:
            return
        self.controller.set_base_url(self.live_base_url)
        self.sandbox.stop()
        self.sandbox = None
        self.banner.hide()
        self._update_title()

    # --- calls left ------------------------------------------------------------------

    def refresh_calls_left(self) -> None:
        self.controller.request(CallKind.CALLS_LEFT, self._calls_left_arrived)

    def _calls_left_arrived(self, outcome: CallOutcome) -> None:
        if outcome.error is not None:
            self.calls_label.setText("Calls left: ?")
            self.calls_label.setToolTip(describe(outcome.error).title)
            if outcome.error.kind in ACCOUNT_CAUSES:
                self.show_error(outcome.error)
            return
        self.calls_left = outcome.value
        shown = "?" if outcome.value is None else f"{outcome.value:,}"
        self.calls_label.setText(f"Calls left: {shown}")
        self.calls_label.setToolTip("")
        self.form.set_calls_left(outcome.value)

    # --- running checks --------------------------------------------------------------

    def run_checks(self, requests: list[CheckRequest]) -> None:
        """Checked on the GUI thread before queueing: credentials, budget."""
        if self.api_key is None and not self.logged_in:
            show_message(
                self, "Enter your API key first",
                "Checks need your AffiliTest API key (or a login).",
                icon=QMessageBox.Icon.Warning,
            )  # fmt: skip
            self.show_key_dialog()
            return
        if self.calls_left is not None and len(requests) > self.calls_left:
            show_message(
                self,
                "Not enough calls left",
                f"This batch needs {len(requests):,} calls; your account has "
                f"{self.calls_left:,} left.",
                icon=QMessageBox.Icon.Warning,
                informative="Checks past your budget will fail with \u201cno calls left\u201d.",
                confirm=f"Run all {len(requests):,} anyway",
                on_confirm=lambda: self._queue(requests),
            )
            return
        self._queue(requests)

    def _queue(self, requests: list[CheckRequest]) -> None:
        self.progress.add(len(requests))
        self.controller.submit(requests)

    def rerun(self, records: list[HistoryRecord]) -> None:
        self.run_checks([record.request for record in records])

    def resume(self) -> None:
        self._pause_cause = None
        self.progress.note("")
        self.controller.resume()

    # --- worker events ---------------------------------------------------------------

    @Slot(object)
    def on_item_event(self, event: ItemEvent) -> None:
        if event.state is ItemState.RETRYING:
            reason = describe(event.error).title if event.error else event.reason
            wait = f" in {event.wait_s:.0f} s" if event.wait_s else ""
            self.progress.note(
                f"Trying {event.request.url} again{wait} ({reason}; attempt {event.attempt + 1})."
            )
            return
        if not event.state.is_terminal:
            return
        record = record_for(
            event.request,
            result=event.result,
            error=event.error,
            attempts=event.attempt,
            sandbox=self.sandbox is not None,
        )
        stored = self.store.add(record)  # committed before anything else happens
        self._unshown.append(stored)
        if not self._show_timer.isActive():
            self._show_timer.start()
        self.progress.finished_one(failed=event.state is ItemState.FAILED)
        if event.state is ItemState.FAILED and event.error is not None:
            self._failed_records.append(stored)
            self._failure_example = self._failure_example or event.error

    def show_new_results(self) -> None:
        """Put the results stored since the last call into the table."""
        records, self._unshown = self._unshown, []
        self.model.add(records)

    @Slot(object)
    def on_batch_paused(self, event: BatchPaused) -> None:
        if event.cause is None:
            self.progress.paused("Paused. Press Resume to go on.")
            return
        self._pause_cause = event.cause
        explained = describe(event.cause)
        self.progress.paused(f"Paused: {explained.title}. The waiting checks are kept.")
        self.show_error(event.cause)

    @Slot(object)
    def on_rate_limited(self, event: RateLimitPause) -> None:
        self.progress.note(f"AffiliTest asked us to slow down; waiting {event.seconds:.0f} s.")

    @Slot(object)
    def on_throttle(self, state: ThrottleState) -> None:
        self.progress.show_throttle(state)

    @Slot(object)
    def on_batch_idle(self, event: BatchIdle) -> None:
        self.show_new_results()
        self.progress.idle(event.cancelled)
        self.refresh_calls_left()
        if self._failure_example is not None:
            self.show_error(self._failure_example, retry=self._failed_records)
        self._failed_records = []
        self._failure_example = None

    # --- errors ----------------------------------------------------------------------

    def show_error(
        self, error: AffiliTestError, retry: list[HistoryRecord] | None = None
    ) -> ErrorDialog | None:
        """One dialog at a time: a second cause while one is open is not stacked."""
        if self.error_dialog is not None and self.error_dialog.isVisible():
            return None
        secrets = [self.api_key] if self.api_key else []
        dialog = ErrorDialog(describe(error), support_report(error, secrets=secrets), self)
        dialog.action_requested.connect(lambda action: self.act(action, retry or []))
        dialog.destroyed.connect(lambda: setattr(self, "error_dialog", None))
        self.error_dialog = dialog
        dialog.show()
        return dialog

    def act(self, action: Action, retry: list[HistoryRecord]) -> None:
        if action is Action.ENTER_KEY:
            self.show_key_dialog()
        elif action is Action.LOGIN:
            self.show_login_dialog()
        elif action in (Action.VERIFY_ACCOUNT, Action.CHECK_PAYMENT):
            self.open_url(VENDOR_URL)
        elif action is Action.RETRY:
            if retry:
                self.rerun(retry)
            elif self._pause_cause is None:
                self.refresh_calls_left()
        elif action is Action.FIX_INPUT:
            self.form.urls.setFocus()

    # --- export ----------------------------------------------------------------------

    def export_visible(self) -> None:
        self._export(visible_only=True)

    def export_all(self) -> None:
        self._export(visible_only=False)

    def _export(self, *, visible_only: bool) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export results", str(Path.home() / "affilitest-results.csv"), "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path), visible_only=visible_only)

    def export_to(self, path: Path, *, visible_only: bool) -> int:
        text = self.model.filter_text if visible_only else ""
        count = export_csv(self.store.iter_all(text), path)
        self.statusBar().showMessage(f"Exported {count:,} rows to {path}", 8000)
        return count

    # --- about, quit -----------------------------------------------------------------

    def show_about(self) -> None:
        show_message(
            self, f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\nChecks affiliate offers through the AffiliTest API.\n"
            f"{self.keystore.info.sentence}\nSupport: Skype support.affilitest",
        )  # fmt: skip

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.form.remember()
        self.controller.shutdown()
        # The checks that were still queued come back as cancelled: record them now,
        # so the log shows what was not checked (and can re-run it) after a restart.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        self._disconnect_worker()
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
        event.accept()
