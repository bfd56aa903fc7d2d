"""Running checks as a person sees it: asked first when they cost more than the calls
left (or need a key), their progress, retries and slow-downs in the progress panel, and
one error dialog at a time whose button does what it says. The batch coordinator runs
them; this only asks and shows."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

from affilitest_gui.api.catalog import Action, describe
from affilitest_gui.api.vendor import WEBSITE
from affilitest_gui.ui.msgbox import show_message

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from affilitest_gui.api.errors import AffiliTestError
    from affilitest_gui.api.models import CheckRequest
    from affilitest_gui.engine.events import ItemEvent, RateLimitPause
    from affilitest_gui.judging.records import HistoryRecord
    from affilitest_gui.offers.model import Offer
    from affilitest_gui.session.account import AccountSession
    from affilitest_gui.session.batches import BatchCoordinator
    from affilitest_gui.session.progress import BatchProgress, BatchSummary
    from affilitest_gui.ui.account_ui import AccountUi
    from affilitest_gui.ui.check_form import CheckForm
    from affilitest_gui.ui.error_dialog import ErrorDialog
    from affilitest_gui.ui.progress_panel import ProgressPanel
    from affilitest_gui.ui.quitting import QuitFlow


class ChecksHost(Protocol):
    """What the checks need of the window that shows them (naming the main window here
    would import it back)."""

    read_only: str | None
    form: CheckForm
    progress: ProgressPanel
    sandbox_action: QAction
    quitting: QuitFlow
    open_url: Callable[[str], object]


class ChecksUi(QObject):
    """Owned by the main window; talks to the batch coordinator."""

    def __init__(
        self,
        window: ChecksHost,
        batches: BatchCoordinator,
        account: AccountSession,
        accounts: AccountUi,
    ) -> None:
        super().__init__(window)  # type: ignore[arg-type] - the host is a QMainWindow
        self.window = window
        self.batches = batches
        self.account = account
        self.accounts = accounts
        self.error_dialog: ErrorDialog | None = None
        batches.progress_changed.connect(self._show_progress)
        batches.retrying.connect(self._show_retry)
        batches.rate_limited.connect(self._show_rate_limit)
        batches.throttle_changed.connect(window.progress.show_throttle)
        batches.paused_by_account.connect(self.show_error)
        batches.finished.connect(self._batch_finished)
        account.refused.connect(self.show_error)
        window.form.run_requested.connect(self.run_checks)
        window.progress.pause_requested.connect(batches.pause)
        window.progress.resume_requested.connect(batches.resume)
        window.progress.cancel_requested.connect(batches.cancel)

    @property
    def _main(self) -> QMainWindow:
        return self.window  # type: ignore[return-value] - the host is a QMainWindow

    def run_checks(self, requests: list[CheckRequest]) -> None:
        """Checked on the GUI thread before queueing: credentials, budget."""
        self.run_counted(len(requests), lambda: self.batches.submit(requests))

    def run_offers(self, offers: list[Offer]) -> None:
        """Check offers, each judged by its expectations (identical checks: one call)."""
        from affilitest_gui.runs.planner import calls_for  # noqa: PLC0415

        count = calls_for(offers)
        self.run_counted(count, lambda: self.batches.submit_offers(offers))

    def rerun(self, records: list[HistoryRecord]) -> None:
        self.run_checks([record.request for record in records])

    def run_counted(self, count: int, start: Callable[[], None]) -> None:
        """Run `count` checks through `start`, asking first when they cost more than the
        calls left, or for a key when there is none."""
        if self.window.read_only is not None:
            self._main.statusBar().showMessage("This is a read-only copy of your history: "
                                               "checks are off.", 10_000)  # fmt: skip
            return
        from affilitest_gui.session.batches import ProblemKind  # noqa: PLC0415

        problem = self.batches.problem_with(count)
        if problem is None:
            start()
        elif problem.kind is ProblemKind.NOT_SIGNED_IN:
            show_message(
                self._main, "Enter your API key first",
                "Checks need your AffiliTest API key (or a login).",
                icon=QMessageBox.Icon.Warning,
            )  # fmt: skip
            self.accounts.show_key_dialog()
        else:
            show_message(
                self._main,
                "Not enough calls left",
                f"This batch needs {problem.needed:,} calls; your account has "
                f"{problem.left:,} left.",
                icon=QMessageBox.Icon.Warning,
                informative="Checks past your budget will fail with \u201cno calls left\u201d.",
                confirm=f"Run all {problem.needed:,} anyway",
                on_confirm=start,
            )

    # --- what a batch says -----------------------------------------------------------

    @Slot(object)
    def _show_progress(self, progress: BatchProgress) -> None:
        self.window.progress.show_progress(progress)
        self.window.sandbox_action.setEnabled(not progress.active)
        finishing = self.window.quitting.finishing
        if finishing is not None:
            finishing.show_progress(progress)

    @Slot(object)
    def _show_retry(self, event: ItemEvent) -> None:
        reason = describe(event.error).title if event.error else event.reason
        wait = f" in {math.ceil(event.wait_s)} s" if event.wait_s else ""
        self.window.progress.note(
            f"Trying {event.request.url} again{wait} ({reason}; attempt {event.attempt + 1})."
        )

    @Slot(object)
    def _show_rate_limit(self, event: RateLimitPause) -> None:
        self.window.progress.note(
            f"AffiliTest asked us to slow down; waiting {math.ceil(event.seconds)} s."
        )

    @Slot(object)
    def _batch_finished(self, summary: BatchSummary) -> None:
        self.window.progress.show_finished(summary)
        if summary.first_failure is not None and not self.window.quitting.quitting:
            self.show_error(summary.first_failure, retry=list(summary.failed_records))

    # --- errors ----------------------------------------------------------------------

    def show_error(
        self, error: AffiliTestError, retry: list[HistoryRecord] | None = None
    ) -> ErrorDialog | None:
        """One dialog at a time: a second cause while one is open is not stacked."""
        if self.error_dialog is not None and self.error_dialog.isVisible():
            return None
        from affilitest_gui.api.support import support_report  # noqa: PLC0415
        from affilitest_gui.ui.error_dialog import ErrorDialog  # noqa: PLC0415

        report = support_report(error, secrets=self.account.secrets())
        dialog = ErrorDialog(describe(error), report, self._main)
        dialog.action_requested.connect(lambda action: self.act(action, retry or []))
        dialog.destroyed.connect(lambda: setattr(self, "error_dialog", None))
        self.error_dialog = dialog
        dialog.show()
        return dialog

    def act(self, action: Action, retry: list[HistoryRecord]) -> None:
        """What the error dialog's button said it would do."""
        if action is Action.ENTER_KEY:
            self.accounts.show_key_dialog()
        elif action is Action.LOGIN:
            self.accounts.show_login_dialog()
        elif action in (Action.VERIFY_ACCOUNT, Action.CHECK_PAYMENT):
            self.window.open_url(WEBSITE)
        elif action is Action.RETRY:
            if retry:
                self.rerun(retry)
            elif not self.batches.progress.paused:
                self.account.refresh_calls_left()
        elif action is Action.FIX_INPUT:
            self.window.form.urls.setFocus()
