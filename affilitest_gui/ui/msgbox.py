"""The one message-box helper: non-blocking (show()), deleted on close."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_message(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    informative: str = "",
    confirm: str | None = None,
    on_confirm: Callable[[], None] | None = None,
    cancel_text: str | None = None,
) -> QMessageBox:
    """Show a message; with `confirm`, a button that calls `on_confirm` beside a
    default button that does nothing (`cancel_text`, else Cancel)."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    if informative:
        box.setInformativeText(informative)
    if confirm:
        yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
        if cancel_text:
            no = box.addButton(cancel_text, QMessageBox.ButtonRole.RejectRole)
        else:
            no = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        if on_confirm is not None:
            yes.clicked.connect(on_confirm)
    else:
        box.addButton(QMessageBox.StandardButton.Ok)
    box.show()
    return box


def ask_choice(
    parent: QWidget | None,
    title: str,
    text: str,
    choices: list[tuple[str, Callable[[], None]]],
    *,
    informative: str = "",
) -> QMessageBox:
    """A question with one button per choice, the first the default. Closing the box
    (Esc, the window's close) chooses nothing, so nothing is lost by a slip."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)  # fmt: skip
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    if informative:
        box.setInformativeText(informative)
    for number, (label, chosen) in enumerate(choices):
        button = box.addButton(label, QMessageBox.ButtonRole.ActionRole)
        button.clicked.connect(chosen)
        if number == 0:
            box.setDefaultButton(button)
    box.show()
    return box


def say_cannot_write(parent: QWidget | None, path: Path, error: OSError) -> QMessageBox:
    """An export that could not be written, in words (the old file, if any, is as it
    was: exports replace a file only once the new one is complete)."""
    if isinstance(error, PermissionError):
        why = "it is open in another program (Excel?), or this folder cannot be written to"
        what = "Close it in Excel (or the other program), or choose another name or folder."
    else:
        why = (error.strerror or str(error)).rstrip(".").lower()
        what = "Choose another name or folder, or free some space."
    return show_message(
        parent, "Export failed", f"{path.name} could not be written: {why}.",
        icon=QMessageBox.Icon.Warning, informative=f"{what} Nothing was exported.",
    )  # fmt: skip
