"""The crash dialog: an unexpected error shown with copyable, redacted details."""

from __future__ import annotations

import platform
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui import __version__
from affilitest_gui.api.redaction import redact
from affilitest_gui.api.vendor import SUPPORT_CONTACT
from affilitest_gui.history.problems import DatabaseError


def crash_report(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None, secrets: list[str]
) -> str:
    text = "".join(traceback.format_exception(kind, error, tb))
    header = (
        f"AffiliTest GUI {__version__} on {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}\n"
    )
    return redact(header + text, secrets)


class CrashDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Something went wrong")
        intro = QLabel(
            "AffiliTest GUI hit an unexpected error. Your results so far are saved and "
            "the app keeps running. Please copy the details below and send them to "
            f"support ({SUPPORT_CONTACT}); your key is not in them."
        )
        intro.setWordWrap(True)
        self.details = QPlainTextEdit(report)
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox()
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report))
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(700, 420)


def install_crash_handler(
    secrets: Callable[[], list[str]],
    history_damaged: Callable[[DatabaseError], object] | None = None,
) -> Callable[..., None]:
    """Route uncaught exceptions to a non-blocking crash dialog; returns the hook. A
    read that failed on a damaged history file is no crash: it goes to
    `history_damaged`, which says so in words."""

    open_dialogs: list[CrashDialog] = []  # a parentless dialog needs a reference to live

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        report = crash_report(kind, error, tb, secrets())
        if sys.stderr is not None:  # a console, or the log file of a windowed start
            sys.stderr.write(report + "\n")
        if QApplication.instance() is None:
            return
        if history_damaged is not None and isinstance(error, DatabaseError):
            history_damaged(error)
            return
        dialog = CrashDialog(report, QApplication.activeWindow())
        open_dialogs.append(dialog)
        dialog.destroyed.connect(lambda: open_dialogs.remove(dialog))
        dialog.show()

    sys.excepthook = hook
    return hook
