"""Running batches as a person does: pause, cancel, resume after an account error, quit
mid-batch, retries and slow-downs. Real window, real worker thread, the sandbox over
real sockets, and the sandbox's own request log as the witness of what was sent.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QGuiApplication

from affilitest_gui.api.catalog import Action, entry_for_message
from affilitest_gui.api.limits import RateLimit
from affilitest_gui.api.vendor import WEBSITE
from affilitest_gui.keystore import ACCOUNT, SERVICE
from affilitest_gui.sandbox import Fault
from affilitest_gui.ui.key_dialog import LoginDialog
from tests.app_steps import calls_sent, fill_form, idle, signed_in_window
from tests.conftest import run_until
from tests.person import button_in, click, closed, message_box, press, type_into, visible
from tests.seed import EXPECTED_401_ACTIONS, SEED_401

TEST_PATH = "/api/v1/test"


def answered_checks(server) -> set[tuple[str, str, str]]:
    return {
        (r.url, r.country, r.device)
        for r in server.server.stats.requests(TEST_PATH)
        if r.status == 200
    }


def stored_checks(window, outcome: str) -> set[tuple[str, str, str]]:
    return {(r.url, r.country, r.device) for r in window.store.iter_all() if r.outcome == outcome}


# --- pause, cancel, run again ------------------------------------------------------


def test_cancel_while_paused_leaves_the_app_ready_for_the_next_batch(
    qtbot, make_window, aloop, memory_keyring, make_sandbox
):
    server = make_sandbox(latency_s=0.2)
    window = signed_in_window(make_window, memory_keyring, server, concurrency=1)
    panel = window.progress
    fill_form(qtbot, window, server, ["game", "js", "meta", "broken", "loop"], ["us", "gb"],
              ["android"])  # fmt: skip
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() >= 1)
    click(qtbot, panel.pause_button)
    progress = lambda: window.batches.progress  # noqa: E731
    run_until(aloop, lambda: progress().paused and progress().in_flight == 0)
    assert panel.summary.text().startswith("Paused")
    assert panel.resume_button.isEnabled() and not panel.pause_button.isEnabled()
    waiting = window.batches.progress.waiting
    assert waiting > 3

    # One slip on Cancel does not drop the batch: it asks first.
    click(qtbot, panel.cancel_button)
    click(qtbot, button_in(message_box(qtbot, "Cancel the waiting checks"), "Keep running"))
    assert window.batches.progress.waiting == waiting
    click(qtbot, panel.cancel_button)
    click(qtbot, button_in(message_box(qtbot, "Cancel the waiting checks"),
                           f"Cancel {waiting} checks"))  # fmt: skip
    run_until(aloop, lambda: idle(window))
    checked = window.batches.progress.checked
    assert window.store.count() == 10  # every check logged: answered or not checked
    assert len(stored_checks(window, "cancelled")) == waiting
    assert panel.bar.text() == f"{checked} of 10 checked"  # not "10 of 10"
    assert panel.summary.text() == f"Finished: {checked} of 10 checked, {waiting} cancelled."
    assert not panel.cancel_button.isEnabled() and not panel.resume_button.isEnabled()
    sent = calls_sent(server)
    run_until(aloop, lambda: window.calls_label.text() == f"Calls left: {10_000 - checked:,}")

    # The next batch runs at once.
    fill_form(qtbot, window, server, ["game"], ["us"], ["android", "iphone"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 12 and idle(window))
    assert len(server.server.stats.requests(TEST_PATH)) == checked + 2  # each sent once
    assert calls_sent(server) > sent
    assert panel.summary.text() == "Finished: 2 of 2 checked."


def test_a_long_url_in_the_retry_line_moves_neither_the_buttons_nor_the_panes(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox, concurrency=1)
    long_url = f"{sandbox.base_url}/demo/offer/game?" + "&".join(
        f"sub{n}={'x' * 40}" for n in range(42)
    )
    assert 1900 < len(long_url) <= 2048
    fill_form(qtbot, window, sandbox, [long_url], ["us"], ["android"])
    panel = window.progress
    layout_before = (window.splitter.sizes(), panel.resume_button.geometry(),
                     panel.cancel_button.geometry())  # fmt: skip
    seen = []

    def look(_event) -> None:  # after the window's own slot has shown the retry line
        seen.append((panel.activity.shown_text(), panel.activity.toolTip(), window.splitter.sizes(),
                     panel.resume_button.geometry(), panel.cancel_button.geometry()))

    window.batches.retrying.connect(look)
    sandbox.server.push_fault(Fault(500, '{"error": "Internal Server Error"}', times=2,
                                    path=TEST_PATH))  # fmt: skip
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 1 and idle(window))
    assert len(seen) == 2
    for shown, tooltip, *layout in seen:
        assert long_url in tooltip and "\u2026" in shown  # elided, the whole URL on hover
        QGuiApplication.processEvents()
        assert tuple(layout) == layout_before
    assert (window.splitter.sizes(), panel.resume_button.geometry(),
            panel.cancel_button.geometry()) == layout_before  # fmt: skip
    assert panel.activity.text() == ""  # no retry line once the batch ended
    [record] = window.store.page()
    assert (record.outcome, record.attempts) == ("ok", 3)
    assert window.error_dialog is None


def test_a_pause_whose_reason_wraps_moves_no_button(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    """At 1024x700 a pause's reason takes two lines: Pause, Resume, Cancel and Run stay
    where they were (each message keeps the room of two lines)."""
    memory_keyring.set_password(SERVICE, ACCOUNT, sandbox.keys["no_permission"])
    window = make_window(concurrency=1)
    window.resize(1024, 700)
    window.show()
    window.start()
    panel = window.progress
    buttons = (panel.pause_button, panel.resume_button, panel.cancel_button,
               window.form.run_button)  # fmt: skip

    def where() -> list:
        QGuiApplication.processEvents()
        return [button.mapTo(window, button.rect().topLeft()) for button in buttons]

    before = where()
    fill_form(qtbot, window, sandbox, ["game", "js"], ["us", "gb"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.error_dialog is not None)
    window.error_dialog.close()
    run_until(aloop, panel.blocker.isVisible)
    assert panel.blocker.text() and panel.summary.text().startswith("Paused")
    assert where() == before


# --- account errors ----------------------------------------------------------------

ACCOUNT_CASES = [pytest.param(message, "valid", id=message) for message in SEED_401] + [
    pytest.param(None, "no_budget", id="no budget"),
    pytest.param(None, "no_permission", id="no permission"),
]


def enter_key(qtbot, aloop, window, key: str) -> None:
    dialog = window.key_dialog
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog.key_edit, key)
    click(qtbot, dialog.save_button)


def fix_the_account(qtbot, aloop, window, dialog, action, sandbox, memory_keyring, key_name):
    """The fix, through the error dialog's own button where it has one."""
    panel = window.progress
    if action is Action.ENTER_KEY:
        click(qtbot, dialog.action_buttons[Action.ENTER_KEY])
        enter_key(qtbot, aloop, window, "x" * 64)  # a key AffiliTest refuses...
        run_until(aloop, lambda: "Not saved" in window.key_dialog.status_label.text())
        assert not panel.resume_button.isEnabled() or key_name == "no_permission"
        assert memory_keyring.get_password(SERVICE, ACCOUNT) == sandbox.keys[key_name]
        enter_key(qtbot, aloop, window, sandbox.keys["valid"])  # ...then one that works
        run_until(aloop, lambda: window.key_dialog is None)
    elif action is Action.LOGIN:
        click(qtbot, dialog.action_buttons[Action.LOGIN])
        [login] = visible(LoginDialog)
        type_into(qtbot, login.email_edit, "demo@sandbox.invalid")
        type_into(qtbot, login.password_edit, "sandbox-demo")
        click(qtbot, login.login_button)
        run_until(aloop, lambda: closed(login))
    else:
        if action is Action.VERIFY_ACCOUNT:
            click(qtbot, dialog.action_buttons[Action.VERIFY_ACCOUNT])
            assert window.opened == [WEBSITE]
        else:
            click(qtbot, button_in(dialog, "Close"))
        press(qtbot, window, "F5")  # the account works again: calls left answers


