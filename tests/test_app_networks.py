"""Account -> Networks as a person uses it, in sandbox mode against the sandbox's fake
platforms: a connection tested, a sync previewed and saved, a bad key said in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from affilitest_gui.ui.networks_dialog import NetworksDialog
from affilitest_gui.ui.offer_dialog import OfferDialog
from affilitest_gui.ui.offers_model import OFFER_COLUMNS
from tests.conftest import run_until
from tests.person import (
    button_in,
    choose_from_button_menu,
    choose_menu,
    click,
    message_box,
    press,
    type_into,
    visible,
)


def networks_dialog(qtbot, make_window, make_sandbox):
    demo = make_sandbox(platform_offers=40)  # 36 active offers on each platform
    window = make_window(demo=demo)
    window.start(sandbox=True)
    choose_menu(qtbot, window, "Account", "Networks")
    [dialog] = visible(NetworksDialog)
    return window, dialog, demo


def pick_platform(qtbot, dialog: NetworksDialog, name: str) -> None:
    dialog.platform.setFocus()
    while dialog.platform.currentText() != name:
        qtbot.keyClick(dialog.platform, Qt.Key.Key_Down)


def test_connect_test_preview_and_save_a_sync(qtbot, make_window, aloop, make_sandbox):
    window, dialog, demo = networks_dialog(qtbot, make_window, make_sandbox)
    pick_platform(qtbot, dialog, "Everflow")
    assert dialog.address.text() == demo.base_url and not dialog.network_id.isVisible()
    click(qtbot, dialog.test_button)
    run_until(aloop, lambda: dialog.status.text().startswith("Connected"))
    assert dialog.status.text() == "Connected: 36 active offers."
    type_into(qtbot, dialog.partner, "7")
    assert "affiliate 7 would click" in dialog.link_note.text()
    click(qtbot, dialog.sync_button)
    run_until(aloop, dialog.summary.isVisible)
    assert dialog.summary.text().startswith("36 new offers, 0 updated")
    assert dialog.preview.rowCount() == 36 and dialog.preview.item(0, 0).text() == "New"
    assert window.watch_list.offers() == []  # nothing saved before Save
    assert dialog.accept_button.text().replace("&", "") == "Save 36 changes"
    click(qtbot, dialog.accept_button)
    assert "Synced from Everflow: 36 new" in dialog.status.text()
    press(qtbot, window, "Ctrl+2")
    run_until(aloop, lambda: window.offers_view.table.model().rowCount() == 36)
    synced = window.watch_list.offers()
    assert {offer.source.split(":")[0] for offer in synced} == {"everflow"}
    assert all("affid=7" in offer.url for offer in synced)


def test_a_wrong_key_and_a_missing_address_are_said_next_to_the_buttons(
    qtbot, make_window, aloop, make_sandbox
):
    _, dialog, _ = networks_dialog(qtbot, make_window, make_sandbox)
    pick_platform(qtbot, dialog, "Affise")
    type_into(qtbot, dialog.address, "")
    click(qtbot, dialog.test_button)
    run_until(aloop, lambda: "tenant's API address" in dialog.status.text())
    pick_platform(qtbot, dialog, "TUNE/HasOffers")
    type_into(qtbot, dialog.key, "not-the-token")
    click(qtbot, dialog.sync_button)
    run_until(aloop, lambda: "refused the key" in dialog.status.text())
    assert "Nothing was changed" in dialog.status.text() and not dialog.summary.isVisible()
    assert "not-the-token" not in dialog.status.text()


def test_without_a_keyring_the_key_typed_once_lasts_the_session(
    qtbot, make_window, aloop, make_sandbox, monkeypatch
):
    """No secure store: the key is kept in memory (and said so), so Test then Sync
    works without typing it twice."""
    import keyring
    import keyring.backends.fail

    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    _, dialog, _ = networks_dialog(qtbot, make_window, make_sandbox)
    pick_platform(qtbot, dialog, "Everflow")
    click(qtbot, dialog.test_button)
    run_until(aloop, lambda: dialog.status.text().startswith("Connected"))
    assert dialog.key.text() == "" and "memory" in dialog.key_note.text()
    click(qtbot, dialog.sync_button)
    run_until(aloop, dialog.summary.isVisible)
    assert dialog.summary.text().startswith("36 new offers")


def sync_everflow(qtbot, aloop, dialog: NetworksDialog) -> None:
    pick_platform(qtbot, dialog, "Everflow")
    click(qtbot, dialog.sync_button)
    run_until(aloop, dialog.summary.isVisible)
    click(qtbot, dialog.accept_button)


def test_pause_two_offers_in_the_platform_then_undo_one(qtbot, make_window, aloop,
                                                          make_sandbox, tmp_path,
                                                          monkeypatch):  # fmt: skip
    window, dialog, demo = networks_dialog(qtbot, make_window, make_sandbox)
    sync_everflow(qtbot, aloop, dialog)
    dialog.close()
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    table = view.table
    run_until(aloop, lambda: table.model().rowCount() == 36)
    assert not view.platform_button.isEnabled()  # nothing selected
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = [s.offer for s in view.selected_statuses()]
    assert len(chosen) == 2 and view.platform_button.isEnabled()
    choose_from_button_menu(qtbot, view.platform_button, "Pause in Everflow")
    question = message_box(qtbot, "Pause in Everflow?")
    assert "Everflow" in question.informativeText() and chosen[0].name in question.informativeText()
    assert all(demo.server.platforms.offers["everflow"][int(o.source.split(":")[1])].status
               == "active" for o in chosen)  # nothing written before the answer  # fmt: skip
    click(qtbot, button_in(question, "Pause 2 offers"))
    run_until(aloop, lambda: any("2 offers paused" in box.windowTitle()
                                 for box in visible(QMessageBox)))  # fmt: skip
    fake = demo.server.platforms.offers["everflow"]
    assert [fake[int(o.source.split(":")[1])].status for o in chosen] == ["paused", "paused"]
    platform = [column.header for column in OFFER_COLUMNS].index("Platform")
    run_until(aloop, lambda: "Everflow: paused" in [table.model().index(r, platform).data()
                                                      for r in range(2)])  # fmt: skip
    table.selectRow(0)
    undo = view.selected_offers()[0]
    choose_from_button_menu(qtbot, view.platform_button, "Re-activate in Everflow")
    click(qtbot, button_in(message_box(qtbot, "Re-activate in Everflow?"),
                           "Re-activate 1 offer"))  # fmt: skip
    run_until(aloop, lambda: fake[int(undo.source.split(":")[1])].status == "active")
    audit = window.store.platforms.audit()
    assert [(entry.action, entry.new_status) for entry in audit] == [
        ("pause", "paused"), ("pause", "paused"), ("resume", "active")]
    table.selectRow(0)
    click(qtbot, view.edit_button)
    [editor] = visible(OfferDialog)
    assert editor.origin.text().startswith("Synced from Everflow (offer ")
    assert "pause by hand, done" in editor.origin.text() and editor.url.isReadOnly()
    assert editor.expects.isReadOnly() is False  # the expectations stay the person's
    editor.close()
    choose_menu(qtbot, window, "Account", "Networks")
    [dialog] = visible(NetworksDialog)
    path = tmp_path / "audit.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "CSV"))
    click(qtbot, dialog.audit_button)
    assert dialog.status.text() == f"Exported 3 writes to {path}."
    assert path.read_text(encoding="utf-8-sig").count("everflow:") == 3


def test_scheduled_runs_auto_pause_after_three_broken_runs_and_undo_reactivates(
    qtbot, make_window, aloop, make_sandbox
):
    """The rule as shipped (3 broken runs in a row), on a fake clock: three hourly
    scheduled runs, then the pauses, said with an Undo."""
    from datetime import datetime, timedelta, timezone

    from affilitest_gui.ui.schedule_dialog import ScheduleDialog

    now = [datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)]
    from affilitest_gui.api.limits import RateLimit

    demo = make_sandbox(platform_offers=10, limit=10_000)  # 9 active offers, 21 checks a run
    window = make_window(demo=demo, clock=lambda: now[0], rate=RateLimit.scaled(10_000, 30.0))
    window.start(sandbox=True)
    choose_menu(qtbot, window, "Account", "Networks")
    [dialog] = visible(NetworksDialog)
    sync_everflow(qtbot, aloop, dialog)
    click(qtbot, dialog.rule_box)
    assert window.store.platforms.pause_rule().broken_runs == 3
    dialog.close()
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    run_until(aloop, lambda: view.table.model().rowCount() == 9)
    click(qtbot, view.schedule_button)  # nothing selected: every offer shown
    [schedule] = visible(ScheduleDialog)
    schedule.interval.setFocus()
    qtbot.keyClick(schedule.interval, Qt.Key.Key_Down)  # Never -> Every hour
    click(qtbot, schedule.save_button)
    fake = demo.server.platforms.offers["everflow"]

    def auto_paused_box() -> QMessageBox | None:
        return next((b for b in visible(QMessageBox) if "Auto-paused" in b.windowTitle()), None)

    for run_number in range(3):
        if run_number:
            now[0] += timedelta(hours=1)
            window.scheduler.tick()
        run_until(aloop, lambda: not window.batches.progress.active
                  and window.scheduler.state.running is False)  # fmt: skip
        if run_number < 2:
            assert auto_paused_box() is None and not any(
                offer.status == "paused" for n, offer in fake.items() if n % 10)
    run_until(aloop, lambda: auto_paused_box() is not None)
    box = auto_paused_box()
    paused = [n for n, offer in fake.items() if offer.status == "paused" and n % 10]
    assert paused and all(f"Everflow {n})" in box.informativeText() for n in paused)
    assert {e.by_rule for e in window.store.platforms.audit()} == {True}
    click(qtbot, button_in(box, "Undo"))
    run_until(aloop, lambda: all(fake[n].status == "active" for n in paused))
    assert [e.action for e in window.store.platforms.audit()].count("resume") == len(paused)


def test_a_scheduled_sync_runs_when_due_and_before_the_scheduled_checks(
    qtbot, make_window, aloop, make_sandbox
):
    from datetime import datetime, timedelta, timezone

    now = [datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)]
    demo = make_sandbox(platform_offers=40)
    window = make_window(demo=demo, clock=lambda: now[0])
    window.start(sandbox=True)
    choose_menu(qtbot, window, "Account", "Networks")
    [dialog] = visible(NetworksDialog)
    pick_platform(qtbot, dialog, "Everflow")
    click(qtbot, dialog.test_button)
    run_until(aloop, lambda: dialog.status.text().startswith("Connected"))
    dialog.sync_every.setFocus()
    while dialog.sync_every.currentText() != "every 4 hours":
        qtbot.keyClick(dialog.sync_every, Qt.Key.Key_Down)
    assert dialog.status.text() == "Everflow syncs every 4 hours."
    dialog.close()
    tables = demo.server.platforms

    def table_calls() -> int:
        return sum(call.path == "/v1/networks/offers/table" for call in tables.calls_to("everflow"))

    before = table_calls()
    window.scheduler.tick()  # due at once: never synced
    run_until(aloop, lambda: len(window.watch_list.offers()) == 36)
    run_until(aloop, lambda: "Synced from Everflow: 36 new" in window.statusBar().currentMessage())
    assert table_calls() == before + 1
    now[0] += timedelta(hours=3, minutes=59)
    window.scheduler.tick()
    assert table_calls() == before + 1  # not due yet
    now[0] += timedelta(hours=4)
    window.scheduler.tick()
    run_until(aloop, lambda: table_calls() == before + 2)
