"""API-key setup and email login.

Save checks the key with AffiliTest before keeping it: a key AffiliTest refuses is
never saved, and one it could not be asked about is saved only when the user says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.catalog import describe
from affilitest_gui.api.errors import ACCOUNT_ERRORS, AffiliTestError, AuthError, InputError
from affilitest_gui.api.validation import validate_api_key
from affilitest_gui.keystore import StorageInfo
from affilitest_gui.session.account import AccountSession
from affilitest_gui.ui.style import Tone, set_tone
from affilitest_gui.ui.tasks import spawn
from affilitest_gui.ui.widgets import NoteLabel


class KeyDialog(QDialog):
    """Non-modal; says what happened through its signals, never blocks the app."""

    key_saved = Signal(object)  # StorageInfo: where the key went
    key_removed = Signal()
    sandbox_requested = Signal()
    login_requested = Signal()

    def __init__(self, account: AccountSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyDialog")
        self.setWindowTitle("AffiliTest API key")
        self._account = account

        intro = QLabel(
            "Paste the API key from your AffiliTest account page. It is 64 characters long."
        )
        intro.setWordWrap(True)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("keyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("64-character API key")
        self.key_edit.textChanged.connect(self._key_edited)
        self.show_key = QCheckBox("Show key")
        self.show_key.toggled.connect(self._toggle_echo)
        self.error_label = NoteLabel()
        self.error_label.setObjectName("keyError")
        set_tone(self.error_label, Tone.ERROR)
        self.status_label = NoteLabel()
        self.status_label.setObjectName("keyStatus")

        info = account.key_storage
        self.storage_label = QLabel(
            f"Where it is kept: {info.place}." if info.secure else info.sentence
        )
        self.storage_label.setWordWrap(True)
        if not info.secure:
            set_tone(self.storage_label, Tone.WARNING)

        self.verify_button = QPushButton("&Verify")
        self.verify_button.setToolTip("Ask AffiliTest whether the key works, without saving it")
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("saveKeyButton")
        self.save_button.setToolTip("Check the key with AffiliTest, then keep it")
        self.save_button.setDefault(True)
        self.save_unchecked_button = QPushButton("Save without checking")
        self.save_unchecked_button.hide()
        self.remove_button = QPushButton("&Remove key")
        self.sandbox_button = QPushButton("Try the &sandbox")
        self.login_button = QPushButton("Log in with email instead\u2026")
        self.close_button = QPushButton("Close")
        self.verify_button.clicked.connect(self._verify_clicked)
        self.save_button.clicked.connect(self._save_clicked)
        self.save_unchecked_button.clicked.connect(self._save_unchecked)
        self.remove_button.clicked.connect(self.remove)
        self.sandbox_button.clicked.connect(self._to_sandbox)
        self.login_button.clicked.connect(self._to_login)
        self.close_button.clicked.connect(self.close)

        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.show_key)
        buttons = QHBoxLayout()
        for button in (self.verify_button, self.save_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        others = QHBoxLayout()
        others.addWidget(self.login_button)
        others.addWidget(self.sandbox_button)
        others.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.save_unchecked_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.storage_label)
        layout.addLayout(buttons)
        layout.addLayout(others)
        self.setMinimumWidth(560)
        self.remove_button.setEnabled(account.has_saved_key)

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)

    def _key_edited(self) -> None:
        self.error_label.setText("")
        self.status_label.setText("")
        self.save_unchecked_button.hide()

    def _checked_key(self) -> str | None:
        """The key if it passes the local check; else show why, spend nothing."""
        try:
            key = validate_api_key(self.key_edit.text())
        except InputError as error:
            self.error_label.setText(error.message)
            self.key_edit.setFocus()
            return None
        self.error_label.setText("")
        return key

    def _busy(self, busy: bool) -> None:
        for button in (self.verify_button, self.save_button, self.save_unchecked_button):
            button.setEnabled(not busy)

    async def _ask(self, key: str) -> tuple[int | None, AffiliTestError | None]:
        self._busy(True)
        self._say("Checking the key with AffiliTest\u2026", None)
        try:
            return await self._account.verify_key(key), None
        except AffiliTestError as error:
            return None, error
        finally:
            self._busy(False)

    def _verify_clicked(self) -> None:
        key = self._checked_key()
        if key is not None:
            spawn(self.verify(key))

    def _save_clicked(self) -> None:
        key = self._checked_key()
        if key is not None:
            spawn(self.save(key))

    async def verify(self, key: str) -> None:
        calls_left, error = await self._ask(key)
        if error is not None:
            explained = describe(error)
            self._say(f"{explained.title}. {explained.explanation} {explained.advice}", Tone.ERROR)
        elif calls_left == 0:
            self._say("The key is valid, but its account has no calls left: it cannot run "
                      "a check until the account is topped up on affilitest.com.",
                      Tone.WARNING)  # fmt: skip
        else:
            left = "an unknown number of" if calls_left is None else f"{calls_left:,}"
            self._say(f"The key works: {left} calls left.", Tone.OK)

    async def save(self, key: str) -> None:
        """Check the key with AffiliTest; keep it only if AffiliTest did not refuse it."""
        calls_left, error = await self._ask(key)
        if error is None:
            self._keep(key, verified=True, calls_left=calls_left)
            return
        explained = describe(error)
        if isinstance(error, AuthError):
            self._say(f"Not saved: {explained.title}. {explained.advice}", Tone.ERROR)
            return
        if isinstance(error, ACCOUNT_ERRORS):  # 403: the key is good, the account can't run
            self._keep(key, verified=True, calls_left=None)
            return
        self._say(
            f"Could not check the key: {explained.title}. You can save it anyway; it will be "
            "checked the next time the app reaches AffiliTest.",
            Tone.WARNING,
        )
        self.save_unchecked_button.show()
        self._fit()

    def _save_unchecked(self) -> None:
        key = self._checked_key()
        if key is not None:
            self._keep(key, verified=False, calls_left=None)

    def _keep(self, key: str, *, verified: bool, calls_left: int | None) -> None:
        info: StorageInfo = self._account.save_key(key, verified=verified, calls_left=calls_left)
        self.key_saved.emit(info)
        self.close()

    def remove(self) -> None:
        self._account.remove_key()
        self.key_edit.clear()
        self.remove_button.setEnabled(False)
        self._say("The key was removed from this computer.", Tone.OK)
        self.key_removed.emit()

    def _to_sandbox(self) -> None:
        self.sandbox_requested.emit()
        self.close()

    def _to_login(self) -> None:
        self.login_requested.emit()
        self.close()

    def _say(self, text: str, tone: Tone | None) -> None:
        set_tone(self.status_label, tone)
        self.status_label.setText(text)
        self._fit()

    def _fit(self) -> None:
        """Grow to what the dialog says now (a message that wraps, Save without checking):
        never squeezed so that they overlap. A window does not follow its labels'
        height-for-width by itself."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)


