"""The actionable error dialog: what happened, what to do, and buttons that do it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.catalog import Action, Explanation
from affilitest_gui.api.vendor import SUPPORT_CONTACT, WEBSITE
from affilitest_gui.session.account import host_of
from affilitest_gui.ui.style import Tone, set_tone

ACTION_BUTTONS: dict[Action, str] = {
    Action.ENTER_KEY: "Enter API key\u2026",
    Action.LOGIN: "Log in\u2026",
    Action.VERIFY_ACCOUNT: f"Open {host_of(WEBSITE)}",
    Action.CHECK_PAYMENT: f"Open {host_of(WEBSITE)}",
    Action.RETRY: "Retry now",
    Action.FIX_INPUT: "Fix the check",
}


class ErrorDialog(QDialog):
    """Non-modal; emits `action_requested(Action)` when one of its action buttons is
    pressed: the entry's main action (the default button), then the others beside it."""

    action_requested = Signal(object)

    def __init__(self, explanation: Explanation, support_text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(explanation.title)
        self.explanation = explanation
        self._support_text = support_text

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                       .pixmap(40, 40))  # fmt: skip
        title = QLabel(f"<b style='font-size:14pt'>{explanation.title}</b>")
        heading = QHBoxLayout()
        heading.addWidget(icon)
        heading.addWidget(title, 1)

        self.what_label = QLabel(f"<b>What happened:</b> {explanation.explanation}")
        self.advice_label = QLabel(f"<b>What to do:</b> {explanation.advice}")
        for label in (self.what_label, self.advice_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copied_label = QLabel("")
        set_tone(self.copied_label, Tone.OK)

        # Two rows, so long labels are never squeezed: what to do, then support / Close.
        actions = QDialogButtonBox()
        self.action_buttons: dict[Action, QPushButton] = {}
        for action in explanation.actions:
            if action not in ACTION_BUTTONS:
                continue
            button = actions.addButton(
                ACTION_BUTTONS[action], QDialogButtonBox.ButtonRole.AcceptRole
            )
            button.clicked.connect(lambda _checked=False, chosen=action: self._act(chosen))
            self.action_buttons[action] = button
        self.action_button: QPushButton | None = self.action_buttons.get(explanation.action)
        if self.action_button is not None:
            self.action_button.setDefault(True)
        bottom = QHBoxLayout()
        self.copy_button = QPushButton("Copy details for support")
        self.copy_button.clicked.connect(self._copy)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom.addWidget(self.copy_button)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.what_label)
        layout.addWidget(self.advice_label)
        layout.addWidget(self.copied_label)
        if self.action_buttons:
            layout.addWidget(actions)
        layout.addLayout(bottom)
        self.setMinimumWidth(480)

    def _act(self, action: Action) -> None:
        self.action_requested.emit(action)
        self.close()

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._support_text)
        self.copied_label.setText(
            f"Copied. Paste it in a message to support ({SUPPORT_CONTACT}). Your key is not in it."
        )