@pytest.mark.parametrize(("message", "key_name"), ACCOUNT_CASES)
def test_an_account_error_pauses_with_one_dialog_and_resumes_after_the_fix(
    qtbot, make_window, aloop, memory_keyring, sandbox, message, key_name
):
    memory_keyring.set_password(SERVICE, ACCOUNT, sandbox.keys[key_name])
    window = make_window(concurrency=1)
    window.start()
    if message:
        body = json.dumps({"error": message, "data": None, "meta": {}})
        sandbox.server.push_fault(Fault(401, body, path=TEST_PATH))
    fill_form(qtbot, window, sandbox, ["game", "js"], ["us", "gb"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.error_dialog is not None)
    dialog = window.error_dialog
    assert len(sandbox.server.stats.requests(TEST_PATH)) == 1  # stopped after one call
    assert window.store.count() == 0  # every check still queued, none lost
    panel = window.progress
    assert panel.summary.text().startswith("Paused: ")
    assert "4 checks waiting" in panel.summary.text()

    expected = EXPECTED_401_ACTIONS.get(message)
    if message:
        assert dialog.windowTitle() == entry_for_message(message).title
        assert dialog.explanation.action is expected
        assert not panel.resume_button.isEnabled()  # the same key would be refused again
        assert panel.blocker.isVisible()
    if key_name == "no_budget":
        assert not panel.resume_button.isEnabled()
        assert "No calls left" in panel.blocker.text()
    if key_name == "no_permission":  # the key in use was refused: Resume waits for another
        assert not panel.resume_button.isEnabled()
        assert "AffiliTest refused this key" in panel.blocker.text()
    if not message:  # the 403s: switch key or log in, beside the website
        assert set(dialog.action_buttons) == {Action.CHECK_PAYMENT, Action.ENTER_KEY,
                                              Action.LOGIN}  # fmt: skip
        expected = Action.ENTER_KEY

    click(qtbot, dialog.copy_button)
    copied = QGuiApplication.clipboard().text()
    assert "support.affilitest" in copied and sandbox.keys[key_name] not in copied

    fix_the_account(qtbot, aloop, window, dialog, expected, sandbox, memory_keyring, key_name)
    run_until(aloop, panel.resume_button.isEnabled)
    assert not panel.blocker.isVisible()
    click(qtbot, panel.resume_button)
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))
    assert {r.outcome for r in window.store.iter_all()} == {"ok"}
    assert len(answered_checks(sandbox)) == 4  # each check answered once


