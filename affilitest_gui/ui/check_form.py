"""The check form: offer URL(s), countries, devices, preview URL; validated inline.

Bad input is marked next to its field (every bad line, highlighted in the text) and
costs no call. Once marked, the form re-checks as the user types, so a fixed field
loses its mark at once.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache

from iso3166 import countries_by_alpha2
from PySide6.QtCore import QLocale, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.models import CheckRequest, expand_checks
from affilitest_gui.api.validation import (
    DEFAULT_COUNTRIES,
    DEFAULT_DEVICES,
    DEVICE_PRESETS,
    validate_url,
    validate_user_agent,
)
from affilitest_gui.ui.style import Tone, bad_line, set_tone
from affilitest_gui.ui.widgets import native_keys, scrolling

# Return is what a Mac's key says; Windows and Linux keyboards say Enter.
RUN_KEY = "Ctrl+Return" if sys.platform == "darwin" else "Ctrl+Enter"
LISTED_BAD_LINES = 5  # the error label names this many bad lines, then counts the rest


def demo_offers() -> dict[str, str]:
    """The sandbox's demo offers (name -> what it shows), loaded when sandbox mode is
    first on: most starts never need them."""
    from affilitest_gui.sandbox.demo_site import OFFERS  # noqa: PLC0415

    return OFFERS


@cache
def country_names() -> tuple[tuple[str, str], ...]:
    """(code, name) for every ISO 3166 country Qt's locale data names, sorted by name."""
    names: dict[str, str] = {}
    for territory in QLocale.Country:
        code = QLocale.territoryToCode(territory)
        if len(code) == 2 and code.upper() in countries_by_alpha2:
            names[code.lower()] = QLocale.territoryToString(territory)
    return tuple(sorted(names.items(), key=lambda item: item[1]))


def country_rank(query: str, code: str, name: str) -> int | None:
    """How well a country answers a search (0 best), None if it does not.

    An exact code or name comes first ("us": United States before Australia), then
    names starting with the text, then names with a word starting with it, then any
    other place in "Name (CODE)".
    """
    raw = query.strip().casefold()
    if not raw:
        return 0
    bare = raw.strip("()")
    folded = name.casefold()
    if bare in (code, folded):
        return 0
    if folded.startswith(bare):
        return 1
    if any(word.startswith(bare) for word in folded.replace("-", " ").split()):
        return 2
    if raw in f"{folded} ({code})":
        return 3
    return None


