"""Shown while the app quits mid-batch: it waits for the answers of the calls already sent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

from affilitest_gui.session.progress import BatchProgress
from affilitest_gui.ui.progress_panel import summary_text


class FinishingDialog(QDialog):
    """No buttons: it closes with the window, within the worker's drain time."""

    def __init__(self, drain_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("finishingDialog")
        self.setWindowTitle("Finishing before quitting")
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        note = QLabel(
            f"Answers are saved to the log as they arrive; the app waits at most "
            f"{drain_s:g} s. Checks not sent yet are logged as not checked, to re-run later."
        )
        note.setWordWrap(True)
        bar = QProgressBar()
        bar.setRange(0, 0)  # busy
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(bar)
        layout.addWidget(note)
        self.setMinimumWidth(420)

    def show_progress(self, progress: BatchProgress) -> None:
        self.label.setText(summary_text(progress, 0.0))
