"""Schedule offers: how often, what it costs per day against the calls left, the share of
the budget schedules may use, and whether the app keeps running in the tray."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import INTERVALS_H, budget_warning, runs_per_day
from affilitest_gui.ui.calls_chart import CallsChart
from affilitest_gui.ui.style import Tone, set_tone
from affilitest_gui.words import plural

NEVER = "Never"


def interval_text(every_h: int) -> str:
    return "Every hour" if every_h == 1 else f"Every {every_h} hours"


@dataclass(frozen=True)
class ScheduleChoice:
    every_h: int | None  # None: never
    share: float  # of the calls left per day
    close_to_tray: bool


class ScheduleDialog(QDialog):
    """Non-modal; emits `chosen(ScheduleChoice)` on Save."""

    chosen = Signal(object)

    def __init__(
        self,
        offers: list[Offer],
        *,
        other_calls_per_day: int,
        calls_left: int | None,
        share: float,
        tray_available: bool,
        tray_asked: bool = True,
        close_to_tray: bool,
        calls_by_day: dict[date, int] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`calls_by_day`: the calls used each of the last days (the chart)."""
        super().__init__(parent)
        self.setObjectName("scheduleDialog")
        self.setWindowTitle("Schedule checks")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._cells = sum(offer.check_count for offer in offers)
        self._other = other_calls_per_day
        self._calls_left = calls_left
        what = offers[0].label if len(offers) == 1 else f"{len(offers)} offers"
        heading = QLabel(f"Re-check <b>{what}</b> ({plural(self._cells, 'check')} a run):")
        heading.setWordWrap(True)
        self.interval = QComboBox()
        self.interval.setObjectName("scheduleInterval")
        self.interval.addItem(NEVER, None)
        for every_h in INTERVALS_H:
            self.interval.addItem(interval_text(every_h), every_h)
        self.interval.currentIndexChanged.connect(self._show_cost)
        self.share = QSpinBox()
        self.share.setObjectName("scheduleShare")
        self.share.setRange(5, 100)
        self.share.setSingleStep(5)
        self.share.setSuffix(" %")
        self.share.setValue(round(share * 100))
        self.cost = QLabel("")
        self.cost.setObjectName("scheduleCost")
        self.cost.setWordWrap(True)
        self.warning = QLabel("")
        self.warning.setObjectName("scheduleWarning")
        self.warning.setWordWrap(True)
        set_tone(self.warning, Tone.WARNING)
        self.chart = CallsChart()
        self._calls_by_day = calls_by_day or {}
        self.chart.setVisible(bool(self._calls_by_day))
        self.tray = QCheckBox("Keep running in the system tray when the window is closed")
        self.tray.setChecked(close_to_tray)
        self.tray.setVisible(tray_available and tray_asked)  # first, the question is asked
        no_tray = QLabel(
            "This desktop has no system tray: schedules run while the window is open."
        )
        set_tone(no_tray, Tone.MUTED)
        no_tray.setWordWrap(True)
        no_tray.setVisible(not tray_available)

        form = QFormLayout()
        form.addRow("How often", self.interval)
        form.addRow("Budget", self.share)
        share_note = QLabel("Scheduled checks use at most this share of the calls left each "
                            "day; when it is used up they wait for the next day.")  # fmt: skip
        share_note.setWordWrap(True)
        set_tone(share_note, Tone.MUTED)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(share_note)
        layout.addWidget(self.cost)
        layout.addWidget(self.warning)
        layout.addWidget(self.chart)
        layout.addWidget(self.tray)
        layout.addWidget(no_tray)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self._show_cost()

    def _show_cost(self) -> None:
        every_h = self.interval.currentData()
        mine = 0 if every_h is None else self._cells * runs_per_day(every_h)
        total = mine + self._other
        left = "" if self._calls_left is None else f" of the {self._calls_left:,} calls left"
        self.cost.setText(
            f"These offers: {mine:,} calls a day. All schedules: {total:,} calls a day{left}."
        )
        warning = budget_warning(total, self._calls_left)
        self.warning.setText(warning or "")
        self.warning.setVisible(bool(warning))
        self.chart.show_days(self._calls_by_day, total, self._calls_left)

    def save(self) -> None:
        choice = ScheduleChoice(
            self.interval.currentData(), self.share.value() / 100, self.tray.isChecked()
        )
        self.chosen.emit(choice)
        self.close()