# --- quitting mid-batch ------------------------------------------------------------


def test_quit_mid_batch_asks_then_keeps_every_answer_that_arrives(
    qtbot, make_window, aloop, memory_keyring, make_sandbox
):
    server = make_sandbox(latency_s=0.6)
    window = signed_in_window(make_window, memory_keyring, server, concurrency=4)
    fill_form(qtbot, window, server, ["game", "js", "meta"], ["us", "gb", "de", "fr"],
              ["android"])  # fmt: skip
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() >= 1)

    press(qtbot, window, "Ctrl+Q")
    click(qtbot, button_in(message_box(qtbot, "Checks are still running"), "Keep running"))
    assert window.isVisible() and window.batches.progress.active

    press(qtbot, window, "Ctrl+Q")
    click(qtbot, button_in(message_box(qtbot, "Checks are still running"), "Quit"))
    assert window.finishing is not None and window.finishing.isVisible()
    # The window closes by itself once the answers are in (Qt events: the asyncio
    # loop stops with the last window, so wait on Qt's side).
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert not window.batches.worker_thread_running

    answered = answered_checks(server)
    assert stored_checks(window, "ok") == answered  # every answer that came is logged
    cancelled = stored_checks(window, "cancelled")
    assert not cancelled & answered  # only checks never sent are "not checked"
    assert len(answered) + len(cancelled) == window.store.count() == 12


# --- retries and slow-downs --------------------------------------------------------


def test_a_429_shows_in_the_throttle_line_never_as_a_dialog(
    qtbot, make_window, aloop, memory_keyring, make_sandbox
):
    server = make_sandbox(limit=3, window_s=1.0)
    fast = RateLimit(limit=100, window_s=1.0, margin_s=0.0, min_spacing_s=0.0)
    window = signed_in_window(make_window, memory_keyring, server, concurrency=6, rate=fast)
    fill_form(qtbot, window, server, ["game", "js", "meta"], ["us", "gb"], ["android"])
    notes = []
    window.batches.rate_limited.connect(lambda _e: notes.append(window.progress.activity.text()))
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 6 and idle(window))
    assert server.server.stats.statuses[429] > 0
    assert any("asked us to slow down" in note for note in notes)
    assert {r.outcome for r in window.store.iter_all()} == {"ok"}
    assert window.error_dialog is None


