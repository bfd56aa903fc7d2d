"""The desktop app as a person uses it: the key, the login, the form, the log.

Real window, real worker thread, the sandbox over real sockets; every step is a click,
a typed text or a shortcut on the real widgets, and every check is what the person
would then see.
"""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit

from affilitest_gui.history.export import read_csv
from affilitest_gui.keystore import ACCOUNT, SERVICE, KeyStore
from affilitest_gui.ui.crash_dialog import CrashDialog, install_crash_handler
from affilitest_gui.ui.key_dialog import LoginDialog
from affilitest_gui.ui.results_model import DEVICE_COLUMN, VERDICT_COLUMN
from tests.app_steps import (
    calls_sent,
    fill_form,
    idle,
    set_countries,
    signed_in_window,
)
from tests.conftest import run_until
from tests.person import (
    button_in,
    choose_from_button_menu,
    choose_menu,
    click,
    click_menu_item,
    closed,
    message_box,
    press,
    right_click,
    type_into,
    visible,
)

# --- the API key -------------------------------------------------------------------


def test_the_key_dialog_by_the_keyboard_and_the_mouse(
    qtbot, make_window, aloop, sandbox, memory_keyring
):
    window = make_window()
    press(qtbot, window, "Ctrl+K")
    dialog = window.key_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    click(qtbot, dialog.show_key)
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal

    type_into(qtbot, dialog.key_edit, "too-short")
    click(qtbot, dialog.save_button)
    assert "64 characters" in dialog.error_label.text()
    assert calls_sent(sandbox) == 0  # checked here, no call spent

    type_into(qtbot, dialog.key_edit, "x" * 64)  # the right length, but not a key
    click(qtbot, dialog.save_button)
    run_until(aloop, lambda: "Not saved" in dialog.status_label.text())
    assert "not accepted" in dialog.status_label.text()
    assert memory_keyring.secrets == {}  # a refused key is never kept
    assert "not signed in" in window.mode_label.text()

    type_into(qtbot, dialog.key_edit, sandbox.keys["valid"])
    click(qtbot, dialog.verify_button)
    run_until(aloop, lambda: "The key works" in dialog.status_label.text())
    assert "10,000 calls left" in dialog.status_label.text()
    assert memory_keyring.secrets == {}  # Verify only asks

    type_into(qtbot, dialog.key_edit, sandbox.keys["no_budget"])
    click(qtbot, dialog.verify_button)
    run_until(aloop, lambda: "topped up" in dialog.status_label.text())
    said = dialog.status_label.text()
    assert said.startswith("The key is valid, but its account has no calls left")
    assert dialog.status_label.property("tone") == "warning"  # not said in green
    type_into(qtbot, dialog.key_edit, sandbox.keys["valid"])

    click(qtbot, dialog.save_button)
    run_until(aloop, lambda: closed(dialog))  # Save closes the dialog
    assert memory_keyring.secrets[(SERVICE, ACCOUNT)] == sandbox.keys["valid"]
    assert "API key \u2026" + sandbox.keys["valid"][-4:] in window.mode_label.text()
    assert window.calls_label.text() == "Calls left: 10,000"
    assert "stored in" in window.statusBar().currentMessage()

    press(qtbot, window, "Ctrl+K")
    run_until(aloop, lambda: window.key_dialog is not None and window.key_dialog.isVisible())
    click(qtbot, window.key_dialog.remove_button)
    assert memory_keyring.secrets == {}
    assert "not signed in" in window.mode_label.text()


def test_without_a_keyring_the_memory_warning_is_said_once(
    qtbot, make_window, aloop, sandbox, tmp_path
):
    keystore = KeyStore(keyring.backends.fail.Keyring())
    window = make_window(keystore=keystore)
    press(qtbot, window, "Ctrl+K")
    dialog = window.key_dialog
    assert "kept in memory only" in dialog.storage_label.text()
    type_into(qtbot, dialog.key_edit, sandbox.keys["valid"])
    click(qtbot, dialog.save_button)
    run_until(aloop, lambda: closed(dialog))
    assert "memory" in window.statusBar().currentMessage()
    assert keystore.get() == sandbox.keys["valid"]
    assert not [p for p in tmp_path.rglob("*") if sandbox.keys["valid"] in _text(p)]


