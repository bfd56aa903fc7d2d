"""The main window: views and their wiring. The account and every batch belong to the
session layer (`AccountSession`, `BatchCoordinator`); the window shows them and passes
on what the user asks for.

The window paints in two steps: what is on screen at once (the form, the panes, menus)
is built first, from light modules; the log, the offers and the session's parts come
with `attach`, just after the first paint. So the views and dialogs behind them are
imported where they are first used (PLC0415 is off for this file)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui import APP_NAME, __version__
from affilitest_gui.api.catalog import Action, describe
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.vendor import SUPPORT_CONTACT, WEBSITE
from affilitest_gui.ui.check_form import CheckForm
from affilitest_gui.ui.msgbox import say_cannot_write, show_message
from affilitest_gui.ui.progress_panel import ProgressPanel
from affilitest_gui.ui.style import Tone, retone, set_banner, set_tone
from affilitest_gui.ui.tasks import spawn

if TYPE_CHECKING:
    from affilitest_gui.api.models import CheckRequest
    from affilitest_gui.engine.events import ItemEvent, RateLimitPause
    from affilitest_gui.history.problems import DatabaseError
    from affilitest_gui.history.repository import Repository
    from affilitest_gui.judging.records import HistoryRecord
    from affilitest_gui.keystore import StorageInfo
    from affilitest_gui.offers.model import Offer
    from affilitest_gui.session.account import AccountSession, AccountState
    from affilitest_gui.session.batches import BatchCoordinator
    from affilitest_gui.session.offers import OffersSession
    from affilitest_gui.session.progress import BatchProgress, BatchSummary
    from affilitest_gui.session.scheduler import Scheduler
    from affilitest_gui.ui.app_info_panel import AppInfoPanel
    from affilitest_gui.ui.error_dialog import ErrorDialog
    from affilitest_gui.ui.finishing_dialog import FinishingDialog
    from affilitest_gui.ui.key_dialog import KeyDialog, LoginDialog
    from affilitest_gui.ui.offers_view import OffersView
    from affilitest_gui.ui.quitting import QuitFlow
    from affilitest_gui.ui.recovery import Recovery
    from affilitest_gui.ui.results_model import ResultsModel
    from affilitest_gui.ui.results_panel import ResultsPanel
    from affilitest_gui.ui.schedules import SchedulesUi

LEFT_PANE_WIDTH = 400
LEFT_PANE_MIN = 300
DEFAULT_SIZE = (1400, 860)  # shrunk to the screen's free area where that is smaller


def _replace_tab(tabs: QTabWidget, index: int, widget: QWidget) -> None:
    """Put `widget` in the place of the tab's placeholder, the same tab staying current."""
    current = tabs.currentIndex()
    label = tabs.tabText(index)
    placeholder = tabs.widget(index)
    tabs.removeTab(index)
    placeholder.deleteLater()
    tabs.insertTab(index, widget, label)
    tabs.setCurrentIndex(current)


