"""Two checks side by side: the chains aligned hop by hop, the first hop where they
differ highlighted, and the difference in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.validation import device_label
from affilitest_gui.chains.compare import Comparison, Hop, compare
from affilitest_gui.chains.parties import party_of
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.ui.style import tint

NO_CODE = "\u2014"


def check_label(record: HistoryRecord) -> str:
    return f"{record.country.upper()} \u00b7 {device_label(record.device)}"


def _hop_text(hop: Hop | None) -> str:
    if hop is None:
        return ""
    url, code = hop
    party = party_of(url)
    who = f"{party.name} ({party.role.value})" if party else "unknown"
    shown = NO_CODE if code is None else str(code)
    return f"{shown}  {who}\n{url}"


class CompareDialog(QDialog):
    """Non-modal, deleted on close."""

    def __init__(self, a: HistoryRecord, b: HistoryRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare two checks")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # A stable order, whichever was picked first: by country, device, then time.
        a, b = sorted((a, b), key=lambda r: (r.country, r.device, r.checked_at))
        a_label, b_label = check_label(a), check_label(b)
        if a_label == b_label:  # the same cell checked twice: tell them apart by time
            a_label, b_label = f"{a_label} ({a.checked_at})", f"{b_label} ({b.checked_at})"
        self.comparison: Comparison = compare(a.hops, b.hops, a_label, b_label)
        self.words = QLabel(self.comparison.words)
        self.words.setObjectName("compareWords")
        self.words.setWordWrap(True)
        self.words.setStyleSheet("font-weight: bold")
        self.table = QTableWidget(len(self.comparison.rows), 2)
        self.table.setObjectName("compareTable")
        self.table.setHorizontalHeaderLabels([a_label, b_label])
        rows = len(self.comparison.rows)
        self.table.setVerticalHeaderLabels([str(number) for number in range(1, rows + 1)])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        marked, marked_text = (QBrush(color) for color in tint(Health.BROKEN))
        for row, (left, right) in enumerate(self.comparison.rows):
            for column, hop in enumerate((left, right)):
                item = QTableWidgetItem(_hop_text(hop))
                if row == self.comparison.first_difference:
                    item.setBackground(marked)
                    item.setForeground(marked_text)
                    item.setToolTip("The first hop where the two chains differ")
                self.table.setItem(row, column, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.words)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 420)