class CountryPicker(QWidget):
    """A multi-select list of countries, searched by name or code; Enter in the search
    box picks the best match, so "us Enter gb Enter" chooses two countries."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chosen: set[str] = set()
        self.search = QLineEdit()
        self.search.setObjectName("countrySearch")
        self.search.setPlaceholderText("Search countries, Enter picks the first")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._fill)
        self.search.returnPressed.connect(self._pick_first)
        self.list = QListWidget()
        self.list.setObjectName("countryList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemChanged.connect(self._item_changed)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.summary)
        self._fill("")

    def _fill(self, query: str) -> None:
        """Show the countries that answer `query`, best first, keeping what is chosen."""
        searching = bool(query.strip())
        ranked = sorted(
            # Not searching: the chosen countries first, where they can be seen.
            (rank if searching else int(code not in self._chosen), name, code)
            for code, name in country_names()
            if (rank := country_rank(query, code, name)) is not None
        )
        self.list.blockSignals(True)
        self.list.clear()
        for _rank, name, code in ranked:
            item = QListWidgetItem(f"{name} ({code.upper()})")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = Qt.CheckState.Checked if code in self._chosen else Qt.CheckState.Unchecked
            item.setCheckState(checked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _item_changed(self, item: QListWidgetItem) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._chosen.add(code)
        else:
            self._chosen.discard(code)
        self._changed()

    def _pick_first(self) -> None:
        if not self.search.text().strip() or not self.list.count():
            return
        item = self.list.item(0)
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
        self.search.selectAll()  # the next country's name replaces this one

    def visible_names(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def selected(self) -> list[str]:
        return sorted(self._chosen)

    def set_selected(self, codes: list[str]) -> None:
        known = {code for code, _ in country_names()}
        self._chosen = {code.lower() for code in codes} & known
        self._fill(self.search.text())
        self._changed()

    def _changed(self) -> None:
        chosen = self.selected()
        shown = ", ".join(code.upper() for code in chosen[:12]) + (
            "\u2026" if len(chosen) > 12 else ""
        )
        self.summary.setText(f"{len(chosen)} chosen: {shown}" if chosen else "None chosen")
        self.changed.emit()


@dataclass(frozen=True)
class UrlProblem:
    line: int  # 1-based, counting every line of the text box
    message: str


def url_problems(text: str) -> tuple[list[str], list[UrlProblem]]:
    """The valid URLs of a text box (one per line) and a problem per bad line."""
    urls: list[str] = []
    problems: list[UrlProblem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            urls.append(validate_url(line))
        except InputError as error:
            problems.append(UrlProblem(number, error.message))
    return urls, problems


class CheckForm(QWidget):
    """Collects the checks to run. `run_requested(list[CheckRequest])` only when all is valid."""

    run_requested = Signal(object)
    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._sandbox_base: str | None = None
        self._marking = False  # after a refused Run: re-check as the user types
        self.urls = QPlainTextEdit()
        self.urls.setObjectName("urlsEdit")
        self.urls.setPlaceholderText(
            "One offer URL per line, e.g.\nhttps://track.example.com/click?offer=123"
        )
        self.urls.setTabChangesFocus(True)
        self.urls.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.urls_error = self._error_label("urlsError")
        self.demo_button = QToolButton()
        self.demo_button.setObjectName("demoOffersButton")
        self.demo_button.setText("Add demo offers")
        self.demo_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.demo_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.demo_button.hide()  # and its menu is made when sandbox mode is first on
        self.countries = CountryPicker()
        self.countries_error = self._error_label("countriesError")
        self.device_boxes: dict[str, QCheckBox] = {}
        devices = QGridLayout()
        for index, (device, label) in enumerate(DEVICE_PRESETS.items()):
            box = QCheckBox(label)
            box.toggled.connect(lambda _on: self.changed.emit())
            self.device_boxes[device] = box
            devices.addWidget(box, index // 2, index % 2)
        self.user_agent = QLineEdit()
        self.user_agent.setObjectName("userAgentEdit")
        self.user_agent.setPlaceholderText("Custom User-Agent (optional)")
        self.devices_error = self._error_label("devicesError")
        self.preview = QLineEdit()
        self.preview.setObjectName("previewEdit")
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
        self.run_button.setToolTip(
            f"Run every URL \u00d7 country \u00d7 device ({native_keys(RUN_KEY)})"
        )
        self.run_button.clicked.connect(self.submit)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, activated=self.submit)

        self.urls.textChanged.connect(self.changed)
        self.countries.changed.connect(self.changed)
        self.user_agent.textChanged.connect(self.changed)
        self.preview.textChanged.connect(self.changed)
        self._calls_left: int | None = None
        self.changed.connect(self._on_changed)

        url_box = QWidget()
        url_layout = QVBoxLayout(url_box)
        url_layout.setContentsMargins(0, 0, 0, 0)
        url_layout.setSpacing(2)
        url_layout.addWidget(self.urls)
        url_layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)
        url_layout.addWidget(self.urls_error)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Offer URLs", url_box)
        form.addRow("Countries", self._stack(self.countries, self.countries_error))
        device_box = QWidget()
        device_layout = QVBoxLayout(device_box)
        device_layout.setContentsMargins(0, 0, 0, 0)
        device_layout.addLayout(devices)
        device_layout.addWidget(self.user_agent)
        form.addRow("Devices", self._stack(device_box, self.devices_error))
        form.addRow("Preview URL", self._stack(self.preview, self.preview_error))
        form.addRow("", self.codes)
        fields = QWidget()
        fields.setLayout(form)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(fields), 1)  # the fields scroll; cost and Run stay in view
        layout.addWidget(self.cost_label)
        layout.addWidget(self.run_button)
        self.restore()

    @staticmethod
    def _error_label(name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        set_tone(label, Tone.ERROR)
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

    def set_calls_left(self, calls_left: int | None) -> None:
        self._calls_left = calls_left
        self._update_cost()

    def _on_changed(self) -> None:
        if self._marking:
            self.collect()
        self._update_cost()

    def _update_cost(self) -> None:
        urls, problems = url_problems(self.urls.toPlainText())
        count = len(urls) * len(self.countries.selected()) * len(self.devices())
        plural = "s" if count != 1 else ""
        text = f"{count:,} check{plural} = {count:,} API call{plural}"
        if self._calls_left is not None:
            text += f" of {self._calls_left:,} left"
        if problems:
            lines = "line" if len(problems) == 1 else "lines"
            text += f" ({len(problems)} {lines} with a problem not counted)"
        over = self._calls_left is not None and count > self._calls_left
        set_tone(self.cost_label, Tone.ERROR if over else None)
        self.cost_label.setText(text)

    # --- the sandbox's demo offers ---------------------------------------------------

    def _demo_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("All demo offers", lambda: self.add_demo_offers(list(demo_offers())))
        menu.addSeparator()
        for name, description in demo_offers().items():
            action = menu.addAction(name, lambda n=name: self.add_demo_offers([n]))
            action.setToolTip(description)
            action.setStatusTip(description)
        menu.setToolTipsVisible(True)
        return menu

    def set_sandbox(self, base_url: str | None) -> None:
        """Sandbox mode on (its address) or off. Leaving it takes the sandbox's URLs out
        of the form, so they never reach the live service."""
        if base_url is None and self._sandbox_base is not None:
            kept = [line for line in self.urls.toPlainText().splitlines()
                    if not line.strip().startswith(self._sandbox_base)]  # fmt: skip
            self.urls.setPlainText("\n".join(kept).strip())
        self._sandbox_base = base_url
        if base_url is not None and self.demo_button.menu() is None:
            self.demo_button.setMenu(self._demo_menu())
        self.demo_button.setVisible(base_url is not None)
        if base_url is not None and not self.url_lines():
            self.add_demo_offers(list(demo_offers())[:4])

    def add_demo_offers(self, names: list[str]) -> None:
        if self._sandbox_base is None:
            return
        present = set(self.url_lines())
        new = [f"{self._sandbox_base}/demo/offer/{name}" for name in names]
        lines = self.url_lines() + [url for url in new if url not in present]
        self.urls.setPlainText("\n".join(lines))

    # --- validation ------------------------------------------------------------------

    def _show(self, label: QLabel, message: str) -> None:
        label.setText(message)
        label.setVisible(bool(message))

    def _mark_lines(self, problems: list[UrlProblem]) -> None:
        marks = []
        background, text = bad_line()
        for problem in problems:
            mark = QTextEdit.ExtraSelection()
            mark.format.setBackground(background)
            mark.format.setForeground(text)
            mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            mark.cursor = QTextCursor(self.urls.document().findBlockByNumber(problem.line - 1))
            marks.append(mark)
        self.urls.setExtraSelections(marks)

    def _urls_message(self, lines: list[str], problems: list[UrlProblem]) -> str:
        if not lines:
            return "Enter at least one offer URL."
        if len(lines) == 1 and problems:
            return problems[0].message
        listed = [f"Line {p.line}: {p.message}" for p in problems[:LISTED_BAD_LINES]]
        more = len(problems) - LISTED_BAD_LINES
        if more > 0:
            listed.append(f"\u2026and {more} more line{'s' if more > 1 else ''} (highlighted).")
        return "\n".join(listed)

    def collect(self) -> list[CheckRequest] | None:
        """Every check, or None after marking each bad field (no call is spent)."""
        urls, url_errors = url_problems(self.urls.toPlainText())
        self._mark_lines(url_errors)
        problems = {label: "" for label in (self.urls_error, self.countries_error,
                                            self.devices_error, self.preview_error)}  # fmt: skip
        if url_errors or not urls:
            problems[self.urls_error] = self._urls_message(self.url_lines(), url_errors)
        countries = self.countries.selected()
        if not countries:
            problems[self.countries_error] = "Choose at least one country."
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
            self._marking = True
            return None
        self._marking = False
        return expand_checks(urls, countries, devices, preview, self.codes.isChecked())

    def submit(self) -> None:
        requests = self.collect()
        if requests is not None:
            self.remember()
            self.run_requested.emit(requests)

    # --- remembered choices ----------------------------------------------------------

    def remember(self) -> None:
        """Keep the form for next time; the sandbox's URLs are never kept."""
        live = [
            line
            for line in self.urls.toPlainText().splitlines()
            if not (self._sandbox_base and line.strip().startswith(self._sandbox_base))
        ]
        if self._sandbox_base is None or live:
            self._settings.setValue("form/urls", "\n".join(live))
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
