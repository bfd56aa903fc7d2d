"""App info: a store URL or a package (+ country) -> the app's details."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.catalog import describe
from affilitest_gui.api.errors import AffiliTestError, InputError
from affilitest_gui.api.models import AppInfo
from affilitest_gui.api.validation import validate_country, validate_url
from affilitest_gui.ui.style import Tone, set_tone, tone_style
from affilitest_gui.ui.tasks import spawn

if TYPE_CHECKING:
    from affilitest_gui.session.account import AccountSession


def app_info_html(info: AppInfo) -> str:
    if not isinstance(info.raw, dict):
        return f"<p>{html.escape(str(info.raw))}</p>"
    rows = "".join(
        f"<tr><td><b>{html.escape(str(key))}</b></td><td>{html.escape(str(value))}</td></tr>"
        for key, value in info.raw.items()
    )
    title = html.escape(info.title or info.package or "App")
    return f"<h3>{title}</h3><table cellspacing='4'>{rows}</table>"


class AppInfoPanel(QWidget):
    """Looks up an app by store URL, package or App Store id, through the worker."""

    def __init__(self, account: AccountSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._account = account
        self.query = QLineEdit()
        self.query.setObjectName("appQuery")
        self.query.setPlaceholderText("Store URL, Android package or App Store id")
        self.country = QLineEdit()
        self.country.setPlaceholderText("us")
        self.country.setMaximumWidth(60)
        self.error = QLabel("")
        set_tone(self.error, Tone.ERROR)
        self.error.setWordWrap(True)
        self.lookup_button = QPushButton("Look up")
        self.lookup_button.clicked.connect(self._look_up_clicked)
        self.query.returnPressed.connect(self.lookup_button.click)
        self.result = QTextBrowser()
        self.result.setObjectName("appInfoResult")
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(QLabel("Country"))
        row.addWidget(self.country)
        row.addWidget(self.lookup_button)
        form.addRow("App", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.result, 1)

    def _params(self) -> dict[str, str] | None:
        text = self.query.text().strip()
        params: dict[str, str] = {}
        try:
            if not text:
                raise InputError("app", "Enter a store URL, a package name or an App Store id.")
            if text.lower().startswith(("http://", "https://")):
                params["url"] = validate_url(text)
            else:
                params["package"] = text
            if self.country.text().strip():
                params["country"] = validate_country(self.country.text())
            elif text.isdigit():
                raise InputError("country", "An App Store id needs a country (like us).")
        except InputError as error:
            self.error.setText(error.message)
            return None
        self.error.setText("")
        return params

    def _look_up_clicked(self) -> None:
        """Bad input is marked at once, here, and costs no call."""
        params = self._params()
        if params is not None:
            spawn(self.look_up(params))

    async def look_up(self, params: dict[str, str]) -> None:
        self.lookup_button.setEnabled(False)
        self.result.setHtml("<p>Looking up\u2026</p>")
        try:
            info = await self._account.look_up_app(**params)
        except AffiliTestError as error:
            explained = describe(error)
            self.result.setHtml(
                f"<p style='{tone_style(Tone.ERROR)}'><b>{html.escape(explained.title)}</b></p>"
                f"<p>{html.escape(explained.explanation)}</p><p>{html.escape(explained.advice)}</p>"
            )
        else:
            self.result.setHtml(app_info_html(info))
        finally:
            self.lookup_button.setEnabled(True)
