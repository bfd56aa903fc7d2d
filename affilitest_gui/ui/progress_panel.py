"""Batch progress: done / total, time left, the throttle's state, pause / resume / cancel."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from affilitest_gui.engine.throttle import ThrottleState
from affilitest_gui.ui.style import MUTED_STYLE


def eta_text(seconds: float) -> str:
    if seconds < 60:
        return "under a minute left"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} min left" if minutes < 90 else f"about {minutes / 60:.1f} h left"


class ProgressPanel(QWidget):
    """Shows one batch; emits pause / resume / cancel requests."""

    pause_requested = Signal()
    resume_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setObjectName("progressBar")
        self.bar.setFormat("")
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.summary = QLabel("No checks running.")
        self.summary.setObjectName("progressSummary")
        self.throttle_label = QLabel("")
        self.throttle_label.setObjectName("throttleLabel")
        self.activity = QLabel("")
        self.activity.setObjectName("activityLabel")
        self.activity.setStyleSheet(MUTED_STYLE)
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton("Cancel")
        self.pause_button.clicked.connect(self.pause_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        for button in (self.pause_button, self.resume_button, self.cancel_button):
            row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.throttle_label)
        layout.addWidget(self.activity)
        self.total = self.done = self.failed = 0
        self._started = 0.0
        self._window_s = 31.0
        self._limit = 50
        self.set_running(False)

    def set_running(self, running: bool, paused: bool = False) -> None:
        self.pause_button.setEnabled(running and not paused)
        self.resume_button.setEnabled(running and paused)
        self.cancel_button.setEnabled(running)

    def add(self, count: int) -> None:
        if self.total == self.done:  # a new batch
            self.total = self.done = self.failed = 0
            self._started = time.monotonic()
        self.total += count
        self.set_running(True)
        self._refresh()

    def finished_one(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        self._refresh()

    def idle(self, cancelled: int) -> None:
        self.set_running(False)
        parts = [f"Finished: {self.done - cancelled} of {self.total} checked"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if cancelled:
            parts.append(f"{cancelled} cancelled")
        self.summary.setText(", ".join(parts) + ".")
        self.total = self.done

    def paused(self, reason: str) -> None:
        self.set_running(True, paused=True)
        self.summary.setText(reason)

    @Slot()
    def resumed(self) -> None:
        self.set_running(True)
        self._refresh()

    def _refresh(self) -> None:
        self.bar.setFormat("%v of %m")
        self.bar.setRange(0, max(1, self.total))
        self.bar.setValue(self.done)
        left = self.total - self.done
        if left <= 0:
            return
        elapsed = time.monotonic() - self._started
        if self.done >= 3:
            seconds = elapsed / self.done * left
        else:  # before any data: the rate limit's own bound
            seconds = math.ceil(left / self._limit) * self._window_s
        failed = f", {self.failed} failed" if self.failed else ""
        self.summary.setText(f"{self.done} of {self.total} done{failed}, {eta_text(seconds)}.")

    def show_throttle(self, state: ThrottleState) -> None:
        self._limit = state.limit
        self._window_s = state.window_s
        if state.paused_for_s > 0:
            text = f"AffiliTest asked us to slow down: waiting {math.ceil(state.paused_for_s)} s."
        elif state.at_limit:
            text = (
                f"Waiting for the rate limit: {state.used} of {state.limit} calls "
                f"used in the last {state.window_s:g} s."
            )
        else:
            text = f"Calls in the last {state.window_s:g} s: {state.used} of {state.limit}."
        self.throttle_label.setText(text)

    def note(self, text: str) -> None:
        self.activity.setText(text)
