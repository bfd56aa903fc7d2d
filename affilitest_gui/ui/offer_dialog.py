"""Add or edit one offer: the same checks as the form and the import, a mark next to each
bad field, nothing saved (and no call spent) until every field is right."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.validation import (
    DEFAULT_COUNTRIES,
    DEFAULT_DEVICES,
    DEVICE_PRESETS,
    validate_url,
)
from affilitest_gui.history.platform_book import AuditEntry
from affilitest_gui.judging.expectations import expectations_text, parse_expectations
from affilitest_gui.networks.connections import PLATFORM_NAMES
from affilitest_gui.offers.importing import parse_countries
from affilitest_gui.offers.model import Offer
from affilitest_gui.ui.results_model import local_time
from affilitest_gui.ui.style import Tone, set_tone


class OfferDialog(QDialog):
    """Non-modal; emits `saved(Offer)` (not yet stored) when every field is valid."""

    saved = Signal(object)

    def __init__(self, offer: Offer | None = None, *, audit: Sequence[AuditEntry] = (),
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """`audit`: the offer's writes to its network platform, shown under the form."""
        super().__init__(parent)
        self.setObjectName("offerDialog")
        self.setWindowTitle("Edit offer" if offer and offer.id is not None else "Add offer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._offer = offer
        self.offer_id = QLineEdit(offer.offer_id if offer else "")
        self.name = QLineEdit(offer.name if offer else "")
        self.url = QLineEdit(offer.url if offer else "")
        self.url.setPlaceholderText("https://tracker.example/click?offer_id=\u2026")
        countries = offer.countries if offer else DEFAULT_COUNTRIES
        self.countries = QLineEdit(", ".join(country.upper() for country in countries))
        self.countries.setPlaceholderText("US, GB, DE")
        self.expects = QLineEdit(expectations_text(offer.expects) if offer else "")
        self.expects.setPlaceholderText("com.example.game; id310633997; example.com")
        self.device_boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        chosen = offer.devices if offer else DEFAULT_DEVICES
        for number, (device, label) in enumerate(DEVICE_PRESETS.items()):
            box = QCheckBox(label)
            box.setChecked(device in chosen)
            self.device_boxes[device] = box
            grid.addWidget(box, number // 3, number % 3)
        devices = QWidget()
        devices.setLayout(grid)

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, label, field in (
            ("offer_id", "Offer ID", self.offer_id),
            ("name", "Name", self.name),
            ("url", "Tracking link", self.url),
            ("countries", "Countries", self.countries),
            ("devices", "Devices", devices),
            ("expects", "Expected", self.expects),
        ):
            error = QLabel("")
            error.setObjectName(f"{key}Error")
            set_tone(error, Tone.ERROR)
            error.setWordWrap(True)
            error.hide()
            self.errors[key] = error
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(field)
            box.addWidget(error)
            form.addRow(label, box)

        self.origin = QLabel(origin_text(offer, audit) if offer and offer.source else "")
        self.origin.setObjectName("offerOrigin")
        self.origin.setWordWrap(True)
        self.origin.setVisible(bool(self.origin.text()))
        set_tone(self.origin, Tone.MUTED)
        self.never_box = QCheckBox("&Never pause this offer automatically (the auto-pause rule)")
        self.never_box.setChecked(bool(offer and offer.never_auto_pause))
        self.never_box.setVisible(bool(offer and offer.source))
        if offer is not None and offer.source:  # the platform's fields change with a sync
            for field in (self.offer_id, self.name, self.url, self.countries):
                field.setReadOnly(True)
            for box in self.device_boxes.values():
                box.setEnabled(False)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.origin)
        layout.addLayout(form)
        layout.addWidget(self.never_box)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def _mark(self, key: str, message: str) -> None:
        self.errors[key].setText(message)
        self.errors[key].setVisible(bool(message))

    def collect(self) -> Offer | None:
        """The offer if every field is right; else each bad field marked."""
        problems = dict.fromkeys(self.errors, "")
        url = countries = expects = None
        try:
            url = validate_url(self.url.text())
        except InputError as error:
            problems["url"] = error.message
        try:
            countries = parse_countries(self.countries.text())
            if not countries:
                problems["countries"] = "Enter at least one country code, like US."
        except InputError as error:
            problems["countries"] = error.message
        devices = tuple(d for d, box in self.device_boxes.items() if box.isChecked())
        if not devices:
            problems["devices"] = "Choose at least one device."
        try:
            expects = parse_expectations(self.expects.text())
        except InputError as error:
            problems["expects"] = error.message
        for key, message in problems.items():
            self._mark(key, message)
        if any(problems.values()) or url is None or not countries or expects is None:
            return None
        offer = Offer(url, countries, devices, offer_id=self.offer_id.text().strip(),
                      name=self.name.text().strip(), expects=expects)  # fmt: skip
        if self._offer is None:
            return offer
        kept = self._offer
        return replace(offer, id=kept.id, source=kept.source,
                       platform_status=kept.platform_status, synced_at=kept.synced_at,
                       never_auto_pause=self.never_box.isChecked())  # fmt: skip

    def save(self) -> None:
        offer = self.collect()
        if offer is not None:
            self.saved.emit(offer)
            self.close()


def origin_text(offer: Offer, audit: Sequence[AuditEntry]) -> str:
    """Where a synced offer came from, when, its status there, and what was written."""
    platform, _, platform_id = offer.source.partition(":")
    name = PLATFORM_NAMES.get(platform, platform)
    synced = f" on {local_time(offer.synced_at)}" if offer.synced_at else ""
    lines = [f"Synced from {name} (offer {platform_id}){synced}; status there: "
             f"{offer.platform_status or 'unknown'}. Its ID, name, link, countries and "
             f"devices come from {name} and change with the next sync; the expectations "
             "are yours."]  # fmt: skip
    for entry in audit[-5:]:
        who = "by rule" if entry.by_rule else "by hand"
        lines.append(f"{local_time(entry.at)}: {entry.action} {who}, {entry.outcome} "
                     f"({entry.answer})")  # fmt: skip
    return "\n".join(lines)
