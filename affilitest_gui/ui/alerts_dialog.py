"""Settings -> Alerts: Slack, Microsoft Teams and email, each with its secret (kept in
the OS keyring; the environment wins and the page says so), what it gets, Send a test
with the server's answer, and the alert log. Non-modal; the session does the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.alerts.config import CHANNEL_NAMES, CHANNELS, VARIABLES
from affilitest_gui.alerts.mail import DEFAULT_PORTS, SmtpSettings, smtp_from_url, smtp_url
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.offers.alerts import AlertKind
from affilitest_gui.ui.results_model import local_time
from affilitest_gui.ui.style import Tone, set_tone, tone_color
from affilitest_gui.ui.tasks import spawn
from affilitest_gui.ui.widgets import secret_field
from affilitest_gui.words import plural

if TYPE_CHECKING:
    from affilitest_gui.session.alerts import AlertsSession

HINTS = {
    "slack": "Slack: Apps \u2192 Incoming Webhooks \u2192 Add New Webhook to Workspace; "
             "paste the https://hooks.slack.com/... address.",
    "teams": "Teams: the channel's \u2026 \u2192 Workflows \u2192 \u201cPost to a channel when "
             "a webhook request is received\u201d; paste its address (the old Office 365 "
             "connectors are retired).",
    "email": "STARTTLS on 587 or TLS on 465 with a login; \u201cnone\u201d only for a relay "
             "that needs no login (a password is never sent without TLS).",
}  # fmt: skip
SECURITY_CHOICES = (("starttls", "STARTTLS (port 587)"), ("tls", "TLS (port 465)"),
                    ("none", "None: a relay with no login (port 25)"))  # fmt: skip
SHOWN = 500  # the newest attempts the log shows
STATE_TONES = {"sent": Tone.OK, "late": Tone.WARNING, "waiting": Tone.WARNING,
               "failed": Tone.ERROR, "dropped": Tone.ERROR}  # fmt: skip


def _note(text: str = "", tone: Tone = Tone.MUTED) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    set_tone(label, tone)
    return label


class ChannelPage(QWidget):
    """One channel: its secret, what it gets, Save / Send a test / Remove."""

    def __init__(self, alerts: AlertsSession, channel: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alerts = alerts
        self.channel = channel
        self.setObjectName(f"alerts-{channel}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        form = QFormLayout()
        self.source_note = _note()
        form.addRow(self.source_note)
        if channel == "email":
            self._email_fields(form)
        else:
            self.url, shown = secret_field()
            self.url.setPlaceholderText("https://\u2026")
            row = QHBoxLayout()
            row.addWidget(self.url, 1)
            row.addWidget(shown)
            label = QLabel("Webhook &address")
            label.setBuddy(self.url)
            form.addRow(label, row)
        self.field_error = _note("", Tone.ERROR)
        self.field_error.setObjectName("fieldError")
        self.field_error.hide()  # shown with a problem, next to the fields
        hint = _note(HINTS[channel])  # below the form: a wrapped label in a form row gets
        # the height of a narrower one, and a blank band above it

        self.kind_boxes: dict[AlertKind, QCheckBox] = {}
        kinds_box = QGroupBox("What it gets")
        kinds_layout = QGridLayout(kinds_box)
        chosen = alerts.kinds(channel)
        for index, kind in enumerate(AlertKind):
            box = QCheckBox(kind.label)
            box.setChecked(kind in chosen)
            box.toggled.connect(self._save_kinds)
            kinds_layout.addWidget(box, index % 3, index // 3)
            self.kind_boxes[kind] = box

        self.save_button = QPushButton("&Save")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Send a &test")
        self.test_button.clicked.connect(lambda: spawn(self.send_test()))
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.test_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.status = _note()
        self.status.setObjectName("channelStatus")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.field_error)
        layout.addWidget(hint)
        layout.addWidget(kinds_box)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.load()
        self.setFocusProxy(self._fields[0])  # a tab shown: its first field takes the keys

    def _email_fields(self, form: QFormLayout) -> None:
        self.host = QLineEdit()
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORTS["starttls"])
        self.security = QComboBox()
        for value, words in SECURITY_CHOICES:
            self.security.addItem(words, value)
        self.security.activated.connect(
            lambda _i: self.port.setValue(DEFAULT_PORTS[self.security.currentData()]))
        self.user = QLineEdit()
        self.password, shown = secret_field()
        self.sender = QLineEdit()
        self.sender.setPlaceholderText("alerts@example.com")
        self.recipients = QLineEdit()
        self.recipients.setPlaceholderText("ops@example.com, lead@example.com")
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(shown)
        form.addRow("SMTP &host", self.host)
        form.addRow("&Port", self.port)
        form.addRow("Sec&urity", self.security)
        form.addRow("&User", self.user)
        label = QLabel("Pass&word")
        label.setBuddy(self.password)
        form.addRow(label, password_row)
        form.addRow("&From", self.sender)
        form.addRow("T&o", self.recipients)

    @property
    def _fields(self) -> list[QWidget]:
        if self.channel == "email":
            return [self.host, self.port, self.security, self.user, self.password, self.sender,
                    self.recipients]  # fmt: skip
        return [self.url]

    # --- what is kept ----------------------------------------------------------------

    def load(self) -> None:
        """The fields from the secret kept (or the environment's, which wins)."""
        secret, source = self.alerts.secret(self.channel)
        from_environment = source == "environment"
        for field in self._fields:
            field.setEnabled(not from_environment)
        self.save_button.setEnabled(not from_environment)
        self.remove_button.setEnabled(source in ("keyring", "memory"))
        if from_environment:
            self.source_note.setText(f"Set by {VARIABLES[self.channel]} in the environment: "
                                     "it wins over what is saved here.")  # fmt: skip
        elif source == "memory":
            self.source_note.setText("No secure password store was found: this is kept in "
                                     "memory only, until the app quits.")  # fmt: skip
        elif source == "keyring":
            self.source_note.setText(f"Saved in {self.alerts.storage(self.channel).place}.")
        else:
            self.source_note.setText("Not set up: nothing is sent here.")
        self.source_note.setVisible(True)
        if secret:
            self._fill(secret)

    def _fill(self, secret: str) -> None:
        if self.channel != "email":
            self.url.setText(secret)
            return
        try:
            settings = smtp_from_url(secret)
        except ValueError:
            return  # said by the test; the fields stay empty
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.security.setCurrentIndex(self.security.findData(settings.security))
        self.user.setText(settings.user)
        self.password.setText(settings.password)
        self.sender.setText(settings.sender)
        self.recipients.setText(", ".join(settings.recipients))

    def typed(self) -> str:
        """The secret as the fields say it (raises ValueError in words)."""
        if self.channel != "email":
            url = self.url.text().strip()
            if not url:
                raise ValueError("Paste the webhook address first.")
            return url
        recipients = tuple(r.strip() for r in self.recipients.text().replace(";", ",").split(",")
                           if r.strip())  # fmt: skip
        return smtp_url(SmtpSettings(
            host=self.host.text().strip(), port=self.port.value(),
            security=self.security.currentData(), sender=self.sender.text().strip(),
            recipients=recipients, user=self.user.text().strip(),
            password=self.password.text(),
        ))  # fmt: skip

    def _field_problem(self, problem: str) -> None:
        """Said next to the fields; "" clears it."""
        if problem and not problem.endswith("."):
            problem += "."
        self.field_error.setText(problem[:1].upper() + problem[1:])
        self.field_error.setVisible(bool(problem))

    def save(self) -> None:
        self._field_problem("")
        try:
            info = self.alerts.save_secret(self.channel, self.typed())
        except ValueError as problem:
            self._field_problem(str(problem))
            return
        name = CHANNEL_NAMES[self.channel]
        if info.secure:
            self._say(f"{name} saved in {info.place}.", Tone.OK)
        else:
            self._say(f"{name} saved in memory only: no secure password store was found, so "
                      "it must be entered again after a restart.", Tone.WARNING)  # fmt: skip
        self.load()

    def remove(self) -> None:
        self.alerts.forget(self.channel)
        for field in self._fields:
            if isinstance(field, QLineEdit):
                field.clear()
        self._say(f"{CHANNEL_NAMES[self.channel]} removed: nothing is sent there.", Tone.MUTED)
        self.load()

    async def send_test(self) -> None:
        self._field_problem("")
        try:
            secret = self.typed()
        except ValueError as problem:
            self._field_problem(str(problem))
            return
        self.test_button.setEnabled(False)
        self._say(f"Sending a test to {CHANNEL_NAMES[self.channel]}\u2026", Tone.MUTED)
        try:
            delivery = await self.alerts.test(self.channel, secret)
        except ValueError as problem:  # an unsafe address or settings that cannot work
            self._field_problem(str(problem))
            self._say("")
        except AffiliTestError as problem:  # the app closing, or a bug: said, not raised
            self._say(f"Not sent: {problem}", Tone.ERROR)
        else:
            name = CHANNEL_NAMES[self.channel]
            if delivery.sent:
                self._say(f"Sent. {name} answered: {delivery.answer}.", Tone.OK)
            else:
                self._say(f"Not sent. {name} answered: {delivery.answer}.", Tone.ERROR)
        finally:
            self.test_button.setEnabled(True)

    def _save_kinds(self) -> None:
        kinds = frozenset(kind for kind, box in self.kind_boxes.items() if box.isChecked())
        self.alerts.save_kinds(self.channel, kinds)

    def _say(self, text: str, tone: Tone = Tone.MUTED) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)


