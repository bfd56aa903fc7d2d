"""Two chains side by side, chosen with the mouse: two rows of the log, or two cells of
an offer's matrix."""

from __future__ import annotations

from PySide6.QtCore import Qt

from affilitest_gui.offers.model import Offer
from affilitest_gui.ui.compare_dialog import CompareDialog
from tests.app_steps import fill_form, idle, signed_in_window
from tests.conftest import run_until
from tests.person import click, click_menu_item, press, right_click, visible

LEFT, CTRL = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier
WORDS = ("GB \u00b7 Android phone stops at 127.0.0.1/demo/unavailable; US \u00b7 Android "
         "phone goes to the Play Store.")  # fmt: skip


def test_two_rows_of_the_log_compared_side_by_side(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    fill_form(qtbot, window, sandbox, ["mmp"], ["gb", "us"], ["android"])
    click(qtbot, window.form.run_button)
    run_until(aloop, lambda: window.model.total == 2 and idle(window))
    table = window.results.table
    rows = {window.model.record(r).country: r for r in range(2)}
    us = table.visualRect(window.model.index(rows["us"], 0)).center()
    gb = table.visualRect(window.model.index(rows["gb"], 0)).center()
    qtbot.mouseClick(table.viewport(), LEFT, pos=us)
    qtbot.mouseClick(table.viewport(), LEFT, CTRL, pos=gb)
    menu = right_click(qtbot, table.viewport(), gb)
    click_menu_item(qtbot, menu, "Compare the 2 checks")
    [dialog] = visible(CompareDialog)
    assert dialog.words.text() == WORDS
    assert dialog.comparison.first_difference == 2  # the offer link and the network agree
    marked = dialog.table.item(2, 1)  # US, the second column
    assert "AppsFlyer" in marked.text() and marked.toolTip().startswith("The first hop")
    assert "Everflow" in dialog.table.item(1, 0).text()


def test_two_cells_of_an_offers_matrix_compared(
    qtbot, make_window, aloop, memory_keyring, sandbox
):
    window = signed_in_window(make_window, memory_keyring, sandbox)
    window.store.offers.save(Offer(f"{sandbox.base_url}/demo/offer/mmp", ("us", "gb"),
                                   ("android",), offer_id="7", name="MMP demo"))  # fmt: skip
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    view.refresh()
    click(qtbot, view.check_all_button)
    run_until(aloop, lambda: window.store.count() == 2 and idle(window))
    run_until(aloop, lambda: view.table.model().index(0, 1).data() == "OK")
    table = view.table
    qtbot.mouseClick(table.viewport(), LEFT,
                     pos=table.visualRect(table.model().index(0, 0)).center())  # fmt: skip
    matrix = view.matrix
    assert not view.compare_button.isEnabled()
    qtbot.mouseClick(matrix.viewport(), LEFT, pos=matrix.visualItemRect(matrix.item(0, 0)).center())
    qtbot.mouseClick(matrix.viewport(), LEFT, CTRL,
                     pos=matrix.visualItemRect(matrix.item(1, 0)).center())  # fmt: skip
    click(qtbot, view.compare_button)
    [dialog] = visible(CompareDialog)
    assert dialog.words.text() == WORDS
