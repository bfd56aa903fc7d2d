"""Small widgets the views share."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

ELIDED_MIN_WIDTH = 60


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


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless vertical scroll area: a short screen still reaches all of it."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
