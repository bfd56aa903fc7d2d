"""The offers watch list as a person uses it: import through the dialog, check, filter,
the matrix and the chain, add / edit / delete by hand, export. Real window, sandbox."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from affilitest_gui.offers.importing import Field
from affilitest_gui.ui.import_dialog import ImportDialog
from affilitest_gui.ui.offer_dialog import OfferDialog
from tests.app_steps import calls_sent, fill_form, idle, signed_in_window
from tests.conftest import run_until
from tests.person import (
    button_in,
    click,
    click_menu_item,
    closed,
    message_box,
    press,
    right_click,
    type_into,
    visible,
)

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "offers.csv"


def sample_for(server, tmp_path) -> Path:
    path = tmp_path / "network-export.csv"
    text = SAMPLE.read_text(encoding="utf-8").replace("http://127.0.0.1:8765", server.base_url)
    path.write_text(text, encoding="utf-8")
    return path


def offers_window(qtbot, make_window, memory_keyring, server):
    window = signed_in_window(make_window, memory_keyring, server)
    press(qtbot, window, "Ctrl+2")
    assert window.views.currentWidget() is window.offers_view
    return window, window.offers_view


def sample_offer_chosen(qtbot, view, server, tmp_path, monkeypatch) -> None:
    """The sample imported, filtered down to offer 1001, which is clicked."""
    click(qtbot, import_file(qtbot, view, sample_for(server, tmp_path), monkeypatch)
          .import_button)  # fmt: skip
    type_into(qtbot, view.filter_edit, "1001")
    table = view.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(view.table.model().index(0, 0)).center())  # fmt: skip


def import_file(qtbot, view, path, monkeypatch) -> ImportDialog:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, view.import_button)
    [dialog] = visible(ImportDialog)
    click(qtbot, dialog.file_button)
    return dialog


def rows(view) -> dict[str, str]:
    """Offer label -> health, as the table shows them."""
    proxy = view.table.model()  # what the table shows
    return {proxy.index(row, 0).data(): proxy.index(row, 1).data()
            for row in range(proxy.rowCount())}  # fmt: skip


def test_import_check_filter_and_see_why(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    assert view.empty_hint.isVisible()
    dialog = import_file(qtbot, view, sample_for(sandbox, tmp_path), monkeypatch)
    assert dialog.columns[Field.URL].currentText() == "Tracking Link"
    assert dialog.columns[Field.COUNTRIES].currentText() == "Geo"
    assert dialog.summary.text().startswith("7 offers to import: 7 new, 0 updated.")
    click(qtbot, dialog.import_button)
    assert closed(dialog)
    assert len(rows(view)) == 7 and not view.empty_hint.isVisible()
    assert set(rows(view).values()) == {"Not checked yet"}
    assert "Imported 7 new offers, updated 0." in window.statusBar().currentMessage()
    assert "all 15" in view.cost_label.text()
    window.resize(1024, 700)  # the calls left, the number to read before Check all, is whole
    QApplication.processEvents()
    cost = view.cost_label
    assert cost.text().endswith("calls left") and cost.isVisible()
    assert cost.fontMetrics().horizontalAdvance(cost.text()) <= cost.width()
    before = len(sandbox.server.stats.requests("/api/v1/test"))

    click(qtbot, view.check_all_button)
    run_until(aloop, lambda: idle(window) and window.store.count() == 15)
    health = rows(view)  # as the batch ends: no wait for the next coalesced refresh
    assert health["1001 \u00b7 Example Quest"] == "OK"
    assert health["1004 \u00b7 Wrong app"] == "Broken"
    assert health["1005 \u00b7 Blocked landing"] == "Warning"
    assert len(sandbox.server.stats.requests("/api/v1/test")) - before == 15

    # Broken now: only those; the worst come first.
    view.show_box.setFocus()
    qtbot.keyClicks(view.show_box, "Broken")
    assert set(rows(view).values()) == {"Broken"} and len(rows(view)) == 4
    type_into(qtbot, view.filter_edit, "wrong")
    assert list(rows(view)) == ["1004 \u00b7 Wrong app"]

    # The matrix: each cell says its health and verdict; a click shows the chain.
    table = view.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(view.table.model().index(0, 0)).center())  # fmt: skip
    matrix = view.matrix
    assert (matrix.rowCount(), matrix.columnCount()) == (1, 3)
    cell = matrix.item(0, 0)
    assert cell.text().startswith("Broken\nLands on Play Store: com.example.other")
    assert "expected Play Store app com.example.game" in cell.toolTip()
    qtbot.mouseClick(matrix.viewport(), Qt.MouseButton.LeftButton,
                     pos=matrix.visualItemRect(cell).center())  # fmt: skip
    assert "Redirect chain" in view.chain.toPlainText()
    assert "com.example.other" in view.chain.toPlainText()


def test_reimport_updates_and_bad_rows_are_listed(
    qtbot, make_window, memory_keyring, sandbox, tmp_path, monkeypatch
):
    _window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    path = sample_for(sandbox, tmp_path)
    click(qtbot, import_file(qtbot, view, path, monkeypatch).import_button)
    dialog = import_file(qtbot, view, path, monkeypatch)
    assert dialog.summary.text().startswith("7 offers to import: 0 new, 7 updated.")
    click(qtbot, button_in(dialog, "Cancel"))

    click(qtbot, view.import_button)
    [dialog] = visible(ImportDialog)
    type_into(qtbot, dialog.paste, "ID\tLink\tGeo\n9\thttps://t.example/9\tUS\n10\tnope\tUS")
    assert dialog.summary.text().startswith("1 offers to import: 1 new, 0 updated.")
    assert dialog.skipped.count() == 1
    assert dialog.skipped.item(0).text().startswith("Row 3: tracking link:")
    # The guess can be changed: with no link column nothing can be imported.
    box = dialog.columns[Field.URL]
    box.setFocus()
    qtbot.keyClicks(box, "(none)")
    assert not dialog.import_button.isEnabled() and "tracking link" in dialog.error.text()
    for _ in range(2):  # (none) -> ID -> Link
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentText() == "Link"
    click(qtbot, dialog.import_button)
    assert len(rows(view)) == 8


def test_add_edit_and_delete_by_hand_cost_no_call(
    qtbot, make_window, memory_keyring, sandbox, tmp_path
):
    window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    sent = calls_sent(sandbox)
    press(qtbot, window, "Ctrl+N")
    [dialog] = visible(OfferDialog)
    type_into(qtbot, dialog.url, "not a url")
    type_into(qtbot, dialog.countries, "US, XX")
    type_into(qtbot, dialog.expects, "com.example.game")
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert "must start with http" in dialog.errors["url"].text()
    assert "XX" in dialog.errors["countries"].text()
    type_into(qtbot, dialog.url, f"{sandbox.base_url}/demo/offer/game")
    type_into(qtbot, dialog.countries, "us gb")
    type_into(qtbot, dialog.name, "By hand")
    click(qtbot, dialog.save_button)
    assert list(rows(view)) == ["By hand"]
    assert calls_sent(sandbox) == sent  # nothing checked, nothing spent
    [offer] = window.store.offers.all()
    assert offer.countries == ("us", "gb") and offer.devices == ("android",)  # the defaults

    click(qtbot, view.edit_button)  # the new offer is selected
    [dialog] = visible(OfferDialog)
    type_into(qtbot, dialog.name, "Renamed")
    click(qtbot, dialog.save_button)
    assert list(rows(view)) == ["Renamed"]

    click(qtbot, view.delete_button)
    click(qtbot, button_in(message_box(qtbot, "Delete offers"), "Delete"))
    assert rows(view) == {} and window.store.offers.all() == []


def test_export_the_view_cell_by_cell(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    sample_offer_chosen(qtbot, view, sandbox, tmp_path, monkeypatch)
    click(qtbot, view.check_selected_button)
    run_until(aloop, lambda: idle(window) and window.store.count() == 6)
    run_until(aloop, lambda: rows(view) == {"1001 \u00b7 Example Quest": "OK"})
    path = tmp_path / "offers.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, view.export_button)
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    header, lines = values[0], values[1:]
    assert len(lines) == 6  # us, gb x android, iphone, ipad
    assert {line[header.index("health")] for line in lines} == {"ok"}
    assert all(line[header.index("final_url")].startswith("https://") for line in lines)
    assert f"Exported 6 rows (1 of 7 offers) to {path}" in window.statusBar().currentMessage()


def test_an_offers_export_that_cannot_be_written_says_so(
    qtbot, make_window, memory_keyring, sandbox, tmp_path, monkeypatch
):
    window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    click(qtbot, import_file(qtbot, view, sample_for(sandbox, tmp_path), monkeypatch)
          .import_button)  # fmt: skip
    folder = tmp_path / "offers.xlsx"
    folder.mkdir()  # a folder where the file should go
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), ""))
    click(qtbot, view.export_button)
    box = message_box(qtbot, "Export failed")
    assert box.text().startswith("offers.xlsx could not be written: is a directory")
    assert not list(folder.iterdir()) and "Exported" not in window.statusBar().currentMessage()


def test_shortcuts_are_named_as_the_os_names_them_and_a_mac_deletes_with_cmd_backspace(
    qtbot, make_window, memory_keyring, sandbox, tmp_path, monkeypatch
):
    from PySide6.QtGui import QKeySequence

    from affilitest_gui.ui.widgets import delete_keys, native_keys

    _window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    assert view.import_button.toolTip().endswith(f"({native_keys('Ctrl+I')})")
    assert f"({native_keys('Ctrl+N')})" in view.empty_hint.text()
    assert QKeySequence("Ctrl+Backspace") in delete_keys("darwin")  # Cmd+Backspace there
    assert QKeySequence("Ctrl+Backspace") not in delete_keys("win32")
    click(qtbot, import_file(qtbot, view, sample_for(sandbox, tmp_path), monkeypatch)
          .import_button)  # fmt: skip
    table = view.table
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(view.table.model().index(0, 0)).center())  # fmt: skip
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert message_box(qtbot, "Delete offers").isVisible()


def test_a_pasted_200_kb_cell_and_a_hostile_file_get_the_command_lines_sentence(
    qtbot, make_window, memory_keyring, sandbox, tmp_path, monkeypatch
):
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    from affilitest_gui.ui.crash_dialog import CrashDialog

    _window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    click(qtbot, view.import_button)
    [dialog] = visible(ImportDialog)
    QApplication.clipboard().setText(f"ID\tName\tLink\n1\t{'x' * 200_000}\thttps://t.example/1\n")
    dialog.paste.setFocus()
    qtbot.keySequence(dialog.paste, QKeySequence(QKeySequence.StandardKey.Paste))
    assert "row 2 holds a cell larger than 128 KB" in dialog.error.text()
    assert not dialog.import_button.isEnabled()

    legacy = tmp_path / "offers.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(legacy), ""))
    click(qtbot, dialog.file_button)
    assert dialog.error.text() == ("offers.xls is not a supported format: save it as CSV "
                                   "(UTF-8) or XLSX, then import it.")  # fmt: skip
    assert not visible(CrashDialog)


def test_checks_of_the_log_become_an_offer_through_the_editor(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["game"], ["us", "gb"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: idle(window) and window.model.total == 2)
    table = window.results.table
    table.selectAll()
    menu = right_click(qtbot, table.viewport(),
                       table.visualRect(window.model.index(0, 0)).center())  # fmt: skip
    click_menu_item(qtbot, menu, "Add to watch list")
    [dialog] = visible(OfferDialog)
    assert dialog.windowTitle() == "Add offer"
    assert dialog.url.text() == f"{sandbox.base_url}/demo/offer/game"
    assert sorted(dialog.countries.text().split(", ")) == ["GB", "US"]
    assert dialog.expects.text() == "play:com.example.game"  # where it landed
    assert window.store.offers.all() == []  # nothing saved before Save
    click(qtbot, dialog.save_button)
    [offer] = window.store.offers.all()
    assert offer.url == f"{sandbox.base_url}/demo/offer/game" and offer.devices == ("android",)


def test_check_again_from_one_cell_spends_one_call(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    window, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    sample_offer_chosen(qtbot, view, sandbox, tmp_path, monkeypatch)
    before = len(sandbox.server.stats.requests("/api/v1/test"))
    cell = view.matrix.visualItemRect(view.matrix.item(1, 0)).center()  # GB, Android
    menu = right_click(qtbot, view.matrix.viewport(), cell)
    click_menu_item(qtbot, menu, "Check again (GB, Android phone, 1 call)")
    run_until(aloop, lambda: idle(window) and window.store.count() == 1)
    sent = sandbox.server.stats.requests("/api/v1/test")[before:]
    assert [(r.country, r.device) for r in sent] == [("gb", "android")]
    [record] = window.store.page()
    assert record.offer_ref == view.selected_offers()[0].id  # the offer's own cell


def test_offers_that_share_a_link_are_checked_with_one_call_and_the_cost_says_so(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path, monkeypatch
):
    _, view = offers_window(qtbot, make_window, memory_keyring, sandbox)
    link = f"{sandbox.base_url}/demo/offer/game"
    path = tmp_path / "twins.csv"
    path.write_text(f"Offer ID,Name,URL,Geo,OS,Package\n1,Right,{link},US,Android,"
                    f"com.example.game\n2,Wrong,{link},US,Android,com.other.app\n")  # fmt: skip
    click(qtbot, import_file(qtbot, view, path, monkeypatch).import_button)
    assert "Calls: all 1 (2 checks, identical ones merged)" in view.cost_label.text()
    before = len(sandbox.server.stats.requests("/api/v1/test"))
    click(qtbot, view.check_all_button)
    run_until(aloop, lambda: set(rows(view).values()) == {"OK", "Broken"})
    assert len(sandbox.server.stats.requests("/api/v1/test")) - before == 1