class AlertLogPage(QWidget):
    """Every alert's outcome, newest first, with the server's answer."""

    COLUMNS = ("Time", "Channel", "State", "Alert", "Server's answer")

    def __init__(self, alerts: AlertsSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alerts = alerts
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("alertLog")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.summary = _note()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        alerts.logged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        entries = list(reversed(self.alerts.log(SHOWN)))
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            when = local_time(entry.at)
            values = (when, CHANNEL_NAMES.get(entry.channel, entry.channel), entry.state,
                      entry.summary, entry.answer)  # fmt: skip
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if column == 2 and entry.state in STATE_TONES:  # the state, in its colour
                    item.setForeground(QColor(tone_color(STATE_TONES[entry.state])))
                self.table.setItem(row, column, item)
        for column in range(3):
            self.table.resizeColumnToContents(column)
        self.table.setColumnWidth(3, 260)  # the answer takes the rest; each cell's tooltip has all
        waiting = self.alerts.waiting()
        said = f"{plural(len(entries), 'delivery attempt')} logged."
        if not entries:
            said = ("Nothing sent yet: alerts go out after scheduled runs, and each "
                    "attempt is logged here with the server's answer.")  # fmt: skip
        if len(entries) == SHOWN:
            said = (f"The last {SHOWN} delivery attempts (`affilitest-offers alerts log` "
                    "prints them all).")  # fmt: skip
        if waiting:
            verb = "waits" if waiting == 1 else "wait"
            said += (f" {plural(waiting, 'alert')} {verb} in the outbox: tried again with "
                     "back-off, dropped after a day.")  # fmt: skip
        self.summary.setText(said)


class AlertsDialog(QDialog):
    """A tab per channel, and the alert log."""

    def __init__(self, alerts: AlertsSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsDialog")
        self.setWindowTitle("Alerts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.tabs = QTabWidget()
        self.pages = {channel: ChannelPage(alerts, channel) for channel in CHANNELS}
        for channel, page in self.pages.items():
            self.tabs.addTab(page, CHANNEL_NAMES[channel])
        self.log_page = AlertLogPage(alerts)
        self.tabs.addTab(self.log_page, "Alert &log")
        intro = _note("Scheduled runs send what broke and recovered to the channels set up "
                      "here, as the desktop notification says it; so does the watcher "
                      "(affilitest-offers watch) on this data folder.")  # fmt: skip
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.resize(720, 560)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.tabs.currentWidget().setFocus()  # the channel's first field, ready for typing
