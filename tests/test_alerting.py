"""The alerts beyond a run's turns, composed once and posted per channel: the daily
summary (new since yesterday, recovered, calls used), the budget warning once a day, a
sync problem once until it works again, the auto-pause rule's pauses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from affilitest_gui.history.alert_book import AlertLogEntry
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.alerts import AlertKind
from affilitest_gui.offers.model import Offer
from affilitest_gui.runs.alerting import (
    auto_paused_note,
    budget_check,
    send_daily_summary,
    summary_due,
    sync_outcome,
)
from affilitest_gui.runs.network_sync import StatusChange

MORNING = datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc)


def record(offer: Offer, health: Health, at: datetime) -> HistoryRecord:
    return HistoryRecord(checked_at=at.isoformat(timespec="seconds"), url=offer.url,
                         country=offer.countries[0], device=offer.devices[0], outcome="ok",
                         verdict=health.value, health=health, offer_ref=offer.id)  # fmt: skip


def posted(store: HistoryStore) -> list[tuple[str, str, str]]:
    """What waits in the outbox since the last look (taken out of it)."""
    waiting = store.alerts.due("9999", claim_until="9999")
    for alert in waiting:
        store.alerts.settle(alert, AlertLogEntry("", alert.channel, "sent", "", ""))
    return [(a.channel, a.note.title, a.note.text) for a in waiting]


def test_the_daily_summary_says_what_is_new_since_yesterday_and_the_calls_used(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    game, shop = (store.offers.save(Offer(f"https://t.example/{n}", ("us",), ("android",),
                                          offer_id=n, name=n.title()))
                  for n in ("game", "shop"))  # fmt: skip
    store.alerts.save_choice("teams", frozenset({AlertKind.BROKE}))  # no summary for Teams
    store.add(record(game, Health.BROKEN, MORNING))
    store.add(record(shop, Health.OK, MORNING))
    assert summary_due(store, MORNING.astimezone(), MORNING.astimezone().hour)
    assert send_daily_summary(store, ["slack", "teams"], 1000, MORNING, sandbox=False)
    [(channel, title, text)] = posted(store)
    assert channel == "slack" and title == "Daily summary: 1 broken, 0 warning, 1 OK"
    assert text.startswith("2 offers watched: 1 OK, 0 warning, 1 broken (1 new since "
                           "yesterday: game \u00b7 Game). game \u00b7 Game, last 1 run: "
                           "\U0001f7e5. Calls: 1,000 left.")  # fmt: skip
    assert not summary_due(store, MORNING.astimezone(), MORNING.astimezone().hour)  # once

    next_day = MORNING + timedelta(days=1)
    store.add(record(game, Health.OK, next_day))
    store.add(record(shop, Health.BROKEN, next_day))
    send_daily_summary(store, ["slack"], 880, next_day, sandbox=False)
    [(_, _, text)] = posted(store)
    assert "(1 new since yesterday: shop \u00b7 Shop)" in text
    assert "Recovered since yesterday: game \u00b7 Game." in text
    assert "Calls: 880 left, 120 used since yesterday." in text
    store.close()


def test_budget_and_sync_problems_are_said_once_and_the_auto_pause_names_the_platform(
    tmp_path,
):
    store = HistoryStore(tmp_path / "history.sqlite3")
    offer = store.offers.save(Offer("https://t.example/a", ("us", "gb"), ("android",)))
    store.offers.set_schedule([offer.id], 1, MORNING)  # 2 cells x 24 runs: 48 calls a day
    assert not budget_check(store, ["slack"], 48, MORNING, sandbox=False)
    assert budget_check(store, ["slack"], 47, MORNING, sandbox=False)
    assert not budget_check(store, ["slack"], 20, MORNING + timedelta(hours=2), sandbox=False)
    [(_, title, text)] = posted(store)
    assert title == "Calls left fall below a day of schedules"
    assert text.startswith("47 calls are left on the AffiliTest account and the schedules "
                           "spend 48 a day")  # fmt: skip

    for problem, said in (("HTTP 401", True), ("HTTP 401", False), (None, False),
                          ("not reached", True)):  # fmt: skip
        assert sync_outcome(store, ["slack"], "everflow", problem=problem, now=MORNING) is said
    notes = posted(store)
    assert [title for _, title, _ in notes] == ["Sync from Everflow failed"] * 2
    assert "failed: HTTP 401. The watch list was not changed" in notes[0][2]

    synced = Offer("https://t.example/b", ("us",), ("android",), offer_id="7", name="Quest",
                   source="everflow:7")  # fmt: skip
    note = auto_paused_note([StatusChange(synced, "paused", "ok"),
                             StatusChange(synced, "waiting", "the daily cap")])  # fmt: skip
    assert note.title == "1 offer auto-paused"
    assert note.text == ("1 offer auto-paused on the network platform after repeated broken "
                         "runs: 7 \u00b7 Quest (Everflow).")  # fmt: skip
    assert auto_paused_note([StatusChange(synced, "waiting", "cap")]) is None
    store.close()
