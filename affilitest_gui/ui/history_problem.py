"""The question asked, before any window, when the history file cannot be opened."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QMessageBox

from affilitest_gui import APP_NAME

TITLE = f"{APP_NAME} cannot open its history"


class HistoryChoice(Enum):
    OPEN_COPY = "Open a copy read-only"
    START_NEW = "Start a new history (keep the old file)"
    QUIT = "Quit"


def ask_about_history(text: str, informative: str, choices: list[HistoryChoice]) -> HistoryChoice:
    """The user's choice among `choices` (Quit is always there, and is Escape)."""
    box = QMessageBox(QMessageBox.Icon.Critical, TITLE, text)
    box.setInformativeText(informative)
    buttons = {
        box.addButton(choice.value, QMessageBox.ButtonRole.AcceptRole): choice
        for choice in choices
        if choice is not HistoryChoice.QUIT
    }
    quit_button = box.addButton(HistoryChoice.QUIT.value, QMessageBox.ButtonRole.RejectRole)
    box.setEscapeButton(quit_button)
    box.setDefaultButton(next(iter(buttons), quit_button))
    box.exec()  # at start-up, before any window or worker: nothing else to block
    return buttons.get(box.clickedButton(), HistoryChoice.QUIT)
