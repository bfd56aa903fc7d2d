"""The window's side of the schedules: the Schedule dialog, the status-bar line, the tray
(where the desktop has one) and the notification of each scheduled run."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMessageBox, QSystemTrayIcon

from affilitest_gui.alerts.channel import Channel, deliver_all
from affilitest_gui.alerts.desktop import DesktopChannel
from affilitest_gui.offers.alerts import Notification
from affilitest_gui.offers.choice import OfferChoice
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import DEFAULT_SHARE, calls_per_day
from affilitest_gui.paths import resource_path
from affilitest_gui.session.scheduler import Scheduler, SchedulerState
from affilitest_gui.ui.msgbox import ask_choice, show_message
from affilitest_gui.ui.schedule_dialog import ScheduleChoice, ScheduleDialog
from affilitest_gui.ui.tray import Tray, next_run_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar, QTabWidget

    from affilitest_gui.session.account import AccountSession
    from affilitest_gui.session.offers import OffersSession
    from affilitest_gui.ui.offers_view import OffersView


class ScheduleHost(Protocol):
    """What the schedules need of the window that holds them (the main window is one;
    naming it here would import it back)."""

    account: AccountSession
    watch_list: OffersSession
    offers_view: OffersView
    views: QTabWidget

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name
    def request_quit(self) -> None: ...
    def showNormal(self) -> None: ...  # noqa: N802
    def raise_(self) -> None: ...
    def activateWindow(self) -> None: ...  # noqa: N802

SHARE_KEY = "schedules/share"
TRAY_KEY = "schedules/close_to_tray"
TOLD_KEY = "schedules/tray_told"  # the first close to the tray was explained


class SchedulesUi(QObject):
    """Owned by the main window; talks to the scheduler and the offer book."""

    def __init__(
        self, window: ScheduleHost, scheduler: Scheduler, settings: QSettings
    ) -> None:
        super().__init__(window)  # type: ignore[arg-type] - the host is a QWidget
        self.window = window
        self.scheduler = scheduler
        self.settings = settings
        self.dialog: ScheduleDialog | None = None
        self.last_notification: Notification | None = None
        self.channels: list[Channel] = [DesktopChannel(self._show_on_desktop)]
        self.tray_question: QMessageBox | None = None
        self.status = QLabel("")
        self.status.setObjectName("scheduleStatus")
        window.statusBar().addPermanentWidget(self.status)
        scheduler.share = float(settings.value(SHARE_KEY, DEFAULT_SHARE))
        self.tray: Tray | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = Tray(QIcon(str(resource_path("icon-256.png"))), window)
            self.tray.open_requested.connect(self.open_window)
            self.tray.check_all_requested.connect(window.offers_view.check_all)
            self.tray.pause_toggled.connect(scheduler.set_paused)
            self.tray.quit_requested.connect(window.request_quit)
            self.tray.notification_clicked.connect(self.show_changed)
        scheduler.changed.connect(self._show_state)
        scheduler.notify.connect(self.notify)
        window.offers_view.schedule_requested.connect(self.show_dialog)

    def say_still_running(self) -> None:
        """The window went to the tray: the first time, the tray says so in a balloon
        (else a person believes the app has quit while it keeps spending calls)."""
        if self.tray is None:
            return
        if self.settings.value(TOLD_KEY, "no") != "yes":
            self.settings.setValue(TOLD_KEY, "yes")
            self.tray.showMessage(
                "AffiliTest GUI is still running",
                "Schedules go on here in the tray. To quit, use Quit in this icon's menu "
                "or File \u2192 Quit.",
                QSystemTrayIcon.MessageIcon.Information, 10_000,
            )  # fmt: skip

    @property
    def close_to_tray(self) -> bool:
        return self.tray is not None and self.settings.value(TRAY_KEY, "no") == "yes"

    @property
    def tray_asked(self) -> bool:
        return self.settings.contains(TRAY_KEY)

    # --- the dialog ------------------------------------------------------------------

    def show_dialog(self, offers: list[Offer]) -> None:
        watch_list = self.window.watch_list
        chosen = {offer.id for offer in offers}
        others = [s for s in watch_list.schedules() if s.offer_ref not in chosen]
        every = {offer.id: offer for offer in watch_list.offers()}
        dialog = ScheduleDialog(
            offers,
            other_calls_per_day=calls_per_day(every, others),
            calls_left=self.window.account.state.calls_left,
            share=self.scheduler.share,
            tray_available=self.tray is not None, tray_asked=self.tray_asked,
            close_to_tray=self.close_to_tray,
            calls_by_day=watch_list.calls_per_day(),
            parent=self.window,
        )
        dialog.chosen.connect(lambda choice: self._save(offers, choice))
        dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()

    def _save(self, offers: list[Offer], choice: ScheduleChoice) -> None:
        self.scheduler.share = choice.share  # before the schedule's `changed` ticks it
        self.window.watch_list.set_schedule(offers, choice.every_h, self.scheduler.now())
        self.settings.setValue(SHARE_KEY, choice.share)
        if self.tray is not None and self.tray_asked:
            self.settings.setValue(TRAY_KEY, "yes" if choice.close_to_tray else "no")
        elif self.tray is not None and choice.every_h is not None:
            self._ask_about_the_tray()  # once: with the first schedule

    def _ask_about_the_tray(self) -> None:
        def keep(answer: str) -> Callable[[], None]:
            return lambda: self.settings.setValue(TRAY_KEY, answer)

        self.tray_question = ask_choice(
            self.window, "Keep checking when the window is closed?",
            "Schedules run while the app runs. It can keep running in the system tray when "
            "you close the window, and tell you there when an offer breaks.",
            [("Keep running in the tray", keep("yes")), ("Quit when the window is closed",
                                                          keep("no"))],
            informative="You can change this in the Schedule dialog.",
        )  # fmt: skip

    # --- state and notifications -----------------------------------------------------

    @Slot(object)
    def _show_state(self, state: SchedulerState) -> None:
        text = state.waiting or (next_run_text(state) if state.scheduled else "")
        self.status.setText(text)
        self.status.setToolTip(state.waiting)
        if self.tray is not None:
            self.tray.show_state(state)
            self.tray.setVisible(bool(state.scheduled) or self.close_to_tray)

    @Slot(object)
    def notify(self, note: Notification) -> None:
        """One per scheduled run, through the alert channels (today: the desktop)."""
        self.last_notification = note
        deliver_all(self.channels, note)

    def _show_on_desktop(self, note: Notification) -> str:
        """In the tray where there is one, else in the window; says which."""
        if self.tray is not None and self.tray.isVisible():
            self.tray.notify(note)
            return "tray"
        self.window.statusBar().showMessage(f"{note.title}: {note.text}", 30_000)
        show_message(self.window, note.title, note.text)
        return "window"

    def show_changed(self) -> None:
        """A click on a notification: the offers that changed."""
        self.open_window()
        view = self.window.offers_view
        self.window.views.setCurrentWidget(view)
        view.show_only(OfferChoice.CHANGED)

    def open_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
