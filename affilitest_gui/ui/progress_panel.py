"""Batch progress: done / total, time left, the throttle's state, pause / resume / cancel.

The buttons never move: the lines under them wrap (plain words) or elide (anything with
a URL in it), so a long text cannot widen the pane and shift a button under the mouse.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from affilitest_gui.api.catalog import describe
from affilitest_gui.api.limits import API_RATE_LIMIT
from affilitest_gui.session.progress import BatchProgress, BatchSummary
from affilitest_gui.ui.msgbox import show_message
from affilitest_gui.ui.style import Tone, set_tone
from affilitest_gui.ui.widgets import ElidedLabel
from affilitest_gui.words import plural

if TYPE_CHECKING:
    from affilitest_gui.engine.throttle import ThrottleState

# Cancelling more queued checks than this asks first: one slip must not drop a batch.
CONFIRM_CANCEL_ABOVE = 3


def eta_text(seconds: float) -> str:
    if seconds < 60:
        return "under a minute left"
    minutes = math.ceil(seconds / 60)
    return f"about {minutes} min left" if minutes < 90 else f"about {minutes / 60:.1f} h left"


def summary_text(progress: BatchProgress, now: float) -> str:
    """The line under the bar, in words."""
    if progress.stopping:
        if progress.in_flight:
            return (
                f"Finishing before quitting: waiting for the answers of "
                f"{plural(progress.in_flight, 'check')} already sent."
            )
        return "Finishing before quitting."
    waiting = plural(progress.waiting, "check")
    if progress.paused and progress.cause is not None:
        return f"Paused: {describe(progress.cause).title}. {waiting} waiting, kept for Resume."
    if progress.paused:
        return f"Paused: {progress.checked:,} of {progress.total:,} checked, {waiting} waiting."
    failed = f", {progress.failed:,} failed" if progress.failed else ""
    left = progress.total - progress.finished
    if progress.finished >= 3:
        seconds = (now - progress.started_at) / progress.finished * left
    else:  # before any data: the rate limit's own bound
        seconds = math.ceil(left / API_RATE_LIMIT.limit) * API_RATE_LIMIT.effective_window_s
    return f"{progress.checked:,} of {progress.total:,} checked{failed}, {eta_text(seconds)}."


def finished_text(summary: BatchSummary, total: int) -> str:
    parts = [f"Finished: {summary.checked:,} of {total:,} checked"]
    if summary.failed:
        parts.append(f"{summary.failed:,} failed")
    if summary.cancelled:
        parts.append(f"{summary.cancelled:,} cancelled")
    return ", ".join(parts) + "."


def throttle_text(state: ThrottleState, running: bool) -> str:
    sharing = ""
    if state.share is not None:
        sharing = (f"Another computer is using this account: sharing the limit ({state.share} "
                   f"of {state.limit} per {state.window_s:g} s for us). ")  # fmt: skip
    if state.paused_for_s > 0 and running:
        wait = math.ceil(state.paused_for_s)
        if sharing:
            return sharing + f"Waiting {wait} s."
        return f"AffiliTest asked us to slow down: waiting {wait} s."
    if state.at_limit and running:
        allowed = state.limit if state.share is None else state.share
        return sharing + (f"Waiting for the rate limit: {state.used} of {allowed} calls "
                          f"used in the last {state.window_s:g} s.")  # fmt: skip
    return sharing + f"Calls in the last {state.window_s:g} s: {state.used} of {state.limit}."


class ProgressPanel(QWidget):
    """Shows one batch; emits pause / resume / cancel requests (cancel after a confirm)."""

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
        self.summary.setWordWrap(True)
        self.blocker = QLabel("")
        self.blocker.setObjectName("resumeBlocker")
        self.blocker.setWordWrap(True)
        set_tone(self.blocker, Tone.WARNING)
        self.blocker.hide()
        self.throttle_label = QLabel("")
        self.throttle_label.setObjectName("throttleLabel")
        self.throttle_label.setWordWrap(True)
        self.activity = ElidedLabel("")
        self.activity.setObjectName("activityLabel")
        set_tone(self.activity, Tone.MUTED)
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the checks not sent yet")
        self.pause_button.clicked.connect(self.pause_requested)
        self.resume_button.clicked.connect(self.resume_requested)
        self.cancel_button.clicked.connect(self._confirm_cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.resume_button)
        buttons.addStretch(1)  # Cancel stands apart from Resume
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.blocker)
        layout.addWidget(self.throttle_label)
        layout.addWidget(self.activity)
        # Each message keeps the room of two lines, shown or not, so a message that wraps
        # (a pause's reason, the throttle) never moves the buttons or the form above.
        lines = 2 * self.fontMetrics().lineSpacing()
        for label in (self.summary, self.blocker, self.throttle_label):
            label.setFixedHeight(lines)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            policy = label.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            label.setSizePolicy(policy)
        self.progress = BatchProgress()
        self._throttle: ThrottleState | None = None
        self.show_progress(self.progress)

    def show_progress(self, progress: BatchProgress) -> None:
        self.progress = progress
        running = progress.active and not progress.stopping
        self.pause_button.setEnabled(running and not progress.paused)
        self.resume_button.setEnabled(running and progress.can_resume)
        self.resume_button.setToolTip(progress.resume_blocker)
        self.cancel_button.setEnabled(running and progress.waiting > 0)
        self.blocker.setText(progress.resume_blocker)
        self.blocker.setVisible(bool(progress.resume_blocker))
        if progress.active:
            self.bar.setFormat("%v of %m checked")
            self.bar.setRange(0, max(1, progress.total))
            self.bar.setValue(progress.checked)
            self.summary.setText(summary_text(progress, time.monotonic()))
        if self._throttle is not None:
            self.show_throttle(self._throttle)

    def show_finished(self, summary: BatchSummary) -> None:
        """The batch ended: the bar shows what was checked, not what was cancelled."""
        total = self.progress.total
        self.bar.setFormat(f"%v of {total:,} checked")
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(summary.checked)
        self.summary.setText(finished_text(summary, total))
        self.activity.setText("")

    def show_throttle(self, state: ThrottleState) -> None:
        self._throttle = state
        running = self.progress.active and not self.progress.paused
        self.throttle_label.setText(throttle_text(state, running))

    def note(self, text: str) -> None:
        self.activity.setText(text)

    def _confirm_cancel(self) -> None:
        waiting = self.progress.waiting
        if waiting <= CONFIRM_CANCEL_ABOVE:
            self.cancel_requested.emit()
            return
        show_message(
            self,
            "Cancel the waiting checks?",
            f"{plural(waiting, 'check')} not sent yet will be cancelled and logged as "
            "not checked (you can re-run them from the log).",
            informative="Checks already sent finish and are kept.",
            confirm=f"Cancel {plural(waiting, 'check')}",
            on_confirm=self.cancel_requested.emit,
            cancel_text="Keep running",
        )