def _text(path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except (IsADirectoryError, PermissionError):
        return ""


def test_a_key_that_cannot_be_checked_is_saved_only_when_asked(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    # Nothing listens on port 9 here: the key cannot be checked.
    window = make_window(base_url="http://127.0.0.1:9")
    press(qtbot, window, "Ctrl+K")
    dialog = window.key_dialog
    type_into(qtbot, dialog.key_edit, sandbox.keys["valid"])
    click(qtbot, dialog.save_button)
    run_until(aloop, dialog.save_unchecked_button.isVisible)
    assert "Could not check the key" in dialog.status_label.text()
    QApplication.processEvents()
    # Each message and the button below it keep their own room: nothing overlaps.
    stacked = [dialog.error_label, dialog.status_label, dialog.save_unchecked_button,
               dialog.storage_label]  # fmt: skip
    shown = [widget.geometry() for widget in stacked if widget.isVisible() and widget.text()]
    for upper, lower in pairwise(shown):
        assert upper.bottom() < lower.top()
    label = dialog.status_label
    assert label.height() >= label.heightForWidth(label.width())  # every line of it shows
    assert memory_keyring.secrets == {}
    click(qtbot, dialog.save_unchecked_button)
    assert memory_keyring.secrets[(SERVICE, ACCOUNT)] == sandbox.keys["valid"]
    assert closed(dialog)


def test_first_start_without_a_key_opens_the_key_dialog(make_window):
    window = make_window()
    window.start()
    assert window.key_dialog is not None and window.key_dialog.isVisible()


# --- email login -------------------------------------------------------------------


def test_log_in_from_the_key_dialog_and_log_out_from_the_menu(qtbot, make_window, aloop):
    window = make_window()
    window.start()  # no key: the key dialog opens
    click(qtbot, window.key_dialog.login_button)
    [dialog] = visible(LoginDialog)
    type_into(qtbot, dialog.email_edit, "demo@sandbox.invalid")
    type_into(qtbot, dialog.password_edit, "wrong")
    click(qtbot, dialog.login_button)
    run_until(aloop, lambda: "refused" in dialog.message.text())
    type_into(qtbot, dialog.password_edit, "sandbox-demo")
    click(qtbot, dialog.login_button)
    run_until(aloop, lambda: closed(dialog))
    assert "logged in as demo@sandbox.invalid" in window.mode_label.text()
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 10,000")
    choose_menu(qtbot, window, "Account", "Log out")
    run_until(aloop, lambda: "not signed in" in window.mode_label.text())
    assert window.calls_label.text() == "Calls left: \u2014"


def test_logging_in_while_in_the_sandbox_keeps_the_login(
    qtbot, make_window, aloop, make_sandbox, sandbox
):
    demo = make_sandbox()
    window = make_window(demo=demo)
    choose_menu(qtbot, window, "Account", "Sandbox mode")
    assert "SANDBOX" in window.mode_label.text()
    choose_menu(qtbot, window, "Account", "Log in with email")
    [dialog] = visible(LoginDialog)
    type_into(qtbot, dialog.email_edit, "demo@sandbox.invalid")
    type_into(qtbot, dialog.password_edit, "sandbox-demo")
    click(qtbot, dialog.login_button)
    run_until(aloop, lambda: closed(dialog))
    # Out of the sandbox, on the live service, and the login still works for calls.
    assert "SANDBOX" not in window.windowTitle()
    assert "logged in as demo@sandbox.invalid" in window.mode_label.text()
    assert sandbox.server.base_url.split("//")[1] in window.mode_label.text()
    press(qtbot, window, "F5")
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 10,000")
    assert window.account.state.verified


# --- the check form ----------------------------------------------------------------


def test_two_links_run_together_are_marked_and_a_link_as_a_value_is_not(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    form = window.form
    inner = f"{sandbox.base_url}/demo/offer/game?url=https://o.example/x&u=https%3A%2F%2Fb"
    type_into(qtbot, form.urls, f"{inner}\nhttps://t.example/clk333https://o.example/x")
    click(qtbot, form.run_button)
    assert "Line 2: Two links run together here" in form.urls_error.text()
    assert "Line 1" not in form.urls_error.text()  # a link as a parameter's value is fine
    assert window.batches.progress.total == 0
    assert sandbox.server.stats.requests("/api/v1/test") == []  # no call spent


def test_every_bad_line_is_marked_and_each_mark_goes_when_fixed(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 10,000")
    form = window.form
    good = f"{sandbox.base_url}/demo/offer/game"
    type_into(qtbot, form.urls, f"{good}\nnot a url\nhttps://exa mple.com/x")
    assert form.cost_label.text().startswith("1 check = 1 API call of 10,000 left")
    assert "2 lines with a problem not counted" in form.cost_label.text()
    click(qtbot, form.run_button)
    shown = form.urls_error.text()
    assert form.urls_error.isVisible()
    assert "Line 2: The URL must start with http:// or https://." in shown
    assert "Line 3: The URL contains a space" in shown
    assert len(form.urls.extraSelections()) == 2  # both lines highlighted
    assert window.batches.progress.total == 0
    type_into(qtbot, form.urls, f"{good}\nhttps://example.com/x")
    assert not form.urls_error.isVisible()  # fixed: the mark goes while typing
    assert form.urls.extraSelections() == []
    calls_before = calls_sent(sandbox)
    set_countries(qtbot, form.countries, [])
    click(qtbot, form.run_button)
    assert form.countries_error.text() == "Choose at least one country."
    set_countries(qtbot, form.countries, ["gb"])
    assert not form.countries_error.isVisible()
    assert calls_sent(sandbox) == calls_before  # none of it cost a call


def test_countries_by_code_or_name_in_the_search_box(qtbot, make_window):
    picker = make_window().form.countries
    type_into(qtbot, picker.search, "us")
    assert picker.visible_names()[0] == "United States (US)"  # the exact code first
    type_into(qtbot, picker.search, "germ")
    assert picker.visible_names() == ["Germany (DE)"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    type_into(qtbot, picker.search, "(il)")
    assert picker.visible_names() == ["Israel (IL)"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.selected() == ["de", "il", "us"]
    assert picker.summary.text() == "3 chosen: DE, IL, US"
    type_into(qtbot, picker.search, "")
    assert picker.visible_names()[:3] == ["Germany (DE)", "Israel (IL)", "United States (US)"]


def test_run_anyway_with_no_calls_left_spends_one_call_then_pauses(
    qtbot, make_window, aloop, make_sandbox, memory_keyring
):
    server = make_sandbox(budget=2)
    window = signed_in_window(make_window, memory_keyring, server)
    fill_form(qtbot, window, server, ["game"], ["us", "gb"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 2 and idle(window))
    press(qtbot, window, "F5")
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 0")
    fill_form(qtbot, window, server, ["game", "js"], ["us", "gb", "de", "fr"],
              ["android", "iphone"])  # fmt: skip
    press(qtbot, window, "Ctrl+Return")
    click(qtbot, button_in(message_box(qtbot, "Not enough calls left"), "Run all 16 anyway"))
    run_until(aloop, lambda: window.error_dialog is not None)
    assert len(server.server.stats.requests("/api/v1/test")) == 2 + 1  # one refusal, not 16
    assert window.progress.summary.text().startswith("Paused")


def test_a_batch_bigger_than_the_budget_asks_first(
    qtbot, make_window, aloop, make_sandbox, memory_keyring
):
    server = make_sandbox(budget=3)
    window = signed_in_window(make_window, memory_keyring, server)
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 3")
    fill_form(qtbot, window, server, ["game", "js"], ["us", "gb"], ["android"])
    press(qtbot, window, "Ctrl+Return")
    box = message_box(qtbot, "Not enough calls left")
    assert "needs 4 calls" in box.text() and "3 left" in box.text()
    assert window.batches.progress.total == 0  # nothing queued until confirmed
    click(qtbot, button_in(box, "Run all 4 anyway"))
    assert window.batches.progress.total == 4
    # The 4th call is refused for budget: paused, with a way out, and no Resume.
    run_until(aloop, lambda: window.store.count() == 3 and window.error_dialog is not None)
    dialog = window.error_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "No calls left"
    assert [b.text() for b in dialog.action_buttons.values()] == [
        "Open affilitest.com", "Enter API key\u2026", "Log in\u2026"
    ]
    panel = window.progress
    assert panel.summary.text().startswith("Paused")
    assert not panel.resume_button.isEnabled()
    assert "No calls left" in panel.blocker.text() and panel.blocker.isVisible()
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 0")


# --- the log -----------------------------------------------------------------------


def test_a_batch_fills_the_log_with_plain_words_and_the_chain(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game", "broken", "loop"], ["us", "br"],
              ["android", "desktop"])  # fmt: skip
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 12 and idle(window))
    run_until(aloop, lambda: window.model.total == 12)
    verdicts = {(r.url.rsplit("/", 1)[1], r.country, r.device): r.verdict
                for r in window.store.iter_all()}  # fmt: skip
    assert verdicts[("game", "us", "android")] == "Lands on Play Store: com.example.game"
    assert verdicts[("game", "br", "android")] == "Lands on 127.0.0.1/demo/unavailable"
    assert verdicts[("broken", "us", "desktop")] == "Broken: ends in 404"
    assert verdicts[("loop", "br", "android")] == "Redirect loop"
    assert window.progress.summary.text() == "Finished: 12 of 12 checked."
    assert window.progress.activity.text() == ""
    assert not window.progress.throttle_label.text().startswith("Waiting")
    devices = {window.model.data(window.model.index(row, DEVICE_COLUMN)) for row in range(12)}
    assert devices == {"Android phone", "Desktop computer"}  # as the form names them
    table = window.results.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(window.model.index(0, 0)).center())  # fmt: skip
    detail = window.results.detail.toPlainText()
    assert "Redirect chain" in detail and "302" in detail
    type_into(qtbot, window.results.filter_edit, "broken")
    assert window.model.rowCount() == 8  # by health: the broken offer and the loops
    type_into(qtbot, window.results.filter_edit, "offer/broken")
    assert window.model.rowCount() == 4
    assert window.results.detail.toPlainText() == ""  # nothing selected any more


def test_the_narrow_window_still_shows_offer_and_verdict(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    window.resize(1024, 700)
    fill_form(qtbot, window, sandbox, ["game"], ["us"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.model.total == 1 and idle(window))
    table = window.results.table
    right_edge = table.columnViewportPosition(VERDICT_COLUMN) + table.columnWidth(VERDICT_COLUMN)
    assert right_edge <= table.viewport().width()
    assert window.form.run_button.isVisible()


def test_rerun_from_the_context_menu_asks_exactly_what_was_asked(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game"], ["gb"], ["iphone"])
    click(qtbot, window.form.codes)  # no status codes this time
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.model.total == 1 and idle(window))
    click(qtbot, window.form.codes)  # the form asks for codes again...
    table = window.results.table
    cell = table.visualRect(window.model.index(0, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    menu = right_click(qtbot, table.viewport(), cell)
    click_menu_item(qtbot, menu, "Re-run 1 check")
    run_until(aloop, lambda: window.model.total == 2 and idle(window))
    first, again = window.store.page(limit=2)[::-1]
    assert again.request == first.request  # ...but the re-run asks what the first did
    assert again.codes is False
    assert all(code is None for _, code in again.hops)  # no codes were asked for
    assert "no status code: status codes were not asked for" in window.results.detail.toPlainText()


def test_the_log_survives_a_restart_and_exports_what_is_visible(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game", "broken"], ["us"], ["android", "iphone"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))
    press(qtbot, window, "Ctrl+Q")
    assert not window.isVisible()
    window.store.close()
    again = make_window()
    assert again.model.total == 4
    type_into(qtbot, again.results.filter_edit, "broken")
    assert again.model.rowCount() == 2
    path = tmp_path / "visible.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "CSV"))
    press(qtbot, again, "Ctrl+E")
    rows = read_csv(path)
    assert {row.verdict for row in rows} == {"Broken: ends in 404"}
    assert f"Exported 2 rows to {path}" in again.statusBar().currentMessage()


def test_an_export_over_a_file_excel_holds_says_so_and_keeps_the_old_file(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    """Windows refuses to replace a file Excel has open (PermissionError): simulated by
    refusing the final replace; a folder in the way is a real error on any OS."""
    import os

    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game"], ["us"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 1 and idle(window))
    path = tmp_path / "results.csv"
    path.write_text("the old export, open in Excel")
    replace = os.replace

    def excel_holds(source, target):
        if Path(target) == path:
            raise PermissionError(13, "The process cannot access the file", str(target))
        return replace(source, target)

    monkeypatch.setattr(os, "replace", excel_holds)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "CSV"))
    press(qtbot, window, "Ctrl+E")
    box = message_box(qtbot, "Export failed")
    assert box.text() == ("results.csv could not be written: it is open in another program "
                          "(Excel?), or this folder cannot be written to.")  # fmt: skip
    assert "Close it in Excel" in box.informativeText()
    click(qtbot, button_in(box, "OK"))
    assert path.read_text() == "the old export, open in Excel"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    folder = tmp_path / "a folder.csv"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), "CSV"))
    press(qtbot, window, "Ctrl+E")
    box = message_box(qtbot, "Export failed")
    assert box.text().startswith("a folder.csv could not be written: is a directory")
    assert "Choose another name or folder" in box.informativeText()
    assert folder.is_dir() and not list(folder.iterdir())


def test_the_sandbox_is_marked_offers_its_demos_and_stays_apart(
    qtbot, make_window, aloop, memory_keyring, sandbox, make_sandbox
):
    demo = make_sandbox()
    window = signed_in_window(make_window, memory_keyring, sandbox, demo=demo)
    fill_form(qtbot, window, sandbox, ["game"], ["us"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.model.total == 1 and idle(window))
    live_urls = window.form.urls.toPlainText()

    choose_menu(qtbot, window, "Account", "Sandbox mode")
    assert "SANDBOX" in window.windowTitle() and window.banner.isVisible()
    assert window.model.total == 0  # the live log is not mixed in
    choose_from_button_menu(qtbot, window.form.demo_button, "broken")
    assert f"{demo.base_url}/demo/offer/broken" in window.form.urls.toPlainText()
    set_countries(qtbot, window.form.countries, ["gb"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.model.total >= 1 and idle(window))
    assert "in the sandbox" in window.results.count_label.text()

    choose_menu(qtbot, window, "Account", "Sandbox mode")
    assert not window.banner.isVisible()
    assert demo.base_url not in window.form.urls.toPlainText()  # demo URLs stay behind
    assert window.form.urls.toPlainText() == live_urls
    assert window.model.total == 1 and not window.model.record(0).sandbox


def test_the_crash_dialog_shows_redacted_details(qtbot):
    secret = "s" * 64
    previous = sys.excepthook
    hook = install_crash_handler(lambda: [secret])
    try:
        try:
            raise RuntimeError(f"boom with Authorization: AT-API {secret}")
        except RuntimeError as error:
            hook(type(error), error, error.__traceback__)
        crash = [w for w in QApplication.allWidgets()
                 if isinstance(w, CrashDialog) and w.isVisible()]  # fmt: skip
        assert len(crash) == 1
        text = crash[0].details.toPlainText()
        assert "RuntimeError" in text and secret not in text
        click(qtbot, button_in(crash[0], "Close"))
        assert closed(crash[0])
    finally:
        sys.excepthook = previous


def test_the_self_test_runs_a_real_check_and_reports(tmp_path):
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "affilitest_gui", f"--self-test={report}"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(report.read_text())
    assert result["ok"] is True
    assert all(result["checks"].values())
    assert result["verdict"] == "Lands on Play Store: com.example.game"
    assert result["keyring"]["backend"]


def test_app_info_lookup_by_typing_and_enter(qtbot, make_window, aloop, memory_keyring, sandbox):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    tabs = window.tabs.tabBar()
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(1).center())
    panel = window.app_info
    assert panel.isVisible()
    click(qtbot, panel.lookup_button)
    assert "store URL" in panel.error.text()
    type_into(qtbot, panel.query, "https://play.google.com/store/apps/details?id=com.example.game")
    qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    run_until(aloop, lambda: "Example Quest" in panel.result.toPlainText())
    type_into(qtbot, panel.query, "1234567890")
    click(qtbot, panel.lookup_button)
    assert "needs a country" in panel.error.text()
    type_into(qtbot, panel.query, "com.unknown.app")
    click(qtbot, panel.lookup_button)
    run_until(aloop, lambda: "App not found" in panel.result.toPlainText())


def test_the_status_bar_names_the_host_in_use(make_window):
    window = make_window(base_url="http://127.0.0.1:9")
    assert window.mode_label.text() == "Live \u00b7 127.0.0.1:9 \u00b7 not signed in"


def test_the_detail_pane_says_why_a_hop_has_no_code():
    from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
    from affilitest_gui.judging.records import record_for
    from affilitest_gui.ui.results_panel import detail_html

    def detail(request, hops, **where) -> str:
        return detail_html(record_for(request, result=CheckResult(request, hops), **where))

    asked = CheckRequest.create("https://t.example/o", "us", "android")
    hops = (Hop("https://t.example/o", 302), Hop("https://play.google.com/x?id=a.b", None))
    live = detail(asked, hops)
    assert "no status code: AffiliTest reported no status" in live
    assert "<b>302</b>" in live and "<b>&mdash;</b>" in live
    assert "without opening them" in detail(asked, hops, sandbox=True)
    assert "no status code" not in detail(asked, hops[:1])
    not_asked = CheckRequest.create("https://t.example/o", "us", "android", None, False)
    assert "were not asked for" in detail(not_asked, tuple(Hop(h.url, None) for h in hops))


def test_a_missed_preview_is_marked_broken_live_and_after_a_restart(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    from PySide6.QtGui import QColor

    from affilitest_gui.ui.style import Tone, tone_color

    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game"], ["us"], ["android"])
    type_into(qtbot, window.form.preview, "https://play.google.com/store/apps/details?id=other")
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.model.total == 1 and idle(window))

    def verdict_colour(shown) -> tuple[str, QColor | None]:
        index = shown.model.index(0, VERDICT_COLUMN)
        brush = shown.model.data(index, Qt.ItemDataRole.ForegroundRole)
        return shown.model.data(index), brush.color() if brush is not None else None

    live = verdict_colour(window)
    assert live[0].startswith("Misses the preview page")
    assert live[1] == QColor(tone_color(Tone.BROKEN))
    press(qtbot, window, "Ctrl+Q")
    window.store.close()
    assert verdict_colour(make_window()) == live


def test_opening_reads_one_page_of_the_log_and_the_offers_only_when_their_tab_opens(
    qtbot, make_window, monkeypatch
):
    from affilitest_gui.history.offer_book import OfferBook
    from affilitest_gui.history.store import HistoryStore

    reads: list[str] = []
    page, statuses = HistoryStore.page, OfferBook.statuses

    def counted(name: str, read):
        return lambda self, **kw: reads.append(name) or read(self, **kw)

    monkeypatch.setattr(HistoryStore, "page", counted("log page", page))
    monkeypatch.setattr(OfferBook, "statuses", counted("offers", statuses))
    window = make_window()
    assert reads == ["log page"]  # newest first, read once (a big history: one query)
    press(qtbot, window, "Ctrl+2")
    assert reads == ["log page", "offers"]
    assert window.offers_view.empty_hint.isVisible()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="open files are read from /proc")
def test_after_quit_no_file_of_the_data_folder_stays_open(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path
):
    """On Windows an open file keeps its folder from being removed (the self-test's
    temporary folder): the shared send log is closed when the worker stops."""
    import os

    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game"], ["us"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 1 and idle(window))

    def open_here() -> list[str]:
        targets = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                targets.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                continue  # closed meanwhile
        return [t for t in targets if t.startswith(str(tmp_path))]

    assert any(t.endswith("sends.sqlite3") for t in open_here())
    press(qtbot, window, "Ctrl+Q")
    window.store.close()  # as the self-test does before removing its folder
    assert open_here() == []
