"""The desktop app end to end: real window, real worker thread, sandbox over real sockets."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import keyring.backends.fail
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from affilitest_gui.api.catalog import Action, entry_for_message
from affilitest_gui.api.limits import RateLimit
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.history.export import read_csv
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.keystore import ACCOUNT, SERVICE, KeyStore
from affilitest_gui.sandbox import Fault
from affilitest_gui.ui.crash_dialog import CrashDialog, install_crash_handler
from affilitest_gui.ui.error_dialog import ACTION_BUTTONS, ErrorDialog
from affilitest_gui.ui.key_dialog import LoginDialog
from affilitest_gui.ui.main_window import VENDOR_URL, MainWindow
from affilitest_gui.worker.api_worker import ApiWorker
from affilitest_gui.worker.controller import WorkerController
from tests.conftest import FAST_RETRY, run_until
from tests.test_catalog import EXPECTED_401_ACTIONS, SEED_401


@pytest.fixture
def make_window(qtbot, tmp_path, sandbox):
    windows: list[MainWindow] = []

    def make(*, server=None, concurrency: int = 12, keystore: KeyStore | None = None,
             rate: RateLimit | None = None) -> MainWindow:  # fmt: skip
        server = server or sandbox
        kwargs = {"concurrency": concurrency, "retry": FAST_RETRY}
        if rate is not None:
            kwargs["rate"] = rate
        window = MainWindow(
            WorkerController(ApiWorker(server.base_url, **kwargs)),
            HistoryStore(tmp_path / "history.sqlite3"),
            keystore or KeyStore(),
            QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
            start_sandbox=lambda: server,
            live_base_url=server.base_url,
            open_url=opened.append,
        )
        window.opened = opened  # type: ignore[attr-defined]
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    opened: list[str] = []
    yield make
    for window in windows:
        window.close()
        window.store.close()


def fill_form(window: MainWindow, sandbox, offers, countries, devices) -> None:
    form = window.form
    form.urls.setPlainText("\n".join(f"{sandbox.base_url}/demo/offer/{o}" for o in offers))
    form.countries.set_selected(countries)
    for device, box in form.device_boxes.items():
        box.setChecked(device in devices)


def error_dialogs(window: MainWindow) -> list[ErrorDialog]:
    return [d for d in window.findChildren(ErrorDialog) if d.isVisible()]


def idle(window: MainWindow) -> bool:
    return not window.progress.cancel_button.isEnabled()


# --- key setup ---------------------------------------------------------------------


def test_key_dialog_checks_locally_verifies_saves_and_removes(
    make_window, aloop, sandbox, memory_keyring
):
    window = make_window()
    window.show_key_dialog()
    dialog = window.key_dialog
    assert dialog.key_edit.echoMode() == dialog.key_edit.EchoMode.Password
    dialog.show_key.setChecked(True)
    assert dialog.key_edit.echoMode() == dialog.key_edit.EchoMode.Normal

    dialog.key_edit.setText("too-short")
    dialog.save()
    aloop.run_until_complete(dialog.verify())
    assert "64 characters" in dialog.error_label.text()
    assert memory_keyring.secrets == {}
    assert sum(sandbox.server.stats.statuses.values()) == 0  # no call spent

    dialog.key_edit.setText("0" * 64)
    aloop.run_until_complete(dialog.verify())
    assert "not accepted" in dialog.status_label.text()

    valid = sandbox.keys["valid"]
    dialog.key_edit.setText(f"  {valid}\n")
    aloop.run_until_complete(dialog.verify())
    assert "The key works: 10,000 calls left" in dialog.status_label.text()
    dialog.save()
    assert memory_keyring.secrets[(SERVICE, ACCOUNT)] == valid
    assert "stored in" in dialog.status_label.text()
    assert window.api_key == valid

    dialog.remove()
    assert memory_keyring.secrets == {}
    assert window.api_key is None


def test_without_a_secure_keyring_the_dialog_says_the_key_stays_in_memory(
    make_window, sandbox, tmp_path
):
    window = make_window(keystore=KeyStore(keyring.backends.fail.Keyring()))
    window.show_key_dialog()
    dialog = window.key_dialog
    assert "kept in memory only" in dialog.storage_label.text()
    dialog.key_edit.setText(sandbox.keys["valid"])
    dialog.save()
    assert "memory" in dialog.status_label.text()
    assert window.keystore.get() == sandbox.keys["valid"]
    assert not list(tmp_path.glob("*key*"))


def test_first_start_without_a_key_opens_the_key_dialog(make_window):
    window = make_window()
    window.start()
    assert window.key_dialog is not None and window.key_dialog.isVisible()


def test_login_with_email_and_password(make_window, aloop, sandbox):
    window = make_window()
    window.show_login_dialog()
    [dialog] = [d for d in window.findChildren(LoginDialog) if d.isVisible()]
    dialog.email_edit.setText("demo@sandbox.invalid")
    dialog.password_edit.setText("wrong")
    aloop.run_until_complete(dialog.log_in())
    assert "refused" in dialog.message.text() or "Incorrect" in dialog.message.text()
    dialog.password_edit.setText("sandbox-demo")
    aloop.run_until_complete(dialog.log_in())
    assert window.logged_in
    run_until(aloop, lambda: window.calls_left == 10_000)


# --- the check form ----------------------------------------------------------------


def test_bad_input_is_marked_next_to_the_field_and_costs_no_call(make_window, sandbox):
    window = make_window()
    window.use_key(sandbox.keys["valid"])
    form = window.form
    form.urls.setPlainText("https://ok.example/offer\nnot a url")
    form.countries.set_selected([])
    for box in form.device_boxes.values():
        box.setChecked(False)
    form.user_agent.setText("bad\x01agent")
    form.preview.setText("ftp://x")
    form.submit()
    assert form.urls_error.isVisibleTo(form) and "Line 2" in form.urls_error.text()
    assert "country" in form.countries_error.text()
    assert "control characters" in form.devices_error.text()
    assert "http" in form.preview_error.text()
    assert window.progress.total == 0
    requests_before = sum(sandbox.server.stats.statuses.values())
    assert requests_before <= 1  # only the calls-left refresh, never a check


def test_the_form_shows_the_cost_and_remembers_choices(make_window, sandbox, aloop):
    window = make_window()
    window.use_key(sandbox.keys["valid"])
    run_until(aloop, lambda: window.calls_left == 10_000)
    fill_form(window, sandbox, ["game", "js"], ["us", "gb"], ["android", "iphone", "ipad"])
    assert window.form.cost_label.text() == "12 checks = 12 API calls of 10,000 left"
    window.form.remember()
    again = make_window()
    assert again.form.countries.selected() == ["gb", "us"] or set(
        again.form.countries.selected()
    ) == {"gb", "us"}
    assert [d for d, box in again.form.device_boxes.items() if box.isChecked()] == [
        "android",
        "iphone",
        "ipad",
    ]


def test_country_search_by_name_or_code(make_window):
    picker = make_window().form.countries
    picker.search.setText("germ")
    visible = [picker.list.item(i).text() for i in range(picker.list.count())
               if not picker.list.item(i).isHidden()]  # fmt: skip
    assert visible == ["Germany (DE)"]
    picker.search.setText("(il)")
    visible = [picker.list.item(i).text() for i in range(picker.list.count())
               if not picker.list.item(i).isHidden()]  # fmt: skip
    assert visible == ["Israel (IL)"]


def test_a_batch_bigger_than_the_budget_needs_confirmation(make_window, sandbox, aloop):
    window = make_window()
    window.use_key(sandbox.keys["valid"])
    run_until(aloop, lambda: window.calls_left == 10_000)
    window.form.set_calls_left(3)
    window.calls_left = 3
    fill_form(window, sandbox, ["game", "js"], ["us", "gb"], ["android"])
    window.form.submit()
    assert window.progress.total == 0  # nothing queued until confirmed
    [box] = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert "needs 4 calls" in box.text() and "3 left" in box.text()
    [confirm] = [b for b in box.buttons() if b.text() == "Run all 4 anyway"]
    confirm.click()
    assert window.progress.total == 4
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))


# --- batches through the worker ----------------------------------------------------


def test_a_batch_flows_through_the_worker_into_the_log_and_the_database(
    make_window, aloop, sandbox
):
    window = make_window()
    window.use_key(sandbox.keys["valid"])
    fill_form(window, sandbox, ["game", "broken", "loop"], ["us", "br"], ["android", "desktop"])
    window.form.submit()
    run_until(aloop, lambda: window.store.count() == 12 and idle(window))
    assert window.model.total == 12
    verdicts = {(r.url.rsplit("/", 1)[1], r.country, r.device): r.verdict
                for r in window.store.iter_all()}  # fmt: skip
    assert verdicts[("game", "us", "android")] == "Lands on Play Store: com.example.game"
    assert verdicts[("game", "br", "android")] == "Lands on 127.0.0.1/demo/unavailable"
    assert verdicts[("broken", "us", "desktop")] == "Broken: ends in 404"
    assert verdicts[("loop", "br", "android")] == "Redirect loop"
    assert window.progress.summary.text() == "Finished: 12 of 12 checked."
    assert error_dialogs(window) == []
    window.results.table.selectRow(0)
    detail = window.results.detail.toPlainText()
    assert "Redirect chain" in detail and "302" in detail


def test_500s_retry_silently_then_succeed(make_window, aloop, sandbox):
    window = make_window(concurrency=1)
    window.use_key(sandbox.keys["valid"])
    sandbox.server.push_fault(Fault(500, '{"error": "Internal Server Error"}', times=2,
                                    path="/api/v1/test"))  # fmt: skip
    fill_form(window, sandbox, ["game"], ["us"], ["android"])
    window.form.submit()
    run_until(aloop, lambda: window.store.count() == 1 and idle(window))
    [record] = window.store.page()
    assert (record.outcome, record.attempts) == ("ok", 3)
    assert error_dialogs(window) == []


def test_a_429_shows_in_the_throttle_indicator_never_as_a_dialog(make_window, aloop, make_sandbox):
    server = make_sandbox(limit=3, window_s=1.0)
    fast = RateLimit(limit=100, window_s=1.0, margin_s=0.0, min_spacing_s=0.0)
    window = make_window(server=server, concurrency=6, rate=fast)
    window.use_key(server.keys["valid"])
    fill_form(window, server, ["game", "js", "meta"], ["us", "gb"], ["android"])
    window.form.submit()
    run_until(aloop, lambda: window.store.count() == 6 and idle(window))
    assert server.server.stats.statuses[429] > 0
    assert all(r.outcome == "ok" for r in window.store.iter_all())
    assert error_dialogs(window) == []


ACCOUNT_CASES = [(message, None) for message in SEED_401] + [
    (None, "no_budget"),
    (None, "no_permission"),
]


@pytest.mark.parametrize(("message", "bad_key"), ACCOUNT_CASES)
def test_account_errors_pause_with_one_dialog_and_resume_after_the_fix(
    make_window, aloop, sandbox, message, bad_key
):
    window = make_window(concurrency=1)
    window.use_key(sandbox.keys[bad_key] if bad_key else sandbox.keys["valid"])
    if message:
        body = json.dumps({"error": message, "data": None, "meta": {}})
        sandbox.server.push_fault(Fault(401, body, path="/api/v1/test"))
    fill_form(window, sandbox, ["game", "js"], ["us", "gb"], ["android"])
    window.form.submit()
    run_until(aloop, lambda: error_dialogs(window))
    aloop.run_until_complete(asyncio.sleep(0.3))  # a second dialog would have shown by now
    [dialog] = error_dialogs(window)
    expected = entry_for_message(message) if message else None
    if expected is not None:
        assert dialog.windowTitle() == expected.title
        assert dialog.explanation.action is EXPECTED_401_ACTIONS[message]
    else:
        assert dialog.explanation.action is Action.CHECK_PAYMENT
    if dialog.explanation.action in ACTION_BUTTONS:
        assert dialog.action_button.text() == ACTION_BUTTONS[dialog.explanation.action]
    assert "Paused" in window.progress.summary.text()
    assert window.progress.resume_button.isEnabled()
    assert window.store.count() == 0  # every check still queued, untouched

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "support.affilitest" in copied
    assert window.api_key not in copied

    if dialog.action_button is not None:
        dialog.action_button.click()
        if dialog.explanation.action is Action.ENTER_KEY:
            assert window.key_dialog is not None and window.key_dialog.isVisible()
        elif dialog.explanation.action is Action.LOGIN:
            assert any(d.isVisible() for d in window.findChildren(LoginDialog))
        else:
            assert window.opened == [VENDOR_URL]
    window.use_key(sandbox.keys["valid"])  # the fix
    window.resume()
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))
    assert {r.outcome for r in window.store.iter_all()} == {"ok"}


def test_quitting_mid_batch_is_quick_clean_and_keeps_what_was_not_checked(
    make_window, aloop, make_sandbox
):
    server = make_sandbox(latency_s=0.4)
    window = make_window(server=server, concurrency=2)
    window.use_key(server.keys["valid"])
    fill_form(window, server, ["game", "js", "meta"], ["us", "gb", "de", "fr"], ["android"])
    window.form.submit()
    run_until(aloop, lambda: window.store.count() >= 1)
    started = time.monotonic()
    window.close()
    assert time.monotonic() - started < 2.0
    assert not window.controller.thread.isRunning()
    outcomes = [r.outcome for r in window.store.iter_all()]
    assert len(outcomes) == 12  # each check: done, or recorded as not checked
    assert "cancelled" in outcomes


def test_the_log_survives_a_restart_and_exports_what_is_visible(
    make_window, aloop, sandbox, tmp_path
):
    window = make_window()
    window.use_key(sandbox.keys["valid"])
    fill_form(window, sandbox, ["game", "broken"], ["us"], ["android", "iphone"])
    window.form.submit()
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))
    window.close()
    window.store.close()
    again = make_window()
    assert again.model.total == 4
    again.results.filter_edit.setText("broken")
    assert again.model.rowCount() == 2
    path = tmp_path / "visible.csv"
    assert again.export_to(path, visible_only=True) == 2
    assert {row.verdict for row in read_csv(path)} == {"Broken: ends in 404"}
    assert again.export_to(tmp_path / "all.csv", visible_only=False) == 4


def test_sandbox_mode_is_marked_everywhere(make_window, aloop, sandbox):
    window = make_window()
    window.enable_sandbox()
    assert "SANDBOX" in window.windowTitle()
    assert window.banner.isVisible()
    fill_form(window, sandbox, ["game"], ["us"], ["android"])
    window.form.submit()
    run_until(aloop, lambda: window.model.total == 1)
    [record] = window.store.page()
    assert record.sandbox
    assert window.model.data(window.model.index(0, 4)).startswith("[sandbox]")


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
        crash[0].close()
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


def test_app_info_lookup_through_the_worker(make_window, aloop, sandbox):
    window = make_window()
    window.use_key(sandbox.keys["valid"])
    panel = window.app_info
    panel.query.setText("")
    aloop.run_until_complete(panel.look_up())
    assert "store URL" in panel.error.text()
    panel.query.setText("https://play.google.com/store/apps/details?id=com.example.game")
    aloop.run_until_complete(panel.look_up())
    assert "Example Quest" in panel.result.toPlainText()
    panel.query.setText("1234567890")
    aloop.run_until_complete(panel.look_up())
    assert "needs a country" in panel.error.text()
    panel.query.setText("com.unknown.app")
    aloop.run_until_complete(panel.look_up())
    assert "App not found" in panel.result.toPlainText()


def test_failures_after_retries_end_in_one_dialog_whose_retry_reruns_them(
    make_window, aloop, sandbox
):
    window = make_window(concurrency=1)
    window.use_key(sandbox.keys["valid"])
    sandbox.server.push_fault(Fault(503, "", times=6, path="/api/v1/test"))
    fill_form(window, sandbox, ["game", "js"], ["us"], ["android"])
    window.form.submit()
    run_until(aloop, lambda: window.store.count() == 2 and idle(window))
    assert {r.verdict for r in window.store.iter_all()} == {"Failed: AffiliTest had a problem"}
    run_until(aloop, lambda: error_dialogs(window))
    [dialog] = error_dialogs(window)
    assert dialog.action_button.text() == "Retry now"
    dialog.action_button.click()
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))
    newest = window.store.page(limit=2)
    assert {r.outcome for r in newest} == {"ok"}


def test_the_worker_stops_by_itself_when_asked_mid_batch(qtbot, make_sandbox):
    server = make_sandbox(latency_s=0.3)
    controller = WorkerController(ApiWorker(server.base_url, concurrency=2))
    controller.set_api_key(server.keys["valid"])
    stopped_items = []
    controller.worker.item_event.connect(stopped_items.append)
    controller.submit([
        CheckRequest.create(f"{server.base_url}/demo/offer/game", country, "android")
        for country in ("us", "gb", "de", "fr")
    ])  # fmt: skip
    qtbot.waitUntil(lambda: len(stopped_items) >= 2, timeout=10_000)
    assert controller.shutdown() is True  # not by the fallback quit after the timeout
    assert not controller.thread.isRunning()


def test_the_detail_pane_explains_hops_without_a_code():
    from affilitest_gui.api.models import CheckResult, Hop
    from affilitest_gui.history.records import record_for
    from affilitest_gui.ui.results_panel import detail_html

    request = CheckRequest("https://t.example/o", "us", "android")
    hops = (Hop("https://t.example/o", 302), Hop("https://play.google.com/x?id=a.b", None))
    live = detail_html(record_for(request, result=CheckResult(request, hops)))
    assert "no status code: AffiliTest reported no status" in live
    assert "<b>302</b>" in live and "<b>&mdash;</b>" in live
    sandbox = detail_html(record_for(request, result=CheckResult(request, hops), sandbox=True))
    assert "without opening them" in sandbox
    complete = detail_html(record_for(request, result=CheckResult(request, hops[:1])))
    assert "no status code" not in complete
