"""Schedules, the daily allowance and notifications, without Qt and without waiting."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.health import Health
from affilitest_gui.offers.alerts import AlertKind, AlertState, Change, advance, run_turns, summary
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import (
    Allowance,
    Schedule,
    budget_warning,
    calls_per_day,
    due,
)

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def test_an_overdue_schedule_runs_once_then_one_interval_later():
    late = Schedule(1, every_h=4, next_due=NOON - timedelta(hours=30))  # 7 runs missed
    assert due([late], NOON) == [late]
    after = late.after_run(NOON)
    assert after.next_due == NOON + timedelta(hours=4)
    assert due([after], NOON + timedelta(hours=3, minutes=59)) == []
    assert due([after], NOON + timedelta(hours=4)) == [after]


def test_what_schedules_cost_per_day_and_when_the_budget_runs_out():
    offers = {1: Offer("https://a.example", ("us", "gb"), ("android", "iphone")),
              2: Offer("https://b.example", ("us",), ("android",))}  # fmt: skip
    schedules = [Schedule(1, 4, NOON), Schedule(2, 1, NOON)]
    assert calls_per_day(offers, schedules) == 4 * 6 + 1 * 24
    assert budget_warning(48, 100_000) is None  # lasts past a monthly refill
    warning = budget_warning(48, 500)
    assert warning == (
        "At 48 calls a day, the 500 calls left run out in about 10 days, before a monthly "
        "refill."
    )


def test_the_daily_allowance_is_a_share_of_the_calls_left():
    allowance = Allowance.for_day(date(2026, 11, 30), calls_left=1_000, share=0.5)
    assert allowance.left == 500
    assert allowance.spend(480).left == 20
    assert allowance.spend(600).left == 0


def test_broke_and_recovered_without_flapping():
    state = AlertState()
    state, said = advance(state, Health.OK)
    assert said is None
    state, said = advance(state, Health.BROKEN)
    assert said == "broke"
    state, said = advance(state, Health.BROKEN)
    assert said is None  # still broken: said once
    state, said = advance(state, Health.OK)
    assert said is None  # one lucky run is not a recovery
    state, said = advance(state, Health.BROKEN)
    assert said is None and state.passes == 0  # it never stopped being broken
    state, said = advance(state, Health.WARNING)
    state, said = advance(state, Health.NOT_CHECKED)  # the API failed: changes nothing
    assert said is None
    state, said = advance(state, Health.OK)
    assert said == "recovered" and state == AlertState()


def test_one_notification_sums_up_a_run():
    broke = [Change("Game X", [("us", "android")]), Change("Game Y", [("gb", "iphone")]),
             Change("Shop", [("de", "android"), ("fr", "android"), ("it", "android")]),
             Change("Quiz", [("br", "ipad")])]  # fmt: skip
    note = summary(broke, [Change("Old offer")])
    assert note.title == "4 offers broke"
    assert note.text == (
        "4 offers broke: Game X (US: Android phone), Game Y (GB: iPhone), Shop (DE: Android "
        "phone; FR: Android phone +1 country) and 1 more. 1 offer recovered: Old offer."
    )
    assert summary([], []) is None
    assert summary([], [Change("Game X")]).title == "1 offer recovered"


def test_schedules_and_alert_states_are_kept_in_the_database(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    book = store.offers
    first = book.save(Offer("https://a.example/1", ("us",), ("android",)))
    second = book.save(Offer("https://a.example/2", ("us",), ("android",)))
    book.set_schedule([first.id, second.id], 8, NOON)
    assert [s.offer_ref for s in due(book.schedules(), NOON)] == [first.id, second.id]
    book.ran(book.schedules(), NOON)
    assert {s.next_due for s in book.schedules()} == {NOON + timedelta(hours=8)}
    book.set_schedule([second.id], None, NOON)
    assert [s.offer_ref for s in book.schedules()] == [first.id]
    book.save_alert_states({first.id: AlertState(broken=True, passes=1)})
    assert book.alert_states() == {first.id: AlertState(broken=True, passes=1)}
    book.delete([first.id])
    assert book.schedules() == [] and book.alert_states() == {}
    store.close()


def test_a_runs_notification_counts_each_cells_last_answer_of_the_offers_asked():
    answers = [(1, "us", "android", Health.BROKEN), (1, "us", "android", Health.OK),
               (2, "de", "iphone", Health.BROKEN), (3, "us", "android", Health.BROKEN)]  # fmt: skip
    states, turns = run_turns({1: "Game", 2: "Shop"}, answers, {})
    note = turns.note()
    assert note is not None and note.text == "1 offer broke: Shop (DE: iPhone)."
    assert set(states) == {1, 2}  # offer 3 was not asked for in this run


def test_a_channel_gets_only_the_turns_chosen_for_it():
    answers = [(1, "us", "android", Health.BROKEN), (2, "de", "iphone", Health.OK)]
    _, turns = run_turns({1: "Game", 2: "Shop"}, answers,
                         {2: AlertState(broken=True, passes=1)})  # fmt: skip
    assert turns.note().text == "1 offer broke: Game (US: Android phone). 1 offer recovered: Shop."
    assert turns.note({AlertKind.RECOVERED}).text == "1 offer recovered: Shop."
    assert turns.note({AlertKind.DAILY_SUMMARY}) is None
