"""The system tray: the next scheduled run, Open / Check all now / Pause schedules / Quit,
and the one notification per run of what broke or recovered."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from affilitest_gui import APP_NAME
from affilitest_gui.offers.alerts import Notification, Severity
from affilitest_gui.session.scheduler import SchedulerState

NOTIFICATION_MS = 15_000


def next_run_text(state: SchedulerState) -> str:
    if not state.scheduled:
        return "No offers scheduled"
    if state.paused:
        return "Schedules paused"
    if state.running:
        return "Scheduled checks running\u2026"
    if state.waiting:
        return "Waiting for tomorrow's share of calls"
    if state.next_run is None:
        return "No run planned"
    return f"Next run: {state.next_run.astimezone().strftime('%a %H:%M')}"


class Tray(QSystemTrayIcon):
    """Emits what its menu and its notifications ask for; the window does it."""

    open_requested = Signal()
    check_all_requested = Signal()
    pause_toggled = Signal(bool)
    quit_requested = Signal()
    notification_clicked = Signal()

    def __init__(self, icon: QIcon, parent: QWidget | None = None) -> None:
        super().__init__(icon, parent)
        self.setToolTip(APP_NAME)
        self.menu = QMenu(parent)
        self.next_run_action = self.menu.addAction("No offers scheduled")
        self.next_run_action.setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("Open", self.open_requested.emit)
        self.menu.addAction("Check all now", self.check_all_requested.emit)
        self.pause_action = QAction("Pause schedules", self.menu)
        self.pause_action.setCheckable(True)
        self.pause_action.toggled.connect(self.pause_toggled.emit)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction("Quit", self.quit_requested.emit)
        self.setContextMenu(self.menu)
        self.activated.connect(self._activated)
        self.messageClicked.connect(self.notification_clicked.emit)

    def show_state(self, state: SchedulerState) -> None:
        self.next_run_action.setText(next_run_text(state))
        self.setToolTip(f"{APP_NAME}: {next_run_text(state)}")

    def notify(self, note: Notification) -> None:
        self.showMessage(note.title, note.text, QSystemTrayIcon.MessageIcon.Warning
                         if note.severity is Severity.WARNING
                         else QSystemTrayIcon.MessageIcon.Information,
                         NOTIFICATION_MS)  # fmt: skip

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):  # fmt: skip
            self.open_requested.emit()
