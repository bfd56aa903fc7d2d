"""What the app shows at a glance: the Recent runs strip, painted bar by bar (checked
on the pixels of a grab), a bar's tooltip on hover; above the matrix, what changed since
the offer last worked; the Schedule dialog's calls per day; and a shared account."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.model import Offer
from affilitest_gui.ui.calls_chart import BAR, PLANNED
from affilitest_gui.ui.offers_model import STRIP_COLUMN
from affilitest_gui.ui.results_model import local_time
from affilitest_gui.ui.run_strip import _bars, bar_color
from tests.app_steps import signed_in_window
from tests.person import press

PLAY = "https://play.google.com/store/apps/details?id=com.example.game"
START = datetime.now(timezone.utc) - timedelta(days=1)


def test_the_strip_shows_each_run_and_the_detail_says_what_changed(
    qtbot, make_window, memory_keyring, sandbox, tmp_path
):
    store = HistoryStore(tmp_path / "history.sqlite3")
    link = f"{sandbox.base_url}/demo/offer/game"
    offer = store.offers.save(Offer(link, ("us",), ("android",), offer_id="7", name="Game"))
    runs = [(Health.OK, ((link, 302), (PLAY, 200))), (Health.WARNING, ((link, 302), (PLAY, 200))),
            (Health.NOT_CHECKED, ()), (Health.BROKEN, ((link, 404),))]  # fmt: skip
    for n, (health, hops) in enumerate(runs):
        store.add(HistoryRecord(
            checked_at=(START + timedelta(hours=n)).isoformat(timespec="seconds"), url=link,
            country="us", device="android", outcome="ok", verdict=health.value, hops=hops,
            health=health, offer_ref=offer.id))  # fmt: skip
    store.close()
    window = signed_in_window(make_window, memory_keyring, sandbox)
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    table = view.table
    index = table.model().index(0, STRIP_COLUMN)
    rect = table.visualRect(index)
    image = table.viewport().grab().toImage()
    bars = _bars(rect, len(runs))
    colors = [image.pixelColor(bar.center()) for bar in bars]
    assert colors == [bar_color(Health.OK), bar_color(Health.WARNING), bar_color(None),
                      bar_color(Health.BROKEN)]  # fmt: skip

    hover = bars[3].center()
    QApplication.sendEvent(table.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, hover, table.viewport().mapToGlobal(hover)))  # as a hover does
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == f"{local_time((START + timedelta(hours=3)).isoformat())}: Broken"

    assert not view.why.isVisible()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(table.model().index(0, 0)).center())  # fmt: skip
    assert view.why.isVisible()
    assert view.why.text().endswith("hop 1 (127.0.0.1/demo/offer/game) now ends on a 404; it "
                                    "used to go on to the Play Store.")  # fmt: skip
    matrix = view.matrix
    qtbot.mouseClick(matrix.viewport(), Qt.MouseButton.LeftButton,
                     pos=matrix.visualItemRect(matrix.item(0, 0)).center())  # fmt: skip
    assert view.chain.toPlainText().startswith(view.why.text())


def test_the_schedule_dialog_charts_the_calls_of_each_day_against_the_schedules(
    qtbot, make_window, aloop, memory_keyring, sandbox, tmp_path
):
    import sqlite3

    from affilitest_gui.ui.schedule_dialog import ScheduleDialog
    from tests.app_steps import idle
    from tests.conftest import run_until
    from tests.person import click, visible

    store = HistoryStore(tmp_path / "history.sqlite3")
    store.offers.save(Offer(f"{sandbox.base_url}/demo/offer/game", ("us", "gb"), ("android",)))
    store.close()
    today = datetime.now(timezone.utc).date()
    db = sqlite3.connect(tmp_path / "history.sqlite3")
    three_days_ago = (today - timedelta(days=3)).isoformat()
    db.execute("INSERT INTO call_days VALUES (?, 0, 120)", (three_days_ago,))
    db.commit()
    db.close()
    window = signed_in_window(make_window, memory_keyring, sandbox)
    press(qtbot, window, "Ctrl+2")
    view = window.offers_view
    click(qtbot, view.check_all_button)
    run_until(aloop, lambda: idle(window) and window.store.count() == 2)
    click(qtbot, view.schedule_button)
    [dialog] = visible(ScheduleDialog)
    chart = dialog.chart
    assert chart.isVisible() and len(chart.days) == 30
    assert chart.days[today] == 2 and chart.days[today - timedelta(days=3)] == 120
    dialog.interval.setFocus()
    qtbot.keyClick(dialog.interval, Qt.Key.Key_Down)  # Never -> Every hour: 2 x 24 a day
    assert chart.planned == 48
    image = chart.grab().toImage()
    bars = chart.bar_rects()
    assert image.pixelColor(bars[-4].center()) == QColor(BAR[0])  # 120 calls, 3 days ago
    assert bars[-2].height() == 0  # a quiet day
    assert image.pixelColor(chart.width() // 2, chart.planned_y()) == QColor(PLANNED[0])
    assert chart.summary().startswith("122 calls in the last 30 days; the schedules spend 48 a day")


def test_a_429_below_our_count_says_another_computer_shares_the_account(
    qtbot, make_window, aloop, memory_keyring, make_sandbox
):
    from affilitest_gui.api.client import AffiliTestClient
    from affilitest_gui.api.limits import RateLimit
    from affilitest_gui.api.models import CheckRequest
    from tests.app_steps import idle
    from tests.conftest import run_until
    from tests.person import click, type_into

    server = make_sandbox(limit=10, window_s=10.0)
    window = signed_in_window(make_window, memory_keyring, server,
                              rate=RateLimit.scaled(10, 10.0))  # fmt: skip
    run_until(aloop, lambda: window.account.state.calls_left is not None)
    with AffiliTestClient(server.base_url, server.keys["valid"]) as other_computer:
        for n in range(7):  # the same account, from elsewhere: 8 of 10 used with ours
            other_computer.check(CheckRequest(f"{server.base_url}/demo/landing/x{n}", "us",
                                              "android"))  # fmt: skip
    form = window.form
    type_into(qtbot, form.urls, "\n".join(f"{server.base_url}/demo/landing/{n}"
                                         for n in range(6)))  # fmt: skip
    click(qtbot, form.run_button)
    run_until(aloop, lambda: "Another computer" in window.progress.throttle_label.text(),
              timeout=60)  # fmt: skip
    assert window.progress.throttle_label.text().startswith(
        "Another computer is using this account: sharing the limit (5 of 10 per 10 s for us).")
    run_until(aloop, lambda: idle(window) and window.store.count() == 6, timeout=60)
    assert all(record.outcome == "ok" for record in window.store.iter_all())  # nothing lost
