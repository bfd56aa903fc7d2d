"""What changed since a cell last worked, in one sentence; an offer's recent runs as a
strip; the calls spent per day. The chains of the sentence: one that breaks at the MMP
hop, one that breaks at the store, and one that stops early."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from affilitest_gui.api.models import CheckRequest
from affilitest_gui.chains.since_ok import since_ok
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.alerts import Change, summary
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE

TRACKER = "https://track.example/click?o=1"
MMP = "https://app.appsflyer.com/com.example.game?pid=net"
PLAY = "https://play.google.com/store/apps/details?id=com.example.game"
WORKED = ((TRACKER, 302), (MMP, 302), (PLAY, 200))
BROKE_AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
WHEN = f"{BROKE_AT.astimezone():%b} {BROKE_AT.astimezone().day}, {BROKE_AT.astimezone():%H:%M}"


@pytest.mark.parametrize(("now", "hop", "said"), [
    (((TRACKER, 302), (MMP, 404)), 2,
     "hop 2 (AppsFlyer) now ends on a 404; it used to go on to the Play Store."),
    (((TRACKER, 302), (MMP, 302), (PLAY.replace("game", "other"), 200)), 3,
     "hop 3 (Play Store) now ends at Play Store: com.example.other; it used to end at "
     "Play Store: com.example.game."),
    (((TRACKER, 200),), 1,
     "hop 1 (track.example/click) now ends there; it used to go on to the Play Store."),
    (((TRACKER, 302), (MMP, 302)), 3, "the chain now stops after hop 2 (AppsFlyer, HTTP 302); "
     "it used to go on to the Play Store."),
    (((TRACKER.replace("track", "new"), 302), ("https://new.example/gone", 404)), 1,
     "hop 1 now goes to new.example/click instead of track.example/click, and ends on a 404 "
     "at new.example/gone; it used to go on to the Play Store."),
])  # fmt: skip
def test_the_first_difference_is_said_in_one_sentence(now, hop, said):
    found = since_ok(WORKED, now, BROKE_AT.isoformat())
    assert found.hop == hop
    assert found.sentence == f"Broke since {WHEN}: {said}"
    assert found.was == (WORKED[hop - 1][0] if hop <= len(WORKED) else "")
    assert found.now == (now[hop - 1][0] if hop <= len(now) else "")
    assert set(found.as_json()) == {"time", "hop", "was", "now", "sentence"}


def check(offer: Offer, hops, health: Health, at: datetime) -> HistoryRecord:
    return HistoryRecord(checked_at=at.isoformat(timespec="seconds"), url=offer.url,
                         country="us", device="android", outcome="ok", verdict=health.value,
                         hops=tuple(hops), health=health, offer_ref=offer.id)  # fmt: skip


def test_the_history_compares_with_the_last_chain_that_worked_from_the_first_broken_check(
    tmp_path,
):
    store = HistoryStore(tmp_path / "history.sqlite3")
    offer = store.offers.save(Offer(TRACKER, ("us",), ("android",), offer_id="1", name="Game"))
    start = BROKE_AT - timedelta(hours=8)
    store.add(check(offer, ((TRACKER, 404),), Health.BROKEN, start))  # broken before it worked
    assert store.timeline.since_ok(offer.id, "us", "android") is None
    store.add(check(offer, WORKED, Health.OK, start + timedelta(hours=4)))
    assert store.timeline.since_ok(offer.id, "us", "android") is None  # it works now
    store.add(check(offer, ((TRACKER, 302), (MMP, 404)), Health.BROKEN, BROKE_AT))
    store.add(check(offer, ((TRACKER, 302), (MMP, 410)), Health.BROKEN,
                    BROKE_AT + timedelta(hours=4)))  # fmt: skip
    found = store.timeline.since_ok(offer.id, "us", "android")
    assert found.time == BROKE_AT.isoformat(timespec="seconds")  # when it first broke
    assert found.sentence.startswith(f"Broke since {WHEN}: hop 2 (AppsFlyer) now ends on a 410")

    strip = store.timeline.strip(offer.id)
    assert [mark.health for mark in strip] == [Health.BROKEN, Health.OK, Health.BROKEN,
                                               Health.BROKEN]  # fmt: skip
    store.close()


def test_a_run_is_the_checks_of_an_offer_close_together_and_the_strip_keeps_30(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    offer = store.offers.save(Offer(TRACKER, ("us", "gb"), ("android",)))
    for run_number in range(35):
        at = BROKE_AT + timedelta(hours=run_number)
        first = Health.NOT_CHECKED if run_number == 34 else Health.OK
        second = Health.WARNING if run_number % 10 == 0 else first
        store.add(check(offer, WORKED, first, at))
        store.add(check(offer, WORKED, second, at + timedelta(seconds=20)))
    strip = store.timeline.strip(offer.id, cells=2)
    assert len(strip) == 30
    assert strip[0].at == (BROKE_AT + timedelta(hours=5)).isoformat(timespec="seconds")
    assert strip[5].health is Health.WARNING  # run 10: one cell warned
    assert strip[-1].health is None  # run 34: not checked
    store.close()


def test_each_call_as_it_leaves_counts_for_its_day(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    [request] = store.queue.enqueue([CheckRequest(TRACKER, "us", "android")], sandbox=False)
    store.queue.sending(request)
    store.queue.sending(request)  # a retry is a call too
    today = datetime.now(timezone.utc).date()
    days = store.timeline.calls_per_day(3, today, sandbox=False)
    assert days == {today - timedelta(days=2): 0, today - timedelta(days=1): 0, today: 2}
    assert store.timeline.calls_per_day(1, today, sandbox=True) == {today: 0}
    assert isinstance(next(iter(days)), date)
    store.close()


def test_the_notification_says_why_the_offers_that_broke_broke():
    note = summary([Change("Game", [("us", "android")], 1, why="Broke since Dec 1, 09:00: "
                           "hop 2 (AppsFlyer) now ends on a 404; it used to go on to the Play "
                           "Store.")], [])  # fmt: skip
    assert note.text == ("1 offer broke: Game (US: Android phone). Game: broke since Dec 1, "
                         "09:00: hop 2 (AppsFlyer) now ends on a 404; it used to go on to the "
                         "Play Store.")  # fmt: skip


def test_list_and_run_carry_since_ok_after_the_link_changed(tmp_path, monkeypatch, sandbox):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    offers = tmp_path / "offers.csv"

    def command(*argv):
        out = io.StringIO()
        status = run(list(argv), stdout=out, stderr=io.StringIO(),
                     environ={"AFFILITEST_API_KEY": sandbox.keys["valid"]})  # fmt: skip
        return status, [json.loads(line) for line in out.getvalue().splitlines()]

    offers.write_text(f"Offer ID,URL,Geo,OS\n1,{sandbox.base_url}/demo/offer/mmp,US,Android\n")
    command("import", str(offers))
    status, [line] = command("run", "--base-url", sandbox.base_url)
    assert status == 0 and line["since_ok"] is None
    _, [listed] = command("list")
    assert listed["since_ok"] is None
    offers.write_text(f"Offer ID,URL,Geo,OS\n1,{sandbox.base_url}/demo/offer/broken,US,Android\n")
    command("import", str(offers))  # the network changed the link
    status, [line] = command("run", "--base-url", sandbox.base_url)
    assert status == 1 and line["health"] == "broken"
    since = line["since_ok"]
    assert since["hop"] == 1 and since["sentence"].startswith("Broke since ")
    assert "/demo/offer/broken" in since["now"] and "/demo/offer/mmp" in since["was"]
    _, [listed] = command("list")
    assert listed["since_ok"] == since
