"""Every way the app ends goes one way: File -> Quit, Ctrl+Q, the tray's Quit, the
system's Quit (Cmd+Q, Dock -> Quit, log-out) and closing the window (which keeps the
app in the tray when the user chose so). Mid-batch it asks first, then stops sending,
waits for the answers on their way (bounded) and closes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from affilitest_gui.ui.msgbox import show_message
from affilitest_gui.words import plural

if TYPE_CHECKING:
    from affilitest_gui.session.account import AccountSession
    from affilitest_gui.session.batches import BatchCoordinator
    from affilitest_gui.session.progress import BatchProgress
    from affilitest_gui.session.scheduler import Scheduler
    from affilitest_gui.ui.finishing_dialog import FinishingDialog
    from affilitest_gui.ui.schedules import SchedulesUi


class QuitHost(Protocol):
    """What the quit flow needs of the window it closes."""

    account: AccountSession
    batches: BatchCoordinator
    scheduler: Scheduler
    schedules: SchedulesUi
    read_only: str | None

    def remember(self) -> None: ...
    def close(self) -> bool: ...
    def hide(self) -> None: ...
    def showNormal(self) -> None: ...  # noqa: N802 - Qt's name
    def isVisible(self) -> bool: ...  # noqa: N802
    def centralWidget(self) -> QWidget: ...  # noqa: N802
    def menuBar(self) -> QWidget: ...  # noqa: N802


class QuitFlow(QObject):
    """The quit question, the finishing dialog and the state between them."""

    def __init__(self, window: QuitHost) -> None:
        super().__init__(window)  # type: ignore[arg-type] - the host is a QWidget
        self.window = window
        self.question: QMessageBox | None = None
        self.finishing: FinishingDialog | None = None
        self.quitting = False  # Quit was confirmed mid-batch: close once it is finished
        self.closed = False
        self.requested = False  # Quit (menu, tray, the system): close for real

    def request(self) -> None:
        """Quit, asking first mid-batch, even when closing only hides to the tray."""
        self.requested = True
        self.window.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The system's Quit: a shown window is closed by Qt next (and really closes); a
        window in the tray Qt would skip, quitting without finishing: close it here. If
        that asks first (checks running), the Quit waits for the answer. True: the
        event is taken."""
        if event.type() != QEvent.Type.Quit or watched is not QApplication.instance():
            return False
        if self.closed:
            return False
        self.requested = True
        if not self.window.isVisible():
            self.window.close()
            if not self.closed:
                event.ignore()
                return True
        return False

    def on_close(self, event: QCloseEvent) -> None:
        """To the tray if the user chose so; mid-batch: ask, then finish the calls in
        flight before closing; else at once."""
        window = self.window
        if self.closed:
            event.accept()
            return
        to_tray = window.schedules.close_to_tray and window.read_only is None
        if to_tray and not self.requested:
            window.remember()
            window.hide()
            event.ignore()
            window.schedules.say_still_running()
            return
        progress = window.batches.progress
        if progress.stopping or progress.active:
            event.ignore()
            if not progress.stopping:  # else already finishing: it closes when done
                window.showNormal()  # from the tray: the question needs its window
                self._ask(progress)
            return
        window.remember()
        window.batches.stop()  # nothing in flight: quick, and synchronous
        self.finish()
        event.accept()

    def _ask(self, progress: BatchProgress) -> None:
        if self.question is not None and self.question.isVisible():
            self.question.raise_()
            return
        sent = (
            f" The answers of the {plural(progress.in_flight, 'check')} already sent are "
            "waited for and kept."
            if progress.in_flight
            else ""
        )
        box = show_message(
            self.window,  # type: ignore[arg-type] - the host is a QWidget
            "Checks are still running",
            f"{plural(progress.total - progress.finished, 'check')} of this batch "
            "are not finished. Quit anyway?",
            icon=QMessageBox.Icon.Question,
            informative=f"Checks not sent yet are logged as not checked, so you can re-run "
            f"them from the log.{sent}",
            confirm="Quit",
            on_confirm=self.finish_then_quit,
            cancel_text="Keep running",
        )
        box.setObjectName("quitQuestion")
        box.destroyed.connect(self._question_gone)
        self.question = box

    def _question_gone(self) -> None:
        """Keep running: a later close goes to the tray again, if so chosen."""
        self.question = None
        if not self.quitting:
            self.requested = False

    def finish_then_quit(self) -> None:
        """Stop sending now, wait for the answers on their way, then close."""
        if self.quitting:
            return
        self.quitting = True
        window = self.window
        window.remember()
        window.centralWidget().setEnabled(False)
        window.menuBar().setEnabled(False)
        from affilitest_gui.ui.finishing_dialog import FinishingDialog  # noqa: PLC0415

        self.finishing = FinishingDialog(window.batches.drain_s,
                                         window)  # type: ignore[arg-type]  # fmt: skip
        self.finishing.show_progress(window.batches.progress)
        self.finishing.show()
        window.batches.begin_stop()

    def stopped(self) -> None:
        """The worker stopped: after a confirmed Quit, close."""
        if self.quitting:
            self.finish()
            self.window.close()

    def finish(self) -> None:
        window = self.window
        window.scheduler.stop()
        window.alerts.stop()
        if window.schedules.tray is not None:
            window.schedules.tray.hide()
        if self.finishing is not None:
            self.finishing.close()
        window.account.stop()
        self.closed = True

    def shutdown(self) -> None:
        """Close without asking, finishing the calls in flight here."""
        if self.closed:
            return
        self.window.remember()
        self.window.batches.stop()
        self.finish()
        self.window.close()
