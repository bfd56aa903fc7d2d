"""An offer's last runs at a glance: one small bar per run, green OK, amber Warning,
red Broken, grey not checked, oldest on the left; hovering a bar says its date and
verdict. Painted with QPainter in the offers view's "Recent runs" column."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from affilitest_gui.history.timeline import STRIP_RUNS, RunMark
from affilitest_gui.judging.health import Health
from affilitest_gui.ui.results_model import local_time
from affilitest_gui.ui.style import dark

STRIP_ROLE = Qt.ItemDataRole.UserRole + 2
# Bars by health, [light, dark]; None: the run's checks all failed on our side.
BAR_COLORS: dict[Health | None, tuple[str, str]] = {
    Health.OK: ("#43a047", "#66bb6a"),
    Health.WARNING: ("#f9a825", "#ffca28"),
    Health.BROKEN: ("#e53935", "#ef5350"),
    None: ("#b0bec5", "#607d8b"),
}
BAR_GAP = 1
MARGIN = 3


def bar_color(health: Health | None) -> QColor:
    return QColor(BAR_COLORS.get(health, BAR_COLORS[None])[dark()])


def strip_words(marks: list[RunMark]) -> str:
    """What the strip says, for a tooltip or a screen reader."""
    if not marks:
        return "Not checked yet"
    counts = {health: sum(m.health is health for m in marks) for health in BAR_COLORS}
    parts = [f"{counts[Health.OK]} OK", f"{counts[Health.WARNING]} warning",
             f"{counts[Health.BROKEN]} broken", f"{counts[None]} not checked"]  # fmt: skip
    return f"Last {len(marks)} runs: " + ", ".join(p for p in parts if not p.startswith("0 "))


def _bars(rect: QRect, count: int) -> list[QRect]:
    """Where each of `count` bars goes: at most 6 px wide, from the left."""
    inner = rect.adjusted(MARGIN, MARGIN + 1, -MARGIN, -MARGIN - 1)
    width = max(2, min(6, (inner.width() - BAR_GAP * (STRIP_RUNS - 1)) // STRIP_RUNS))
    return [QRect(inner.left() + n * (width + BAR_GAP), inner.top(), width, inner.height())
            for n in range(count)]  # fmt: skip


class RunStripDelegate(QStyledItemDelegate):
    """Paints the marks the model gives for STRIP_ROLE; a bar's tooltip is its run."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:  # fmt: skip
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter,
                              option.widget)  # fmt: skip
        marks: list[RunMark] = index.data(STRIP_ROLE) or []
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        for mark, bar in zip(marks, _bars(option.rect, len(marks)), strict=True):
            painter.setBrush(bar_color(mark.health))
            painter.drawRect(bar)
        painter.restore()

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,  # noqa: N802
                  option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:  # fmt: skip
        if event.type() != QEvent.Type.ToolTip:
            return super().helpEvent(event, view, option, index)
        marks: list[RunMark] = index.data(STRIP_ROLE) or []
        for mark, bar in zip(marks, _bars(option.rect, len(marks)), strict=True):
            if bar.left() <= event.pos().x() <= bar.right() + BAR_GAP:
                said = mark.health.label if mark.health else "Not checked"
                QToolTip.showText(event.globalPos(), f"{local_time(mark.at)}: {said}", view)
                return True
        QToolTip.showText(event.globalPos(), strip_words(marks), view)
        return True
