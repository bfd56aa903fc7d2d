"""Small widgets the views share."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

from PySide6.QtCore import QAbstractItemModel, QEvent, QSize, Qt
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QWidget,
)

from affilitest_gui.ui.style import set_banner

ELIDED_MIN_WIDTH = 60
# What a Mac's keyboard calls the key Qt names Ctrl (Qt maps Ctrl to Command there).
CLICK_MODIFIER = "Cmd" if sys.platform == "darwin" else "Ctrl"


def native_keys(sequence: str) -> str:
    """A shortcut as this OS writes it: "Ctrl+I" here, "\u2318I" on a Mac."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def delete_keys(platform: str = sys.platform) -> list[QKeySequence]:
    """Delete, and on a Mac (whose keyboards have no Delete key) Cmd+Backspace too."""
    keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Delete)
    if platform == "darwin":
        keys.append(QKeySequence("Ctrl+Backspace"))
    return keys


class ElidedLabel(QLabel):
    """One line of user data (a URL, say): elided in the middle to the width it is given,
    the whole text in its tooltip. It never widens its parent, however long the text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self.setToolTip(text if text else "")
        self._elide()

    def text(self) -> str:
        """The whole text, not the elided one on screen."""
        return self._full

    def shown_text(self) -> str:
        """What is on screen now."""
        return super().text()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(ELIDED_MIN_WIDTH, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(ELIDED_MIN_WIDTH, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideMiddle, max(self.width(), ELIDED_MIN_WIDTH)
        )
        super().setText(shown)


def secret_field(shown_text: str = "Show") -> tuple[QLineEdit, QCheckBox]:
    """A field whose text is hidden (a key, a password, a webhook address) and the check
    box that shows it."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    shown = QCheckBox(shown_text)
    shown.toggled.connect(lambda on: field.setEchoMode(
        QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))  # fmt: skip
    return field, shown


class NoteLabel(QLabel):
    """A word-wrapped line that says something only sometimes (an error, a status): it
    takes no room while it says nothing, so no blank band sits in its dialog."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self._fit()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange:  # put in its layout: shown if it says
            self._fit()
        return super().event(event)

    def _fit(self) -> None:
        if self.parentWidget() is None and self.text():
            return  # showing a widget with no parent would open a window of its own
        self.setVisible(bool(self.text()))


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless vertical scroll area: a short screen still reaches all of it."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def filter_box(name: str, placeholder: str, on_text: Callable[[str], object]) -> QLineEdit:
    """The filter field above a table: a clear button, filters as you type."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.textChanged.connect(on_text)
    return edit


def data_table(
    name: str, model: QAbstractItemModel, widths: Iterable[int], sorted_by: tuple[int, Qt.SortOrder]
) -> QTableView:
    """A read-only table of rows: whole rows selected, sorted by `sorted_by` (column,
    order) and sortable, one line per row with long text elided in the middle, columns
    the user can resize. The model is sorted once (a history table: one query)."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSortIndicator(*sorted_by)  # before sorting is on: no sort yet
    table.setSortingEnabled(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(22)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return table


def read_only_banner(holds: str) -> QLabel:
    """The window's line over a read-only copy of a history: what it holds, what is off."""
    banner = QLabel(
        f"Read-only copy of your history ({holds}). Checks, imports and edits are off; "
        "your history file was not changed. To try it again, or to start a new "
        "history, quit and start the app again."
    )
    banner.setObjectName("readOnlyBanner")
    set_banner(banner)
    banner.setWordWrap(True)
    return banner
