"""The check form: offer URL(s), countries, devices, preview URL; validated inline."""

from __future__ import annotations

import itertools
from functools import cache

from iso3166 import countries_by_alpha2
from PySide6.QtCore import QLocale, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.api.validation import (
    DEVICE_PRESETS,
    validate_country,
    validate_url,
    validate_user_agent,
)
from affilitest_gui.ui.style import ERROR_STYLE

DEFAULT_COUNTRIES = ("us",)
DEFAULT_DEVICES = ("android",)


@cache
def country_names() -> tuple[tuple[str, str], ...]:
    """(code, name) for every ISO 3166 country Qt's locale data names, sorted by name."""
    names: dict[str, str] = {}
    for territory in QLocale.Country:
        code = QLocale.territoryToCode(territory)
        if len(code) == 2 and code.upper() in countries_by_alpha2:
            names[code.lower()] = QLocale.territoryToString(territory)
    return tuple(sorted(names.items(), key=lambda item: item[1]))


class CountryPicker(QWidget):
    """A multi-select list of countries, filtered by name or code as you type."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search countries (name or code)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.setObjectName("countryList")
        for code, name in country_names():
            item = QListWidgetItem(f"{name} ({code.upper()})")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.summary = QLabel("")
        self.changed.connect(self._summarise)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.summary)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for item in self._items():
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def _summarise(self) -> None:
        chosen = self.selected()
        self.summary.setText(
            f"{len(chosen)} chosen: {', '.join(c.upper() for c in chosen[:12])}"
            + ("\u2026" if len(chosen) > 12 else "")
            if chosen
            else "None chosen"
        )

    def selected(self) -> list[str]:
        return [
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_selected(self, codes: list[str]) -> None:
        wanted = {code.lower() for code in codes}
        self.list.blockSignals(True)
        for item in self._items():
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.changed.emit()


class CheckForm(QWidget):
    """Collects the checks to run. `run_requested(list[CheckRequest])` only when all is valid."""

    run_requested = Signal(object)
    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.urls = QPlainTextEdit()
        self.urls.setObjectName("urlsEdit")
        self.urls.setPlaceholderText(
            "One offer URL per line, e.g.\nhttps://track.example.com/click?offer=123"
        )
        self.urls.setTabChangesFocus(True)
        self.urls_error = self._error_label("urlsError")
        self.countries = CountryPicker()
        self.countries_error = self._error_label("countriesError")
        self.device_boxes: dict[str, QCheckBox] = {}
        devices = QGridLayout()
        for index, (device, label) in enumerate(DEVICE_PRESETS.items()):
            box = QCheckBox(label)
            box.toggled.connect(lambda _on: self.changed.emit())
            self.device_boxes[device] = box
            devices.addWidget(box, index // 3, index % 3)
        self.user_agent = QLineEdit()
        self.user_agent.setPlaceholderText("Custom User-Agent (optional)")
        self.devices_error = self._error_label("devicesError")
        self.preview = QLineEdit()
        self.preview.setPlaceholderText("Optional: the store page the offer should reach")
        self.preview_error = self._error_label("previewError")
        self.codes = QCheckBox("Status code of every hop")
        self.codes.setChecked(True)
        self.cost_label = QLabel("")
        self.cost_label.setObjectName("costLabel")
        self.cost_label.setWordWrap(True)
        self.run_button = QPushButton("Run checks")
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Run every URL \u00d7 country \u00d7 device (Ctrl+Enter)")
        self.run_button.clicked.connect(self.submit)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.submit)

        self.urls.textChanged.connect(self.changed)
        self.countries.changed.connect(self.changed)
        self.user_agent.textChanged.connect(self.changed)
        self.preview.textChanged.connect(self.changed)
        self._calls_left: int | None = None
        self.changed.connect(self._update_cost)

        form = QFormLayout()
        form.addRow("Offer URLs", self._stack(self.urls, self.urls_error))
        form.addRow("Countries", self._stack(self.countries, self.countries_error))
        device_box = QWidget()
        device_layout = QVBoxLayout(device_box)
        device_layout.setContentsMargins(0, 0, 0, 0)
        device_layout.addLayout(devices)
        device_layout.addWidget(self.user_agent)
        form.addRow("Devices", self._stack(device_box, self.devices_error))
        form.addRow("Preview URL", self._stack(self.preview, self.preview_error))
        form.addRow("", self.codes)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.cost_label)
        layout.addWidget(self.run_button)
        self.restore()

    @staticmethod
    def _error_label(name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    @staticmethod
    def _stack(field: QWidget, error: QLabel) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(error)
        return box

    # --- values ----------------------------------------------------------------------

    def url_lines(self) -> list[str]:
        return [line.strip() for line in self.urls.toPlainText().splitlines() if line.strip()]

    def preset_devices(self) -> list[str]:
        return [device for device, box in self.device_boxes.items() if box.isChecked()]

    def devices(self) -> list[str]:
        custom = self.user_agent.text().strip()
        return self.preset_devices() + ([custom] if custom else [])

    def planned_count(self) -> int:
        return len(self.url_lines()) * len(self.countries.selected()) * len(self.devices())

    def set_calls_left(self, calls_left: int | None) -> None:
        self._calls_left = calls_left
        self._update_cost()

    def _update_cost(self) -> None:
        count = self.planned_count()
        plural = "s" if count != 1 else ""
        text = f"{count:,} check{plural} = {count:,} API call{plural}"
        if self._calls_left is not None:
            text += f" of {self._calls_left:,} left"
            over = count > self._calls_left
            self.cost_label.setStyleSheet(ERROR_STYLE if over else "")
        self.cost_label.setText(text)

    # --- validation ------------------------------------------------------------------

    def _show(self, label: QLabel, message: str) -> None:
        label.setText(message)
        label.setVisible(bool(message))

    def collect(self) -> list[CheckRequest] | None:
        """Every check, or None after marking each bad field (no call is spent)."""
        problems = {
            label: "" for label in (self.urls_error, self.countries_error, self.devices_error,
                                    self.preview_error)
        }  # fmt: skip
        urls: list[str] = []
        lines = self.url_lines()
        if not lines:
            problems[self.urls_error] = "Enter at least one offer URL."
        for number, line in enumerate(lines, 1):
            try:
                urls.append(validate_url(line))
            except InputError as error:
                where = f"Line {number}: " if len(lines) > 1 else ""
                problems[self.urls_error] = f"{where}{error.message}"
                break
        countries = self.countries.selected()
        if not countries:
            problems[self.countries_error] = "Choose at least one country."
        countries = [validate_country(code) for code in countries]
        devices = self.preset_devices()
        if self.user_agent.text().strip():
            try:
                devices.append(validate_user_agent(self.user_agent.text()))
            except InputError as error:
                problems[self.devices_error] = error.message
        if not devices and not problems[self.devices_error]:
            problems[self.devices_error] = "Choose at least one device or enter a User-Agent."
        preview = self.preview.text().strip() or None
        if preview:
            try:
                preview = validate_url(preview, "preview_url")
            except InputError as error:
                problems[self.preview_error] = error.message
        for label, message in problems.items():
            self._show(label, message)
        if any(problems.values()):
            return None
        return [
            CheckRequest(url, country, device, preview, self.codes.isChecked())
            for url, country, device in itertools.product(urls, countries, devices)
        ]

    def submit(self) -> None:
        requests = self.collect()
        if requests is not None:
            self.remember()
            self.run_requested.emit(requests)

    # --- remembered choices ----------------------------------------------------------

    def remember(self) -> None:
        self._settings.setValue("form/urls", self.urls.toPlainText())
        self._settings.setValue("form/countries", ",".join(self.countries.selected()))
        self._settings.setValue("form/devices", ",".join(self.preset_devices()))
        self._settings.setValue("form/user_agent", self.user_agent.text())
        self._settings.setValue("form/preview", self.preview.text())
        self._settings.setValue("form/codes", "yes" if self.codes.isChecked() else "no")

    def restore(self) -> None:
        def text(key: str, default: str = "") -> str:
            return str(self._settings.value(key, default) or "")

        self.urls.setPlainText(text("form/urls"))
        countries = text("form/countries", ",".join(DEFAULT_COUNTRIES))
        self.countries.set_selected([c for c in countries.split(",") if c])
        devices = set(text("form/devices", ",".join(DEFAULT_DEVICES)).split(","))
        for device, box in self.device_boxes.items():
            box.setChecked(device in devices)
        self.user_agent.setText(text("form/user_agent"))
        self.preview.setText(text("form/preview"))
        self.codes.setChecked(text("form/codes", "yes") != "no")
        self._update_cost()
