"""Account -> Networks: connect a network platform, test the connection, and sync its
offers with a preview; nothing is saved until the preview is accepted. Non-modal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.errors import InputError
from affilitest_gui.networks.connections import PLATFORM_NAMES, PLATFORMS, Connection
from affilitest_gui.networks.sync import SyncAction, SyncPlan
from affilitest_gui.offers.auto_pause import PauseRule
from affilitest_gui.offers.importing import ImportFileError, parse_countries, parse_devices
from affilitest_gui.session.networks import NETWORK_FAILURES
from affilitest_gui.ui.msgbox import say_cannot_write
from affilitest_gui.ui.style import Tone, set_tone
from affilitest_gui.ui.tasks import spawn
from affilitest_gui.ui.widgets import secret_field
from affilitest_gui.words import plural

if TYPE_CHECKING:
    from affilitest_gui.session.networks import NetworksSession

ADDRESS_HINTS = {
    "affise": "https://api-<tenant>.affise.com (Affise: Settings -> Security -> API)",
    "everflow": "https://api.eflow.team (EU accounts: https://api-eu.eflow.team)",
    "hasoffers": "leave empty: https://<network ID>.api.hasoffers.com",
}
KEY_HINTS = {
    "affise": "API key (Affise: Settings -> Security)",
    "everflow": "Network API key (Everflow: Control Center -> Security)",
    "hasoffers": "Network token (HasOffers: Support -> API)",
}
ACTION_WORDS = {SyncAction.NEW: "New", SyncAction.UPDATED: "Updated",
                SyncAction.UNCHANGED: "Same", SyncAction.GONE: "No longer active",
                SyncAction.SKIPPED: "Cannot be used"}  # fmt: skip


class NetworksDialog(QDialog):
    """Emits `synced(str)`, the summary, once a preview is accepted."""

    synced = Signal(str)

    def __init__(self, networks: NetworksSession, *, demo: tuple[str, dict[str, str]] | None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """`demo`: the sandbox's address and its platforms' keys, in sandbox mode."""
        super().__init__(parent)
        self.setObjectName("networksDialog")
        self.setWindowTitle("Networks")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.networks = networks
        self._demo = demo
        self._plan: SyncPlan | None = None
        self._plan_connection: Connection | None = None

        self.platform = QComboBox()
        for platform in PLATFORMS:
            self.platform.addItem(PLATFORM_NAMES[platform], platform)
        self.address = QLineEdit()
        self.network_id = QLineEdit()
        self.key, self.show_key = secret_field("Show key")
        self.partner = QLineEdit()
        self.partner.setPlaceholderText("optional: an affiliate ID whose link is checked")
        self.tracking_domain = QLineEdit()
        self.tracking_domain.setPlaceholderText("affiliates' link host, e.g. track.example.com")
        self.sync_every = QComboBox()
        for hours, words in ((0, "by hand"), (1, "every hour"), (4, "every 4 hours"),
                             (24, "every day")):  # fmt: skip
            self.sync_every.addItem(words, hours)
        self.sync_every.setToolTip("A scheduled sync saves what it finds without a preview, "
                                   "before the scheduled checks")  # fmt: skip
        self.sync_every.activated.connect(self._save_schedule)
        self.every_status = QCheckBox("Also offers that are not active (paused, stopped\u2026)")
        self.countries = QLineEdit("US")
        self.devices = QLineEdit("Android")
        self.link_note = QLabel("")
        self.link_note.setWordWrap(True)
        set_tone(self.link_note, Tone.MUTED)
        self.key_note = QLabel("")
        self.key_note.setWordWrap(True)
        set_tone(self.key_note, Tone.MUTED)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(self.show_key)
        key_label = QLabel("&Key")
        key_label.setBuddy(self.key)
        form = QFormLayout()
        form.addRow("&Platform", self.platform)
        form.addRow("API &address", self.address)
        form.addRow("Network &ID", self.network_id)
        form.addRow(key_label, key_row)
        form.addRow("", self.key_note)
        form.addRow("Test a&ffiliate", self.partner)
        form.addRow("&Tracking domain", self.tracking_domain)
        form.addRow("", self.link_note)
        form.addRow("S&ync", self.sync_every)
        form.addRow("", self.every_status)
        form.addRow("&Countries if none", self.countries)
        form.addRow("&Devices if none", self.devices)
        self._form = form

        rule = networks.pause_rule()
        self.rule_box = QCheckBox("A&uto-pause an offer in its platform after")
        self.rule_box.setChecked(rule.enabled)
        self.rule_runs = _spin(rule.broken_runs, 1, 100)
        self.rule_cells = _spin(rule.min_cells, 1, 1000)
        self.rule_cap = _spin(rule.daily_cap, 0, 10_000)
        rule_row = QHBoxLayout()
        for part in (self.rule_box, self.rule_runs, QLabel("broken runs in a row (a run with"),
                     self.rule_cells, QLabel("broken cells); at most"), self.rule_cap,
                     QLabel("a day")):  # fmt: skip
            rule_row.addWidget(part)
        rule_row.addStretch(1)
        self.rule_box.toggled.connect(self._save_rule)
        for spin in (self.rule_runs, self.rule_cells, self.rule_cap):
            spin.valueChanged.connect(self._save_rule)
        self.rule_note = QLabel("Only a real Broken counts: never a Warning, never a check "
                                "that failed on our side. Every pause is in the audit log, "
                                "with an Undo.")  # fmt: skip
        self.rule_note.setWordWrap(True)
        set_tone(self.rule_note, Tone.MUTED)

        self.test_button = QPushButton("T&est connection")
        self.test_button.clicked.connect(lambda: spawn(self._check()))
        self.sync_button = QPushButton("&Sync\u2026")
        self.sync_button.clicked.connect(lambda: spawn(self._preview()))
        self.status = QLabel("")
        self.status.setObjectName("networkStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)

        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.preview = QTableWidget(0, 3)
        self.preview.setObjectName("syncPreview")
        self.preview.setHorizontalHeaderLabels(["What", "Offer", "Details"])
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().hide()
        self.accept_button = QPushButton("Sa&ve")
        self.accept_button.clicked.connect(self._accept)
        self.discard_button = QPushButton("&Discard")
        self.discard_button.clicked.connect(self._discard)
        self.audit_button = QPushButton("Export &audit log\u2026")
        self.audit_button.setToolTip("Every pause and re-activation written to a platform, "
                                     "as CSV")  # fmt: skip
        self.audit_button.clicked.connect(self.export_audit)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        decisions = QHBoxLayout()
        decisions.addWidget(self.accept_button)
        decisions.addWidget(self.discard_button)
        decisions.addStretch(1)
        decisions.addWidget(self.audit_button)
        decisions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(rule_row)
        layout.addWidget(self.rule_note)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview, 1)
        layout.addStretch(0)  # the room a hidden preview leaves, kept below the buttons
        layout.addLayout(decisions)
        self.platform.currentIndexChanged.connect(self._platform_changed)
        self.partner.textChanged.connect(self._say_which_link)
        self._platform_changed()
        self._show_plan(None)
        self.resize(760, 620)

    # --- the form --------------------------------------------------------------------

    @property
    def chosen_platform(self) -> str:
        return str(self.platform.currentData())

    def _platform_changed(self) -> None:
        platform = self.chosen_platform
        saved = self.networks.connection(platform)
        demo_url, demo_keys = self._demo if self._demo else ("", {})
        self.address.setPlaceholderText(ADDRESS_HINTS[platform])
        self.address.setText(saved.base_url if saved else demo_url)
        self.network_id.setText(saved.network_id if saved else ("demo" if self._demo else ""))
        self.partner.setText(saved.partner if saved else "")
        self.every_status.setChecked(bool(saved and saved.every_status))
        self.sync_every.setCurrentIndex(max(0, self.sync_every.findData(
            saved.sync_every_h if saved else 0)))  # fmt: skip
        self.tracking_domain.setText(saved.tracking_domain if saved else demo_url)
        self.key.clear()
        self.key.setPlaceholderText(KEY_HINTS[platform])
        self._note_key("")
        if self._demo:
            self.key.setText(demo_keys.get(platform, ""))
        elif saved is not None and self.networks.has_key(saved):
            self._note_key("A key is kept for this connection: type one only to replace it.")
        for field, shown in ((self.network_id, platform == "hasoffers"),
                             (self.tracking_domain, platform == "affise")):  # fmt: skip
            field.setVisible(shown)
            self._form.labelForField(field).setVisible(shown)
        self._say_which_link()
        self._say("")

    def _say_which_link(self) -> None:
        partner = self.partner.text().strip()
        name = PLATFORM_NAMES[self.chosen_platform]
        self.link_note.setText(
            f"Checks the link affiliate {partner} would click (made by {name})." if partner
            else "No test affiliate: checks each offer's destination URL as the platform "
                 "has it, macros and all."
        )  # fmt: skip

    def connection(self) -> Connection | None:
        """The connection as typed, or None with the problem said next to the buttons."""
        try:
            countries = parse_countries(self.countries.text()) or ("us",)
            devices = parse_devices(self.devices.text()) or ("android",)
        except (InputError, ImportFileError) as error:
            self._say(str(getattr(error, "message", error)), Tone.ERROR)
            return None
        made = Connection(
            self.chosen_platform, base_url=self.address.text().strip(),
            network_id=self.network_id.text().strip(), partner=self.partner.text().strip(),
            tracking_domain=self.tracking_domain.text().strip(), countries=countries,
            devices=devices, sync_every_h=int(self.sync_every.currentData()),
            every_status=self.every_status.isChecked(),
        )  # fmt: skip
        problems = made.problems()
        if problems:
            said = "; ".join(problems)
            self._say(f"{said[0].upper()}{said[1:]}.", Tone.ERROR)
            return None
        return made

    def _note_key(self, text: str, tone: Tone = Tone.MUTED) -> None:
        """Where the key is kept, under its field (no row when there is nothing to say)."""
        self.key_note.setText(text)
        set_tone(self.key_note, tone)
        self.key_note.setVisible(bool(text))

    def _save_schedule(self, *_args: object) -> None:
        """A sync schedule is kept with the connection at once (once it works)."""
        connection = self.connection()
        if connection is None:
            return
        if self.networks.connection(connection.platform) is None and not self.networks.has_key(
            connection
        ):
            self._say("Test the connection or sync once first: the schedule is kept with "
                      "a connection that works.", Tone.WARNING)  # fmt: skip
            return
        self.networks.save_connection(connection)
        every = self.sync_every.currentText()
        self._say(f"{connection.name} syncs {every}." if connection.sync_every_h
                  else f"{connection.name} syncs by hand.")  # fmt: skip

    def _save_rule(self, *_args: object) -> None:
        """The auto-pause rule, saved as it is set (it applies after every batch)."""
        self.networks.save_pause_rule(PauseRule(
            enabled=self.rule_box.isChecked(), broken_runs=self.rule_runs.value(),
            min_cells=self.rule_cells.value(), daily_cap=self.rule_cap.value(),
        ))  # fmt: skip

    def _say(self, text: str, tone: Tone | None = None) -> None:
        self.status.setText(text)
        set_tone(self.status, tone)

    def _busy(self, busy: bool) -> None:
        for button in (self.test_button, self.sync_button, self.accept_button):
            button.setEnabled(not busy)

    # --- test, preview, save ---------------------------------------------------------

    async def _check(self) -> None:
        connection = self.connection()
        if connection is None:
            return
        self._busy(True)
        self._say(f"Asking {connection.name}\u2026")
        try:
            count = await self.networks.check(connection, self.key.text())
        except NETWORK_FAILURES as error:
            self._say(str(error), Tone.ERROR)
        else:
            self._keep_key(connection)
            self._say(f"Connected: {plural(count, 'active offer')}.", Tone.OK)
        finally:
            self._busy(False)
            self.accept_button.setEnabled(self._plan is not None)

    async def _preview(self) -> None:
        connection = self.connection()
        if connection is None:
            return
        self._busy(True)
        self._show_plan(None)
        self._say(f"Reading every active offer from {connection.name}\u2026")
        try:
            plan = await self.networks.plan(connection, self.key.text())
        except NETWORK_FAILURES as error:
            self._say(f"{error} Nothing was changed.", Tone.ERROR)
            self._busy(False)
            self.accept_button.setEnabled(False)
            return
        self._keep_key(connection)
        self._plan, self._plan_connection = plan, connection
        self._say("Nothing is saved until you choose Save.")
        self._show_plan(plan)
        self._busy(False)

    def _keep_key(self, connection: Connection) -> None:
        typed = self.key.text().strip()
        if typed:
            info = self.networks.save_key(connection, typed)
            self.key.clear()
            self._note_key(info.sentence, Tone.MUTED if info.secure else Tone.WARNING)

    def _show_plan(self, plan: SyncPlan | None) -> None:
        self.preview.setRowCount(0)
        has_plan = plan is not None
        for widget in (self.summary, self.preview, self.accept_button, self.discard_button):
            widget.setVisible(has_plan)
        if plan is None:
            self._plan = None
            return
        counts = plan.summary
        self.summary.setText(
            f"{plural(counts['new'], 'new offer')}, {counts['updated']:,} updated, "
            f"{counts['unchanged']:,} the same, {counts['gone']:,} no longer active, "
            f"{counts['skipped']:,} cannot be used."
        )
        shown = [entry for entry in plan.entries if entry.action is not SyncAction.UNCHANGED]
        self.preview.setRowCount(len(shown))
        for row, entry in enumerate(shown):
            name = entry.offer.label if entry.offer else entry.source
            details = entry.reason or entry.url
            if entry.action is SyncAction.UPDATED:
                details = f"changed: {entry.reason}"
            for column, text in enumerate((ACTION_WORDS[entry.action], name, details)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.preview.setItem(row, column, item)
        for column in (0, 1):  # the details take the rest
            self.preview.resizeColumnToContents(column)
        changes = len([e for e in plan.entries if e.offer is not None
                       and e.action is not SyncAction.UNCHANGED])  # fmt: skip
        self.accept_button.setText(f"Sa&ve {plural(changes, 'change')}" if changes else "Sa&ve")

    def _accept(self) -> None:
        if self._plan is None or self._plan_connection is None:
            return
        plan = self._plan
        self.networks.accept(plan, self._plan_connection)
        said = plan.said(self._plan_connection.name)
        self._show_plan(None)
        self._say(said, Tone.OK)
        self.synced.emit(said)

    def export_audit(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the audit log", str(Path.home() / "affilitest-audit.csv"), "CSV (*.csv)"
        )
        if path:
            self.export_audit_to(Path(path))

    def export_audit_to(self, path: Path) -> int:
        try:
            rows = self.networks.export_audit(path)
        except OSError as error:  # open in Excel, a read-only folder, a full disk
            say_cannot_write(self, path, error)
            return 0
        self._say(f"Exported {plural(rows, 'write')} to {path}.", Tone.OK)
        return rows

    def _discard(self) -> None:
        self._show_plan(None)
        self._say("Discarded: nothing was changed.")


def _spin(value: int, low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin
