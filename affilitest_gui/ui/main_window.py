"""The main window: views and their wiring. The account and every batch belong to the
session layer (`AccountSession`, `BatchCoordinator`); the window shows them and passes
on what the user asks for.

The window paints in two steps: what is on screen at once (the form, the panes, menus)
is built first, from light modules; the log, the offers and the session's parts come
with `attach`, just after the first paint. So the views and dialogs behind them are
imported where they are first used (PLC0415 is off for this file)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
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
from affilitest_gui.api.vendor import SUPPORT_CONTACT
from affilitest_gui.ui.check_form import CheckForm
from affilitest_gui.ui.msgbox import show_message
from affilitest_gui.ui.progress_panel import ProgressPanel
from affilitest_gui.ui.style import Tone, retone, set_banner, set_tone
from affilitest_gui.ui.tasks import spawn
from affilitest_gui.ui.widgets import read_only_banner

if TYPE_CHECKING:
    from affilitest_gui.history.problems import DatabaseError
    from affilitest_gui.history.repository import Repository
    from affilitest_gui.judging.records import HistoryRecord
    from affilitest_gui.session.account import AccountSession, AccountState
    from affilitest_gui.session.alerts import AlertsSession
    from affilitest_gui.session.batches import BatchCoordinator
    from affilitest_gui.session.networks import NetworksSession
    from affilitest_gui.session.offers import OffersSession
    from affilitest_gui.session.scheduler import Scheduler
    from affilitest_gui.ui.account_ui import AccountUi
    from affilitest_gui.ui.alerts_dialog import AlertsDialog
    from affilitest_gui.ui.app_info_panel import AppInfoPanel
    from affilitest_gui.ui.checks_ui import ChecksUi
    from affilitest_gui.ui.error_dialog import ErrorDialog
    from affilitest_gui.ui.finishing_dialog import FinishingDialog
    from affilitest_gui.ui.key_dialog import KeyDialog
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
    accounts: AccountUi
    checks: ChecksUi
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
        self._attached = False
        self.alerts_dialog: AlertsDialog | None = None

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
        networks: NetworksSession,
        alerts: AlertsSession,
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
        self.alerts = alerts
        from affilitest_gui.ui.account_ui import AccountUi
        from affilitest_gui.ui.checks_ui import ChecksUi
        from affilitest_gui.ui.platform_ui import PlatformUi
        from affilitest_gui.ui.quitting import QuitFlow
        from affilitest_gui.ui.recovery import Recovery

        self.quitting = QuitFlow(self)
        self.recovery = Recovery(self)
        self.accounts = AccountUi(self, account, batches, networks)
        self.checks = ChecksUi(self, batches, account, self.accounts)
        self.platform_ui = PlatformUi(self, networks)
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
            self._central_layout.insertWidget(1, read_only_banner(read_only))
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

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.run_action = self._action(file_menu, "&Run checks", self.form.submit, "Ctrl+R")
        self._action(file_menu, "Export &visible rows\u2026",
                     lambda: self.results.export(visible_only=True), "Ctrl+E")  # fmt: skip
        self._action(file_menu, "Export &all rows\u2026",
                     lambda: self.results.export(visible_only=False), "Ctrl+Shift+E")  # fmt: skip
        file_menu.addSeparator()
        # Ctrl+Q is Cmd+Q on macOS; Windows has no standard Quit key, so it is named.
        self._action(file_menu, "&Quit", self.request_quit, "Ctrl+Q")
        account = self.menuBar().addMenu("&Account")
        self._action(account, "API &key\u2026", lambda: self.accounts.show_key_dialog(),  # noqa: PLW0108 - not yet attached
                     "Ctrl+K")  # fmt: skip
        self._action(account, "&Log in with email\u2026", lambda: self.accounts.show_login_dialog())  # noqa: PLW0108
        self._action(account, "&Networks\u2026", lambda: self.accounts.show_networks_dialog())  # noqa: PLW0108
        self.logout_action = self._action(account, "Log &out",
                                          lambda: spawn(self.accounts.log_out()))  # fmt: skip
        account.addSeparator()
        self.sandbox_action = self._action(
            account, "&Sandbox mode (offline demo)", self._toggle_sandbox
        )
        self.sandbox_action.setCheckable(True)
        self._action(account, "&Refresh calls left",
                     lambda: self.account.refresh_calls_left(), "F5")  # noqa: PLW0108 - not yet attached
        settings = self.menuBar().addMenu("&Settings")
        self._action(settings, "&Alerts\u2026", self.show_alerts_dialog, "Ctrl+Shift+A")
        view = self.menuBar().addMenu("&View")
        self._action(view, "&Results log", lambda: self.views.setCurrentWidget(self.results),
                     "Ctrl+1")  # fmt: skip
        self._action(view, "&Offers", lambda: self.views.setCurrentWidget(self.offers_view),
                     "Ctrl+2")  # fmt: skip
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About", self.show_about)

    def show_alerts_dialog(self) -> None:
        """Settings -> Alerts: Slack, Teams, email, and the alert log (one at a time)."""
        if self.alerts_dialog is not None and self.alerts_dialog.isVisible():
            self.alerts_dialog.raise_()
            self.alerts_dialog.activateWindow()
            return
        from affilitest_gui.ui.alerts_dialog import AlertsDialog

        self.alerts_dialog = AlertsDialog(self.alerts, self)
        self.alerts_dialog.destroyed.connect(lambda: setattr(self, "alerts_dialog", None))
        self.alerts_dialog.show()

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
        """The views' wiring; the checks' and the account's is theirs (`ChecksUi`)."""
        batches = self.batches
        batches.storage_failed.connect(self.history_damaged)
        batches.results_stored.connect(self.model.add)
        batches.stopped.connect(self.quitting.stopped)
        self.account.changed.connect(self._show_account)
        self.account.changed.connect(self.recovery.offer_unfinished)
        self.results.open_url.connect(self.open_url)
        self.results.rerun.connect(self.checks.rerun)
        self.results.add_to_watch_list.connect(self.add_to_watch_list)
        batches.results_stored.connect(self.offers_view.results_arrived)
        batches.finished.connect(self.offers_view.batch_finished)
        self.offers_view.check_requested.connect(self.checks.run_offers)
        self.offers_view.status_change_requested.connect(self.platform_ui.ask)
        batches.finished.connect(self.platform_ui.after_batch)
        for view in (self.offers_view, self.results):
            view.message.connect(lambda text: self.statusBar().showMessage(text, 10_000))

    # --- start-up --------------------------------------------------------------------

    def start(self, *, sandbox: bool = False) -> None:
        """Sign in with the saved key (or ask for one), or go straight to the sandbox."""
        if sandbox:
            self.account.enable_sandbox()
        elif not self.account.load_saved_key() and self.read_only is None:
            self.accounts.show_key_dialog()
        if self.read_only is None:
            self.recovery.offer_unfinished()
            self.alerts.start()  # what a past session could not deliver goes first
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

    def _toggle_sandbox(self) -> None:
        wanted = self.sandbox_action.isChecked()
        self.sandbox_action.setChecked(self.account.state.sandbox)  # until it really changes
        self.accounts.set_sandbox(wanted)

    @property
    def key_dialog(self) -> KeyDialog | None:
        return self.accounts.key_dialog if self._attached else None

    @property
    def error_dialog(self) -> ErrorDialog | None:
        return self.checks.error_dialog if self._attached else None

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
