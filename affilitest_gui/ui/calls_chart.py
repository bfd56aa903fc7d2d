"""The calls used per day over the last 30 days, as bars, against what the schedules
will spend a day (a dashed line) and the calls left (how many days they last at that
pace). Drawn with QPainter; a bar's tooltip says its day and count."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from affilitest_gui.ui.style import Tone, dark, tone_color

BAR = ("#5c8dd6", "#7aa7e8")
PLANNED = ("#c62828", "#ef9a9a")
TOP, BOTTOM, SIDE = 22, 18, 6


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


class CallsChart(QWidget):
    """`show_days` with the counts, the schedules' calls a day and the calls left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callsChart")
        self.setMinimumHeight(130)
        self.days: dict[date, int] = {}
        self.planned = 0
        self.calls_left: int | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 140)

    def show_days(self, days: dict[date, int], planned: int, calls_left: int | None) -> None:
        self.days, self.planned, self.calls_left = dict(days), planned, calls_left
        self.setAccessibleDescription(self.summary())
        self.update()

    def summary(self) -> str:
        """The chart in words (its tooltip, and for a screen reader)."""
        used = sum(self.days.values())
        said = f"{used:,} calls in the last {len(self.days)} days"
        if self.planned:
            said += f"; the schedules spend {self.planned:,} a day"
            if self.calls_left is not None:
                lasts = self.calls_left // self.planned
                said += f": the {self.calls_left:,} calls left last {lasts:,} days"
        return said + "."

    def _plot(self) -> QRect:
        return self.rect().adjusted(SIDE, TOP, -SIDE, -BOTTOM)

    def _scale(self) -> int:
        return max([*self.days.values(), self.planned, 1])

    def bar_rects(self) -> list[QRect]:
        plot, count = self._plot(), max(1, len(self.days))
        step = plot.width() / count
        scale = self._scale()
        rects = []
        for n, calls in enumerate(self.days.values()):
            height = round(plot.height() * calls / scale)
            left = plot.left() + round(n * step) + 1
            rects.append(QRect(left, plot.bottom() - height + 1, max(1, round(step) - 2), height))
        return rects

    def planned_y(self) -> int:
        plot = self._plot()
        return plot.bottom() - round(plot.height() * self.planned / self._scale())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        muted = QColor(tone_color(Tone.MUTED))
        plot = self._plot()
        painter.setPen(muted)
        painter.drawText(self.rect().adjusted(SIDE, 2, -SIDE, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         "Calls per day, last 30 days")  # fmt: skip
        legend = f"{self.calls_left:,} left" if self.calls_left is not None else ""
        if self.planned:  # the dashed line's legend, before the calls left
            legend = f"schedules: {self.planned:,} a day" + (f" \u00b7 {legend}" if legend else "")
        header = self.rect().adjusted(SIDE, 2, -SIDE, 0)
        painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, legend)
        if self.planned:
            width = painter.fontMetrics().horizontalAdvance(legend)
            y = header.top() + painter.fontMetrics().ascent() // 2 + 2
            right = header.right() - width - 4
            painter.setPen(QPen(QColor(PLANNED[dark()]), 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(right - 18, y, right, y)
            painter.setPen(muted)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(BAR[dark()]))
        for rect in self.bar_rects():
            painter.drawRect(rect)
        if self.planned:
            pen = QPen(QColor(PLANNED[dark()]), 1.5, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            y = self.planned_y()
            painter.drawLine(plot.left(), y, plot.right(), y)
        if self.days:
            painter.setPen(muted)
            first, last = next(iter(self.days)), list(self.days)[-1]
            below = QRect(plot.left(), plot.bottom() + 2, plot.width(), BOTTOM - 2)
            painter.drawText(below, Qt.AlignmentFlag.AlignLeft, _day(first))
            painter.drawText(below, Qt.AlignmentFlag.AlignRight, f"today ({_day(last)})")
        painter.end()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            for (day, calls), rect in zip(self.days.items(), self.bar_rects(), strict=True):
                if rect.left() - 1 <= event.pos().x() <= rect.right() + 1:
                    QToolTip.showText(event.globalPos(), f"{_day(day)}: {calls:,} calls", self)
                    return True
            QToolTip.showText(event.globalPos(), self.summary(), self)
            return True
        return super().event(event)
