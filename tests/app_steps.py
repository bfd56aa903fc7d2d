"""Steps shared by the app tests: filling the form as a person does, a returning user."""

from __future__ import annotations

from PySide6.QtCore import Qt

from affilitest_gui.keystore import ACCOUNT, SERVICE
from tests.person import click, type_into


def offer_urls(server, offers) -> str:
    """Demo offers by name ("game"), or whole URLs as they are."""
    return "\n".join(
        offer if offer.startswith("http") else f"{server.base_url}/demo/offer/{offer}"
        for offer in offers
    )


def set_countries(qtbot, picker, wanted) -> None:
    """Through the search box: type a code, Enter picks (or drops) the best match."""
    for code in sorted(set(picker.selected()) ^ set(wanted)):
        type_into(qtbot, picker.search, code)
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.selected() == sorted(wanted)


def fill_form(qtbot, window, server, offers, countries, devices) -> None:
    form = window.form
    type_into(qtbot, form.urls, offer_urls(server, offers))
    set_countries(qtbot, form.countries, countries)
    for device, box in form.device_boxes.items():
        if box.isChecked() != (device in devices):
            click(qtbot, box)


def signed_in_window(make_window, memory_keyring, server, **options):
    """A returning user: the key is in the keyring when the app starts."""
    memory_keyring.set_password(SERVICE, ACCOUNT, server.keys["valid"])
    window = make_window(server=server, **options)
    window.start()
    return window


def calls_sent(server) -> int:
    return sum(server.server.stats.statuses.values())


def idle(window) -> bool:
    """The batch is over as the person sees it: the panel says "Finished"."""
    return not window.batches.progress.active and window.progress.summary.text().startswith(
        "Finished"
    )
