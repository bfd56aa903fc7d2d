"""Schedules as a person sets them, on a fake clock: the first run, the next one an
interval later, overdue offers once on start, one notification per run, the tray."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QSystemTrayIcon

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.session.scheduler import SchedulerState
from affilitest_gui.ui.offers_model import SCHEDULE_COLUMN
from affilitest_gui.ui.schedule_dialog import ScheduleDialog
from affilitest_gui.ui.tray import Tray
from tests.app_steps import idle, signed_in_window
from tests.conftest import run_until
from tests.person import button_in, click, message_box, press, type_into, visible
from tests.schedule_steps import NOON, TEST_PATH, FakeClock, add_offers, sent


def test_a_schedule_runs_now_then_every_interval_and_says_what_broke_once(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path
):
    add_offers(tmp_path, sandbox)
    clock = FakeClock(NOON)
    window = signed_in_window(make_window, memory_keyring, sandbox, clock=clock)
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    click(qtbot, view.schedule_button)  # nothing selected: every offer shown
    [dialog] = visible(ScheduleDialog)
    dialog.interval.setFocus()
    qtbot.keyClick(dialog.interval, Qt.Key.Key_Down)  # Never -> Every hour
    qtbot.keyClick(dialog.interval, Qt.Key.Key_Down)  # -> Every 4 hours
    assert dialog.interval.currentText() == "Every 4 hours"
    assert dialog.cost.text().startswith("These offers: 12 calls a day.")
    assert "This desktop has no system tray" in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.cost)) if label.isVisible()
    )
    click(qtbot, dialog.save_button)

    # Due at once: the first run goes, and its notification says what broke.
    run_until(aloop, lambda: sent(sandbox) == 2 and idle(window))
    box = message_box(qtbot, "1 offer broke")
    assert box.text() == "1 offer broke: 2 \u00b7 Wrong app (US: Android phone)."
    click(qtbot, button_in(box, "OK"))
    shown = view.table.model()
    run_until(aloop, lambda: "every 4 h" in [shown.index(r, SCHEDULE_COLUMN).data()
                                             for r in range(shown.rowCount())])  # fmt: skip
    assert window.schedules.status.text() == "Next run: " + (
        NOON + timedelta(hours=4)).astimezone().strftime("%a %H:%M")  # fmt: skip

    clock.advance(hours=3, minutes=59)
    window.scheduler.tick()
    assert window.scheduler.state.running is False and sent(sandbox) == 2
    clock.advance(minutes=1)
    window.scheduler.tick()
    run_until(aloop, lambda: sent(sandbox) == 4 and idle(window))
    assert window.scheduler.state.running is False
    assert [box for box in visible(type(box)) if "broke" in box.windowTitle()] == []  # once


def test_overdue_offers_run_once_when_the_app_starts(
    make_window, aloop, memory_keyring, sandbox, tmp_path
):
    offers = add_offers(tmp_path, sandbox)
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offers[0].id], 1, NOON - timedelta(hours=30))  # 30 runs missed
    store.close()
    clock = FakeClock(NOON)
    window = signed_in_window(make_window, memory_keyring, sandbox, clock=clock)
    run_until(aloop, lambda: sent(sandbox) == 1 and idle(window))
    window.scheduler.tick()
    clock.advance(minutes=59)
    window.scheduler.tick()
    assert sent(sandbox) == 1  # once, not once per missed hour
    [schedule] = window.store.offers.schedules()
    assert schedule.next_due == NOON + timedelta(hours=1)


def test_the_checks_of_an_overdue_run_at_start_are_not_asked_about_as_unfinished(
    qtbot, make_window, aloop, memory_keyring, make_sandbox, tmp_path
):
    """No saved key (no keyring): the key is entered at start; the overdue run starts as
    soon as the key works, and the question about what a crash left comes after it: it
    must not count the run's own checks (Run them sent them twice; Discard logged
    checks that succeeded as not checked)."""
    slow = make_sandbox(latency_s=0.5)
    offers = add_offers(tmp_path, slow)
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offers[0].id], 1, NOON - timedelta(hours=3))
    store.close()
    window = make_window(server=slow, clock=FakeClock(NOON))
    window.start()
    dialog = window.key_dialog
    type_into(qtbot, dialog.key_edit, slow.keys["valid"])
    click(qtbot, dialog.save_button)
    run_until(aloop, lambda: sent(slow) == 1 and idle(window))
    assert window.unfinished_question is None
    assert window.store.count() == 1 and sent(slow) == 1


def test_the_days_share_of_calls_holds_scheduled_runs_back(
    make_window, aloop, memory_keyring, make_sandbox, tmp_path
):
    server = make_sandbox(budget=3)  # half of 3 left: 1 call a day for schedules
    offers = add_offers(tmp_path, server)
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offer.id for offer in offers], 1, NOON)
    store.close()
    window = signed_in_window(make_window, memory_keyring, server, clock=FakeClock(NOON))
    run_until(aloop, lambda: window.calls_label.text() == "Calls left: 3")
    window.scheduler.tick()
    run_until(aloop, lambda: sent(server) == 1 and idle(window))
    window.scheduler.tick()
    assert sent(server) == 1
    assert "today's share of the calls left (1) is used up" in window.schedules.status.text()


def test_the_tray_menu_and_notification(qtbot):
    tray = Tray(QIcon())
    seen = []
    for signal in (tray.open_requested, tray.check_all_requested, tray.quit_requested):
        signal.connect(lambda *args, name=signal: seen.append(name))
    paused = []
    tray.pause_toggled.connect(paused.append)
    tray.show_state(SchedulerState(scheduled=2, next_run=NOON))
    actions = {action.text(): action for action in tray.menu.actions() if action.text()}
    assert f"Next run: {NOON.astimezone().strftime('%a %H:%M')}" in actions
    for name in ("Open", "Check all now", "Quit"):
        actions[name].trigger()
    actions["Pause schedules"].trigger()
    assert len(seen) == 3 and paused == [True]
    tray.show_state(SchedulerState(scheduled=2, next_run=NOON, paused=True))
    assert tray.next_run_action.text() == "Schedules paused"
    assert QSystemTrayIcon.isSystemTrayAvailable() in (True, False)  # asked, never assumed


def test_a_click_on_the_notification_opens_the_offers_that_changed(
    qtbot, make_window, memory_keyring, sandbox, monkeypatch
):
    # Offscreen has no tray; pretend one, to click its notification.
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    window = signed_in_window(make_window, memory_keyring, sandbox)
    tray = window.schedules.tray
    assert tray is not None and window.views.currentWidget() is window.results
    window.hide()  # closed to the tray
    tray.messageClicked.emit()
    assert window.isVisible() and window.views.currentWidget() is window.offers_view
    assert window.offers_view.show_box.currentText() == "Changed since last run"


# Offscreen, a shown tray icon finds no native tray window: a plugin limit, not ours.
@pytest.mark.qt_log_ignore("No such signal QPlatformNativeInterface::systemTrayWindowChanged")
@pytest.mark.parametrize("how", ["the tray's Quit", "Ctrl+Q"])
def test_closing_keeps_the_app_in_the_tray_when_chosen_and_quit_ends_it(
    how, qtbot, make_window, memory_keyring, sandbox, monkeypatch
):
    from affilitest_gui.ui.schedules import TRAY_KEY

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    window = signed_in_window(make_window, memory_keyring, sandbox)
    window.settings.setValue(TRAY_KEY, "yes")
    balloons = []
    monkeypatch.setattr(window.schedules.tray, "showMessage",
                        lambda title, *_rest: balloons.append(title))  # fmt: skip
    window.close()
    assert not window.isVisible() and window.batches.worker_running  # still there, in the tray
    assert balloons == ["AffiliTest GUI is still running"]  # said the first time...
    window.show()
    window.close()
    assert len(balloons) == 1  # ...and only then
    if how == "Ctrl+Q":  # from the window, opened again: quits, does not hide
        window.show()
        press(qtbot, window, "Ctrl+Q")
    else:
        [quit_action] = [a for a in window.schedules.tray.menu.actions() if a.text() == "Quit"]
        quit_action.trigger()
    assert not window.isVisible() and not window.batches.worker_running


# The system's Quit (Cmd+Q, Dock -> Quit, log-out) is a Quit event to the application,
# delivered while its event loop runs: a process of its own, so that this test's app
# is not told to quit.
SYSTEM_QUIT = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QSystemTrayIcon
QSystemTrayIcon.isSystemTrayAvailable = staticmethod(lambda: True)
from affilitest_gui.app import make_application
from affilitest_gui.assembly import build_window
from affilitest_gui.ui.schedules import TRAY_KEY
app = make_application()
window = build_window("http://127.0.0.1:9", data_dir=Path(sys.argv[1]))
window.settings.setValue(TRAY_KEY, "yes")
window.show()
window.close()
print("in the tray:", not window.isVisible(), window.batches.worker_running, flush=True)
QTimer.singleShot(200, lambda: QCoreApplication.postEvent(app, QEvent(QEvent.Type.Quit)))
QTimer.singleShot(10_000, lambda: (print("the quit was refused", flush=True), app.exit(3)))
code = app.exec()
print("exit", code, window.batches.worker_running, flush=True)
"""


