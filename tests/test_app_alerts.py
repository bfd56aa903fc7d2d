"""Settings -> Alerts as a person uses it: a Slack webhook typed, tested and saved to
the keyring, a bad address or an email password in the clear refused next to the field,
the environment winning; a scheduled run's alert delivered off the GUI thread and in
the alert log; and the app idle while the watcher holds the schedules' lease."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from affilitest_gui.history.lease import WATCHER
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.keystore import ACCOUNT, SERVICE
from affilitest_gui.offers.alerts import AlertKind
from affilitest_gui.ui.alerts_dialog import AlertsDialog
from tests.alert_receivers import WebhookReceiver
from tests.app_steps import idle, signed_in_window
from tests.conftest import run_until
from tests.person import button_in, click, message_box, press, type_into, visible
from tests.schedule_steps import NOON, FakeClock, add_offers, sent, start_watch


@pytest.fixture
def receiver():
    made = WebhookReceiver()
    yield made
    made.stop()


def open_alerts(qtbot, window) -> AlertsDialog:
    press(qtbot, window, "Ctrl+Shift+A")
    [dialog] = visible(AlertsDialog)
    return dialog


def show_tab(qtbot, dialog: AlertsDialog, name: str) -> None:
    tabs: QTabWidget = dialog.tabs
    index = [tabs.tabText(i).replace("&", "") for i in range(tabs.count())].index(name)
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(index).center())  # fmt: skip
    assert tabs.currentIndex() == index


def test_a_slack_webhook_is_tested_saved_to_the_keyring_and_refused_in_the_clear(
    qtbot, make_window, aloop, memory_keyring, sandbox, receiver
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    dialog = open_alerts(qtbot, window)
    slack = dialog.pages["slack"]
    assert slack.source_note.text() == "Not set up: nothing is sent here."

    type_into(qtbot, slack.url, "http://hooks.example.com/services/T0/B0/secret")
    click(qtbot, slack.save_button)
    assert "must use https://" in slack.field_error.text()
    assert memory_keyring.get_password(SERVICE, "alerts:slack") is None  # nothing kept

    type_into(qtbot, slack.url, receiver.url)  # loopback: http is allowed (tests, sandbox)
    click(qtbot, slack.test_button)
    run_until(aloop, lambda: slack.status.text().startswith("Sent."))
    assert slack.status.text() == "Sent. Slack answered: HTTP 200: ok."
    assert slack.field_error.text() == ""
    assert receiver.bodies[0]["text"].startswith("Test from AffiliTest GUI")

    click(qtbot, slack.save_button)
    assert slack.status.text().startswith("Slack saved in ")
    assert memory_keyring.get_password(SERVICE, "alerts:slack") == receiver.url
    assert slack.source_note.text().startswith("Saved in ")
    click(qtbot, slack.kind_boxes[AlertKind.DAILY_SUMMARY])
    assert AlertKind.DAILY_SUMMARY not in window.store.alerts.kinds_for("slack")
    assert AlertKind.BROKE in window.store.alerts.kinds_for("slack")
    settings_files = list(window.store.path.parent.glob("*.ini"))
    assert all(receiver.url not in f.read_text() for f in settings_files)  # never in settings


def test_email_refuses_a_password_without_tls_next_to_the_field(
    qtbot, make_window, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    dialog = open_alerts(qtbot, window)
    show_tab(qtbot, dialog, "Email")
    email = dialog.pages["email"]
    type_into(qtbot, email.host, "mail.example.com")
    email.security.setFocus()
    email.security.setCurrentIndex(email.security.findData("none"))
    email.security.activated.emit(email.security.currentIndex())  # as a choice from the list
    assert email.port.value() == 25
    type_into(qtbot, email.user, "ops")
    type_into(qtbot, email.password, "hunter2")
    type_into(qtbot, email.sender, "alerts@example.com")
    type_into(qtbot, email.recipients, "ops@example.com")
    click(qtbot, email.save_button)
    assert email.field_error.text() == ("A password is never sent without TLS: use STARTTLS "
                                        "or TLS.")  # fmt: skip
    assert "hunter2" not in email.field_error.text()
    assert memory_keyring.get_password(SERVICE, "alerts:email") is None


def test_a_webhook_from_the_environment_wins_and_the_page_says_so(
    qtbot, make_window, memory_keyring, sandbox, receiver
):
    memory_keyring.set_password(SERVICE, ACCOUNT, sandbox.keys["valid"])
    window = make_window(environ={"AFFILITEST_TEAMS_WEBHOOK": receiver.url})
    window.start()
    dialog = open_alerts(qtbot, window)
    show_tab(qtbot, dialog, "Microsoft Teams")
    teams = dialog.pages["teams"]
    assert teams.source_note.text().startswith("Set by AFFILITEST_TEAMS_WEBHOOK in the "
                                               "environment")  # fmt: skip
    assert not teams.url.isEnabled() and not teams.save_button.isEnabled()
    assert teams.test_button.isEnabled()


def test_a_scheduled_runs_alert_goes_to_slack_off_the_gui_thread_and_into_the_log(
    qtbot, make_window, aloop, memory_keyring, sandbox, receiver, monkeypatch, tmp_path
):
    import affilitest_gui.worker.alert_tasks as tasks

    threads: list[threading.Thread] = []
    real_send = tasks.send

    def send(alert, channels):
        threads.append(threading.current_thread())
        return real_send(alert, channels)

    monkeypatch.setattr(tasks, "send", send)
    offers = add_offers(tmp_path, sandbox)  # "Wrong app" breaks
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offer.id for offer in offers], 4, NOON)
    store.alerts.save_choice("slack", frozenset({AlertKind.BROKE, AlertKind.RECOVERED}))
    store.close()
    memory_keyring.set_password(SERVICE, "alerts:slack", receiver.url)

    window = signed_in_window(make_window, memory_keyring, sandbox, clock=FakeClock(NOON))
    run_until(aloop, lambda: len(receiver.bodies) == 1 and idle(window))
    assert receiver.bodies[0]["text"] == "1 offer broke: 2 \u00b7 Wrong app (US: Android phone)."
    assert threads and all(t is not threading.main_thread() for t in threads)
    click(qtbot, button_in(message_box(qtbot, "1 offer broke"), "OK"))  # the desktop's

    dialog = open_alerts(qtbot, window)
    show_tab(qtbot, dialog, "Alert log")
    table = dialog.log_page.table
    row = [table.item(0, column).text() for column in range(table.columnCount())]
    assert row[1:] == ["Slack", "sent", "1 offer broke", "HTTP 200: ok"]
    assert dialog.log_page.summary.text() == "1 delivery attempt logged."


def test_the_app_stays_idle_while_the_watcher_holds_the_lease_then_takes_over(
    make_window, aloop, memory_keyring, sandbox, tmp_path
):
    offers = add_offers(tmp_path, sandbox)
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offer.id for offer in offers], 4, NOON)
    watcher = f"watcher:{socket.gethostname()}:4242:abcd"
    store.lease.take(watcher, WATCHER, NOON, for_s=120)
    clock = FakeClock(NOON)
    window = signed_in_window(make_window, memory_keyring, sandbox, clock=clock)
    run_until(aloop, lambda: window.account.state.calls_left is not None)
    window.scheduler.tick()
    since = NOON.astimezone().strftime("%H:%M")
    assert window.schedules.status.text() == (
        f"Schedules are run by the watcher on this computer (since {since})."
    )
    assert sent(sandbox) == 0  # due, but the watcher's

    clock.advance(seconds=60)
    store.lease.take(watcher, WATCHER, clock(), for_s=120)  # the watcher renews it
    window.scheduler.tick()
    assert sent(sandbox) == 0
    clock.advance(seconds=121)  # the watcher died: its lease runs out
    window.scheduler.tick()
    run_until(aloop, lambda: sent(sandbox) == 2 and idle(window))
    lease = store.lease.take(watcher, WATCHER, clock(), for_s=120)
    assert lease.holder.startswith("app:")  # the app holds it now; the watcher waits
    store.close()


def test_the_app_and_a_watcher_started_together_check_each_due_offer_once(
    make_window, aloop, memory_keyring, sandbox, tmp_path
):
    """Real processes, the real clock: whichever takes the lease first runs the due
    offers; the other waits; nothing is checked twice."""
    import time

    offers = add_offers(tmp_path, sandbox)
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.set_schedule([offer.id for offer in offers], 4, NOON)  # overdue
    store.close()
    watcher = start_watch(tmp_path, sandbox)
    try:
        window = signed_in_window(make_window, memory_keyring, sandbox)
        run_until(aloop, lambda: window.store.count() == 2, timeout=60)
        settle = time.monotonic() + 3  # past the first look of both: nothing more is sent
        run_until(aloop, lambda: time.monotonic() > settle)
        assert sent(sandbox) == 2 and window.store.count() == 2
        said = window.schedules.status.text()
        assert said.startswith(("Next run", "Schedules are run by the watcher")), said
        assert watcher.poll() is None  # it was there all along, waiting or done
    finally:
        watcher.terminate()
        out, _ = watcher.communicate(timeout=30)
    lines = [json.loads(line) for line in out.splitlines()]
    waited = [line for line in lines if "lease" in line]
    ran = [line for line in lines if line.get("answered")]
    assert bool(waited) != bool(ran)  # one of the two: it waited, or it ran them