class MainWindow(QMainWindow):
    """Owns no network code and no batch logic: it shows the session and forwards requests."""

    account: AccountSession
    batches: BatchCoordinator
    scheduler: Scheduler
    quitting: QuitFlow
    recovery: Recovery
    store: Repository
    watch_list: OffersSession
    app_info: AppInfoPanel
    model: ResultsModel
    results: ResultsPanel
    offers_view: OffersView
    schedules: SchedulesUi

    def __init__(
        self,
        settings: QSettings,
        *,
        open_url: Callable[[str], object] = lambda url: QDesktopServices.openUrl(QUrl(url)),
    ) -> None:
        """What the first paint shows: the form, the panes, menus and status bar. The
        log, the offers and everything behind them come with `attach`, just after."""
        super().__init__()
        self.settings = settings
        self.open_url = open_url
        self.read_only: str | None = None
        self.error_dialog: ErrorDialog | None = None
        self.key_dialog: KeyDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self._attached = False

        self.banner = QLabel("SANDBOX: offline demo server on this computer. Results are not real.")
        self.banner.setObjectName("sandboxBanner")
        set_banner(self.banner)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.form = CheckForm(settings)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, "Check offers")
        self.tabs.addTab(QWidget(), "App info")
        self.progress = ProgressPanel()
        self.views = QTabWidget()
        self.views.setObjectName("views")
        self.views.addTab(QWidget(), "Results log")
        self.views.addTab(QWidget(), "Offers")
        left = QWidget()
        left.setMinimumWidth(LEFT_PANE_MIN)
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.tabs, 1)
        left_layout.addWidget(self.progress)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([LEFT_PANE_WIDTH, 1000])
        central = QWidget()
        self._central_layout = QVBoxLayout(central)
        self._central_layout.setContentsMargins(0, 0, 0, 0)
        self._central_layout.setSpacing(0)
        self._central_layout.addWidget(self.banner)
        self._central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.calls_label = QLabel("Calls left: \u2014")
        self.calls_label.setObjectName("callsLabel")
        self.mode_label = QLabel("")
        self.mode_label.setObjectName("modeLabel")
        self.statusBar().addPermanentWidget(self.calls_label)
        self.statusBar().addPermanentWidget(self.mode_label)
        self._build_menus()
        self.setWindowTitle(APP_NAME)
        available = self.screen().availableGeometry()
        self.resize(min(DEFAULT_SIZE[0], available.width()),
                    min(DEFAULT_SIZE[1], available.height()))  # fmt: skip
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self._fit_on_screen()

    def attach(
        self,
        account: AccountSession,
        batches: BatchCoordinator,
        scheduler: Scheduler,
        watch_list: OffersSession,
        *,
        read_only: str | None = None,
    ) -> None:
        """Bring in the session: the log, the offers, the app lookup, the tray, and
        the wiring. `read_only`: the history shown is a copy of one that could not be
        opened (the words say what the copy holds); nothing can be checked or changed."""
        from affilitest_gui.ui.app_info_panel import AppInfoPanel
        from affilitest_gui.ui.offers_view import OffersView
        from affilitest_gui.ui.results_model import ResultsModel
        from affilitest_gui.ui.results_panel import ResultsPanel
        from affilitest_gui.ui.schedules import SchedulesUi

        self.account = account
        self.batches = batches
        self.scheduler = scheduler
        from affilitest_gui.ui.quitting import QuitFlow
        from affilitest_gui.ui.recovery import Recovery

        self.quitting = QuitFlow(self)
        self.recovery = Recovery(self)
        # Cmd+Q, Dock -> Quit, log-out and restart reach the app as a Quit event: the
        # same path as File -> Quit, never refused by the close-to-tray choice.
        QApplication.instance().installEventFilter(self.quitting)
        self.store = batches.store
        self.read_only = read_only
        self.app_info = AppInfoPanel(account)
        _replace_tab(self.tabs, 1, self.app_info)
        self.model = ResultsModel(self.store)
        self.results = ResultsPanel(self.model)
        _replace_tab(self.views, 0, self.results)
        self.watch_list = watch_list
        self.offers_view = OffersView(watch_list)
        _replace_tab(self.views, 1, self.offers_view)
        self.schedules = SchedulesUi(self, scheduler, self.settings)
        self._attached = True
        self._connect()
        self._show_account(account.state)
        if read_only is not None:
            self._central_layout.insertWidget(1, self._read_only_banner(read_only))
            self.form.setEnabled(False)
            self.run_action.setEnabled(False)
            self.results.can_rerun = False
            self.offers_view.set_read_only()

    # --- construction ----------------------------------------------------------------

    def _fit_on_screen(self) -> None:
        """A size saved on a bigger screen is shrunk to this one's free area."""
        available = self.screen().availableGeometry()
        if self.width() > available.width() or self.height() > available.height():
            self.resize(min(self.width(), available.width()),
                        min(self.height(), available.height()))  # fmt: skip
            self.move(available.topLeft())

    def _read_only_banner(self, holds: str) -> QLabel:
        banner = QLabel(
            f"Read-only copy of your history ({holds}). Checks, imports and edits are off; "
            "your history file was not changed. To try it again, or to start a new "
            "history, quit and start the app again."
        )
        banner.setObjectName("readOnlyBanner")
        set_banner(banner)
        banner.setWordWrap(True)
        return banner

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.run_action = self._action(file_menu, "&Run checks", self.form.submit, "Ctrl+R")
        self._action(file_menu, "Export &visible rows\u2026", self.export_visible, "Ctrl+E")
        self._action(file_menu, "Export &all rows\u2026", self.export_all, "Ctrl+Shift+E")
        file_menu.addSeparator()
        # Ctrl+Q is Cmd+Q on macOS; Windows has no standard Quit key, so it is named.
        self._action(file_menu, "&Quit", self.request_quit, "Ctrl+Q")
        account = self.menuBar().addMenu("&Account")
        self._action(account, "API &key\u2026", self.show_key_dialog, "Ctrl+K")
        self._action(account, "&Log in with email\u2026", self.show_login_dialog)
        self.logout_action = self._action(account, "Log &out", lambda: spawn(self.log_out()))
        account.addSeparator()
        self.sandbox_action = self._action(
            account, "&Sandbox mode (offline demo)", self._toggle_sandbox
        )
        self.sandbox_action.setCheckable(True)
        self._action(account, "&Refresh calls left",
                     lambda: self.account.refresh_calls_left(), "F5")  # noqa: PLW0108 - not yet attached
        view = self.menuBar().addMenu("&View")
        self._action(view, "&Results log", lambda: self.views.setCurrentWidget(self.results),
                     "Ctrl+1")  # fmt: skip
        self._action(view, "&Offers", lambda: self.views.setCurrentWidget(self.offers_view),
                     "Ctrl+2")  # fmt: skip
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About", self.show_about)

    def _action(
        self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: object = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))  # type: ignore[arg-type]
        action.triggered.connect(lambda: self._attached and slot())  # not before `attach`
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        batches = self.batches
        batches.progress_changed.connect(self._show_progress)
        batches.storage_failed.connect(self.history_damaged)
        batches.results_stored.connect(self.model.add)
        batches.retrying.connect(self._show_retry)
        batches.rate_limited.connect(self._show_rate_limit)
        batches.throttle_changed.connect(self.progress.show_throttle)
        batches.paused_by_account.connect(self.show_error)
        batches.finished.connect(self._batch_finished)
        batches.stopped.connect(self.quitting.stopped)
        self.account.changed.connect(self._show_account)
        self.account.changed.connect(self.recovery.offer_unfinished)
        self.account.refused.connect(self.show_error)
        self.form.run_requested.connect(self.run_checks)
        self.progress.pause_requested.connect(batches.pause)
        self.progress.resume_requested.connect(batches.resume)
        self.progress.cancel_requested.connect(batches.cancel)
        self.results.open_url.connect(self.open_url)
        self.results.rerun.connect(self.rerun)
        self.results.add_to_watch_list.connect(self.add_to_watch_list)
        batches.results_stored.connect(self.offers_view.results_arrived)
        batches.finished.connect(self.offers_view.batch_finished)
        self.offers_view.check_requested.connect(self.run_offers)
        self.offers_view.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))

    # --- start-up --------------------------------------------------------------------

    def start(self, *, sandbox: bool = False) -> None:
        """Sign in with the saved key (or ask for one), or go straight to the sandbox."""
        if sandbox:
            self.account.enable_sandbox()
        elif not self.account.load_saved_key() and self.read_only is None:
            self.show_key_dialog()
        if self.read_only is None:
            self.recovery.offer_unfinished()
            self.scheduler.start()  # overdue offers run once, now

    # --- the account -----------------------------------------------------------------

    @Slot(object)
    def _show_account(self, state: AccountState) -> None:
        marks = [mark for mark, shown in (("SANDBOX", state.sandbox),
                                          ("read-only copy", self.read_only)) if shown]  # fmt: skip
        self.setWindowTitle(" \u2014 ".join([APP_NAME, *marks]))
        self.banner.setVisible(state.sandbox)
        self.mode_label.setText(state.summary)
        set_tone(self.mode_label, Tone.WARNING if state.sandbox else None)
        font = self.mode_label.font()
        font.setBold(state.sandbox)
        self.mode_label.setFont(font)
        if not state.signed_in:
            self.calls_label.setText("Calls left: \u2014")
        elif state.calls_left is None:
            self.calls_label.setText("Calls left: ?")
        else:
            self.calls_label.setText(f"Calls left: {state.calls_left:,}")
        self.calls_label.setToolTip(state.calls_left_note)
        self.form.set_calls_left(state.calls_left)
        self.offers_view.set_calls_left(state.calls_left)
        sandbox = self.account.sandbox
        self.form.set_sandbox(sandbox.base_url if sandbox is not None else None)
        self.model.set_sandbox(state.sandbox)
        self.logout_action.setEnabled(state.logged_in and not state.sandbox)
        self.sandbox_action.setChecked(state.sandbox)

    def show_key_dialog(self) -> None:
        if self.key_dialog is not None and self.key_dialog.isVisible():
            self.key_dialog.raise_()
            self.key_dialog.activateWindow()
            return
        from affilitest_gui.ui.key_dialog import KeyDialog

        dialog = KeyDialog(self.account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.key_saved.connect(self._key_saved)
        dialog.sandbox_requested.connect(self.enable_sandbox)
        dialog.login_requested.connect(self.show_login_dialog)
        dialog.destroyed.connect(lambda: setattr(self, "key_dialog", None))
        self.key_dialog = dialog
        dialog.show()

    def _key_saved(self, info: StorageInfo) -> None:
        self.statusBar().showMessage(
            f"Key saved. {info.sentence}" if info.secure else info.sentence, 10_000
        )

    def show_login_dialog(self) -> None:
        if self.login_dialog is not None and self.login_dialog.isVisible():
            self.login_dialog.raise_()
            return
        from affilitest_gui.ui.key_dialog import LoginDialog

        dialog = LoginDialog(self.account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "login_dialog", None))
        self.login_dialog = dialog
        dialog.show()

    async def log_out(self) -> None:
        try:
            await self.account.log_out()
        except AffiliTestError as error:
            self.statusBar().showMessage(
                f"Logged out on this computer. AffiliTest could not end its session "
                f"({describe(error).title}): it ends by itself when it expires.", 12_000
            )
        else:
            self.statusBar().showMessage("Logged out.", 8000)

    def enable_sandbox(self) -> None:
        if not self._mode_can_change():
            return
        self.account.enable_sandbox()

    def _toggle_sandbox(self) -> None:
        wanted = self.sandbox_action.isChecked()
        self.sandbox_action.setChecked(self.account.state.sandbox)  # until it really changes
        if not self._mode_can_change():
            return
        if wanted:
            self.account.enable_sandbox()
        else:
            self.account.disable_sandbox()

    def _mode_can_change(self) -> bool:
        if not self.batches.progress.active:
            return True
        show_message(
            self, "Checks are running",
            "Switch between the sandbox and the live service when the batch has finished "
            "(or cancel it first).",
        )  # fmt: skip
        return False

    # --- running checks --------------------------------------------------------------

    def run_checks(self, requests: list[CheckRequest]) -> None:
        """Checked on the GUI thread before queueing: credentials, budget."""
        self.run_counted(len(requests), lambda: self.batches.submit(requests))

    def run_offers(self, offers: list[Offer]) -> None:
        """Check offers, each judged by its expectations; the same checks first."""
        count = sum(offer.check_count for offer in offers)
        self.run_counted(count, lambda: self.batches.submit_offers(offers))

    def run_counted(self, count: int, start: Callable[[], None]) -> None:
        """Run `count` checks through `start`, asking first when they cost more than the
        calls left, or for a key when there is none."""
        if self.read_only is not None:
            self.statusBar().showMessage("This is a read-only copy of your history: "
                                         "checks are off.", 10_000)  # fmt: skip
            return
        from affilitest_gui.session.batches import ProblemKind

        problem = self.batches.problem_with(count)
        if problem is None:
            start()
        elif problem.kind is ProblemKind.NOT_SIGNED_IN:
            show_message(
                self, "Enter your API key first",
                "Checks need your AffiliTest API key (or a login).",
                icon=QMessageBox.Icon.Warning,
            )  # fmt: skip
            self.show_key_dialog()
        else:
            show_message(
                self,
                "Not enough calls left",
                f"This batch needs {problem.needed:,} calls; your account has "
                f"{problem.left:,} left.",
                icon=QMessageBox.Icon.Warning,
                informative="Checks past your budget will fail with \u201cno calls left\u201d.",
                confirm=f"Run all {problem.needed:,} anyway",
                on_confirm=start,
            )

    def rerun(self, records: list[HistoryRecord]) -> None:
        self.run_checks([record.request for record in records])

    @Slot(object)
    def _show_progress(self, progress: BatchProgress) -> None:
        self.progress.show_progress(progress)
        self.sandbox_action.setEnabled(not progress.active)
        if self.finishing is not None:
            self.finishing.show_progress(progress)

    @Slot(object)
    def _show_retry(self, event: ItemEvent) -> None:
        reason = describe(event.error).title if event.error else event.reason
        wait = f" in {math.ceil(event.wait_s)} s" if event.wait_s else ""
        self.progress.note(
            f"Trying {event.request.url} again{wait} ({reason}; attempt {event.attempt + 1})."
        )

    @Slot(object)
    def _show_rate_limit(self, event: RateLimitPause) -> None:
        self.progress.note(
            f"AffiliTest asked us to slow down; waiting {math.ceil(event.seconds)} s."
        )

    @Slot(object)
    def _batch_finished(self, summary: BatchSummary) -> None:
        self.progress.show_finished(summary)
        if summary.first_failure is not None and not self.quitting.quitting:
            self.show_error(summary.first_failure, retry=list(summary.failed_records))

    # --- errors ----------------------------------------------------------------------

    def show_error(
        self, error: AffiliTestError, retry: list[HistoryRecord] | None = None
    ) -> ErrorDialog | None:
        """One dialog at a time: a second cause while one is open is not stacked."""
        if self.error_dialog is not None and self.error_dialog.isVisible():
            return None
        from affilitest_gui.api.support import support_report
        from affilitest_gui.ui.error_dialog import ErrorDialog

        report = support_report(error, secrets=self.account.secrets())
        dialog = ErrorDialog(describe(error), report, self)
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
            self.open_url(WEBSITE)
        elif action is Action.RETRY:
            if retry:
                self.rerun(retry)
            elif not self.batches.progress.paused:
                self.account.refresh_calls_left()
        elif action is Action.FIX_INPUT:
            self.form.urls.setFocus()

    # --- a damaged history -----------------------------------------------------------

    def history_damaged(self, error: DatabaseError) -> None:
        """A read or a write of the history failed (ui/recovery.py says what and does
        what it needs)."""
        self.recovery.history_failed(error)

    @property
    def unfinished_question(self) -> QMessageBox | None:
        return self.recovery.unfinished_question

    def add_to_watch_list(self, records: list[HistoryRecord]) -> None:
        """Checks of the log become an offer: the editor shows it before it is saved."""
        from affilitest_gui.offers.model import draft_from_checks

        draft = draft_from_checks([(r.url, r.country, r.device, r.final_url) for r in records])
        self.views.setCurrentWidget(self.offers_view)
        self.offers_view.show_draft(draft)

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
        """The rows of the current mode (live or sandbox), filtered if `visible_only`."""
        from affilitest_gui.history.export import export_csv

        text = self.model.filter_text if visible_only else ""
        try:
            count = export_csv(self.store.iter_all(text, sandbox=self.model.sandbox), path)
        except OSError as error:  # open in Excel, a read-only folder, a full disk
            say_cannot_write(self, path, error)
            return 0
        self.statusBar().showMessage(f"Exported {count:,} rows to {path}", 8000)
        return count

    # --- about, quit -----------------------------------------------------------------

    def show_about(self) -> None:
        show_message(
            self, f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\nChecks affiliate offers through the AffiliTest API.\n"
            f"{self.account.key_storage.sentence}\nSupport: {SUPPORT_CONTACT}",
        )  # fmt: skip

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Dark mode switched on or off while the app runs: re-colour what says a tone."""
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            retone(self)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._attached:
            event.accept()
            return
        self.quitting.on_close(event)

    def request_quit(self) -> None:
        """File -> Quit, Ctrl+Q, the tray's Quit (ui/quitting.py)."""
        self.quitting.request()

    def remember(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.form.remember()

    def shutdown(self) -> None:
        """Close without asking, finishing the calls in flight here (tests, end of session)."""
        if self._attached:
            self.quitting.shutdown()
        else:
            self.close()

    @property
    def finishing(self) -> FinishingDialog | None:
        return self.quitting.finishing if self._attached else None