def test_the_systems_quit_ends_the_app_even_in_the_tray(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SYSTEM_QUIT, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.stdout.splitlines() == ["in the tray: True True", "exit 0 False"], done.stderr


@pytest.mark.qt_log_ignore("No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_the_tray_is_asked_about_once_with_the_first_schedule(
    qtbot, make_window, memory_keyring, sandbox, tmp_path, monkeypatch
):
    from affilitest_gui.ui.schedules import TRAY_KEY

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    add_offers(tmp_path, sandbox)
    window = signed_in_window(make_window, memory_keyring, sandbox, clock=FakeClock(NOON))
    press(qtbot, window, "Ctrl+2")
    for round_ in range(2):
        click(qtbot, window.offers_view.schedule_button)
        [dialog] = visible(ScheduleDialog)
        assert dialog.tray.isVisible() is (round_ == 1)  # the question comes first
        said = " ".join(label.text() for label in dialog.findChildren(QLabel)
                        if label.isVisible())  # fmt: skip
        assert "no system tray" not in said  # there is one, asked about or not
        dialog.interval.setCurrentText("Every 8 hours")
        click(qtbot, dialog.save_button)
        if round_ == 0:
            box = message_box(qtbot, "Keep checking when the window is closed")
            click(qtbot, button_in(box, "Keep running in the tray"))
            assert window.settings.value(TRAY_KEY) == "yes"
    assert [b for b in visible(type(box)) if "Keep checking" in b.windowTitle()] == []
    assert window.schedules.close_to_tray


@pytest.mark.qt_log_ignore("No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_check_all_now_from_the_tray_checks_every_offer_though_the_offers_tab_was_never_opened(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    add_offers(tmp_path, sandbox)
    window = signed_in_window(make_window, memory_keyring, sandbox)
    assert window.views.currentWidget() is window.results  # the offers are not read yet
    window.hide()  # closed to the tray
    before = sent(sandbox)
    [check_all] = [a for a in window.schedules.tray.menu.actions() if a.text() == "Check all now"]
    check_all.trigger()
    run_until(aloop, lambda: idle(window) and window.model.total == 2)
    assert sent(sandbox) - before == 2


def test_the_app_started_while_a_command_line_run_goes_on_leaves_its_checks_alone(
    qtbot, make_window, aloop, memory_keyring, make_sandbox, tmp_path
):
    """`affilitest-offers run` in another process on the same data folder: the app that
    starts meanwhile does not take its live checks for a crash's leftovers."""
    from tests.offers_runs import start_run, wait_for_sends

    slow = make_sandbox(latency_s=0.5)
    total = sum(len(offer.requests()) for offer in add_offers(tmp_path, slow))
    running = start_run(tmp_path, slow, "--concurrency", "1")
    wait_for_sends(slow, 1, running)
    window = signed_in_window(make_window, memory_keyring, slow)
    run_until(aloop, lambda: window.account.state.calls_left is not None)
    assert window.unfinished_question is None and window.batches.unfinished() == []
    assert running.wait(timeout=120) in (0, 1)
    sent = [(r.url, r.country, r.device) for r in slow.server.stats.requests(TEST_PATH)]
    assert len(sent) == len(set(sent)) == total  # each check of the run sent once


def test_deleting_a_scheduled_offer_updates_every_view_that_shows_it(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path
):
    """The offers session tells every view: the offers list and the schedules' status
    bar follow a delete without being refreshed by hand."""
    offers = add_offers(tmp_path, sandbox)
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offers[1].id], 4, NOON + timedelta(hours=1))
    store.close()
    window = signed_in_window(make_window, memory_keyring, sandbox, clock=FakeClock(NOON))
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    assert window.schedules.status.text().startswith("Next run: ")
    table = view.table
    row = next(r for r in range(table.model().rowCount())
               if "Wrong app" in table.model().index(r, 0).data())  # fmt: skip
    table.selectRow(row)
    click(qtbot, view.delete_button)
    click(qtbot, button_in(message_box(qtbot, "Delete offers"), "Delete"))
    run_until(aloop, lambda: table.model().rowCount() == 1)
    assert "Next run" not in window.schedules.status.text()
    assert sent(sandbox) == 0