def test_failures_after_retries_end_in_one_dialog_whose_retry_reruns_them(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox, concurrency=1)
    sandbox.server.push_fault(Fault(503, "", times=6, path=TEST_PATH))
    fill_form(qtbot, window, sandbox, ["game", "js"], ["us"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() == 2 and idle(window))
    assert {r.outcome for r in window.store.iter_all()} == {"failed"}
    assert window.progress.summary.text() == "Finished: 2 of 2 checked, 2 failed."
    run_until(aloop, lambda: window.error_dialog is not None)
    dialog = window.error_dialog
    click(qtbot, dialog.action_buttons[Action.RETRY])
    run_until(aloop, lambda: window.store.count() == 4 and idle(window))
    assert {r.outcome for r in window.store.page(limit=2)} == {"ok"}


# --- what a crash left -------------------------------------------------------------


def crash_leftovers(tmp_path, server) -> list:
    """What a killed app leaves: three checks in the queue, the first already sent."""
    from affilitest_gui.api.models import CheckRequest
    from affilitest_gui.history.store import HistoryStore

    store = HistoryStore(tmp_path / "history.sqlite3")
    requests = [CheckRequest.create(f"{server.base_url}/demo/offer/game", country, "android")
                for country in ("us", "gb", "de")]  # fmt: skip
    queued = store.queue.enqueue(requests, sandbox=False)
    store.queue.sending(queued[0])
    store.close()
    return queued


def test_checks_a_crash_left_are_offered_once_and_run_without_double_sends(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path
):
    from affilitest_gui.history.queue import RESENT_REASON

    crash_leftovers(tmp_path, sandbox)
    window = signed_in_window(make_window, memory_keyring, sandbox)
    box = message_box(qtbot, "Checks did not finish")
    assert "3 checks did not finish" in box.text()
    assert "1 check had been sent" in box.informativeText()
    click(qtbot, button_in(box, "Run the 3 checks that did not finish"))
    run_until(aloop, lambda: window.store.count() == 3 and idle(window))
    assert len(sandbox.server.stats.requests(TEST_PATH)) == 3
    records = {r.country: r for r in window.store.iter_all()}
    assert records["us"].sends == 2 and records["us"].reasons[-1] == RESENT_REASON
    assert records["gb"].sends == 1 and records["de"].sends == 1
    assert window.store.queue.unfinished() == []
    assert window.model.total == 3


def test_discarded_leftovers_are_logged_as_not_checked_and_cost_nothing(
    qtbot, make_window, memory_keyring, sandbox, tmp_path
):
    from affilitest_gui.history.queue import DISCARDED_VERDICT

    crash_leftovers(tmp_path, sandbox)
    window = signed_in_window(make_window, memory_keyring, sandbox)
    click(qtbot, button_in(message_box(qtbot, "Checks did not finish"), "Discard them"))
    assert window.store.queue.unfinished() == []
    assert {r.verdict for r in window.store.iter_all()} == {DISCARDED_VERDICT}
    assert window.model.total == 3 and sandbox.server.stats.requests(TEST_PATH) == []


def test_leftovers_are_asked_about_once_signed_in_never_over_the_key_dialog(
    qtbot, make_window, aloop, sandbox, tmp_path
):
    from PySide6.QtWidgets import QMessageBox

    crash_leftovers(tmp_path, sandbox)
    window = make_window()
    window.start()  # no key yet: the key dialog, and nothing else
    dialog = window.key_dialog
    assert dialog.isVisible() and visible(QMessageBox) == []
    type_into(qtbot, dialog.key_edit, sandbox.keys["valid"])
    click(qtbot, dialog.save_button)
    box = message_box(qtbot, "Checks did not finish")
    assert "3 checks did not finish" in box.text()


def test_a_full_disk_mid_batch_pauses_keeps_the_answers_and_saves_them_on_resume(
    qtbot, make_window, aloop, memory_keyring, make_sandbox
):
    """SQLite's own SQLITE_FULL, brought about by capping the history's pages after the
    first result: the batch pauses, says why once, marks nothing damaged; Resume (with
    room again) saves every kept answer; none is lost or sent twice."""
    slow = make_sandbox(latency_s=0.3)
    window = signed_in_window(make_window, memory_keyring, slow, concurrency=2)
    fill_form(qtbot, window, slow, ["game", "js", "meta"], ["us", "gb", "de", "fr"],
              ["android", "iphone"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.store.count() >= 1)
    queue_db = window.store.queue._db
    pages = queue_db.execute("PRAGMA page_count").fetchone()[0]
    queue_db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full now
    box = message_box(qtbot, "Your history cannot be used right now")
    assert "is full: free some space" in box.text()
    assert "kept and saved when you Resume" in box.text()
    click(qtbot, button_in(box, "OK"))
    panel = window.progress
    run_until(aloop, lambda: panel.resume_button.isEnabled()
              and not window.batches.progress.in_flight)  # fmt: skip
    assert not list(window.store.path.parent.glob("*.damaged*"))
    queue_db.execute("PRAGMA max_page_count = 1073741823")  # room again
    click(qtbot, panel.resume_button)
    run_until(aloop, lambda: window.store.count() == 24 and idle(window))
    assert len(slow.server.stats.requests("/api/v1/test")) == 24  # none sent twice
    assert window.batches.unstored == 0


def test_answers_are_judged_and_written_off_the_gui_thread(
    qtbot, make_window, aloop, memory_keyring, sandbox, monkeypatch
):
    """The GUI thread only shows results: judging and the database write happen on the
    thread that received each answer, so a long batch never stalls the window."""
    import threading

    from affilitest_gui.runs.planner import RunPlanner

    threads = []
    record = RunPlanner.record

    def noted(self, *args, **kwargs):
        threads.append(threading.current_thread())
        return record(self, *args, **kwargs)

    monkeypatch.setattr(RunPlanner, "record", noted)
    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game", "broken"], ["us", "gb"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: idle(window))
    assert window.model.total == 4 and len(threads) == 4
    assert threading.main_thread() not in threads