class LoginDialog(QDialog):
    """Email + password; the session cookie stays in memory. Emits `logged_in()`."""

    logged_in = Signal()

    def __init__(self, account: AccountSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle("Log in to AffiliTest")
        self._account = account
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("emailEdit")
        self.email_edit.setPlaceholderText("you@example.com")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(
            "Your login lasts until you close the app or log out; the password is never stored."
        )
        self.message.setWordWrap(True)
        self.login_button = QPushButton("&Log in")
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(lambda: spawn(self.log_in()))
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        for label, edit in (("Email", self.email_edit), ("Password", self.password_edit)):
            layout.addWidget(QLabel(label))
            layout.addWidget(edit)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.login_button)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.setMinimumWidth(420)
        self.password_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)

    async def log_in(self) -> None:
        email, password = self.email_edit.text().strip(), self.password_edit.text()
        if "@" not in email or not password:
            set_tone(self.message, Tone.ERROR)
            self.message.setText("Enter your email address and your password.")
            return
        self.login_button.setEnabled(False)
        try:
            await self._account.log_in(email, password)
        except AffiliTestError as error:
            set_tone(self.message, Tone.ERROR)
            explained = describe(error)
            self.message.setText(f"{explained.title}. {explained.explanation}")
        else:
            self.password_edit.clear()
            self.logged_in.emit()
            self.close()
        finally:
            self.login_button.setEnabled(True)
