"""The one run path of the app and `affilitest-offers run`: planning, judging, recording,
and the answers a full disk keeps. Qt-free, on a real history file."""

from __future__ import annotations

import inspect
from dataclasses import replace

import pytest

from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
from affilitest_gui.history.repository import (
    AlertRepository,
    LeaseRepository,
    MarkRepository,
    OfferRepository,
    PlatformRepository,
    QueueRepository,
    Repository,
)
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.expectations import Expectation
from affilitest_gui.judging.health import Health
from affilitest_gui.offers.choice import OFFER_FILTERS, OfferChoice
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers_cli import build_parser
from affilitest_gui.runs.planner import RunPlanner, calls_for

LINK = "https://track.example/o?id=1"
PLAY = "https://play.google.com/store/apps/details?id=com.example.game"


@pytest.fixture
def store(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    yield store
    store.close()


def landing_on(request: CheckRequest, url: str) -> CheckResult:
    return CheckResult(request, hops=(Hop(LINK, 302), Hop(url, 200)), elapsed_s=0.5)


def test_an_offer_is_checked_once_per_cell_and_a_leftover_cell_is_not_asked_twice(store):
    offer = store.offers.save(Offer(LINK, ("us", "gb"), ("android", "iphone")))
    planner = RunPlanner(store)
    first = planner.queue_offers([offer])
    assert len(first) == 4 and all(request.ref is not None for request in first)
    leftovers = first[:1]  # as if a stopped run had left this cell to finish first
    again = planner.queue_offers([offer], after=leftovers)
    cells = {(request.country, request.device) for request in again}
    assert len(again) == 3 and (first[0].country, first[0].device) not in cells


def test_each_answer_is_judged_against_its_offer_and_logged_with_it(store):
    expects = (Expectation.parse("play:com.other.app"),)
    offer = store.offers.save(Offer(LINK, ("us",), ("android",), expects=expects))
    planner = RunPlanner(store)
    [request] = planner.queue_offers([offer])
    [form_check] = planner.queue_checks([CheckRequest(LINK, "de", "android")])
    wrong_app = planner.record(request, result=landing_on(request, PLAY))
    plain = planner.record(form_check, result=landing_on(form_check, PLAY))
    assert wrong_app.offer == offer and wrong_app.record.offer_ref == offer.id
    assert wrong_app.record.health is Health.BROKEN  # not the app the offer expects
    assert plain.offer is None and plain.record.health is Health.OK  # the general rules
    assert store.count() == 2 and store.queue.unfinished() == []


def test_a_full_disk_keeps_the_answer_and_writes_it_first_once_there_is_room(store):
    planner = RunPlanner(store)
    first, second = planner.queue_checks([CheckRequest(LINK, "us", "android"),
                                          CheckRequest(LINK, "gb", "android")])  # fmt: skip
    db = store.queue._db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    big = f"{PLAY}&ref={'x' * 50_000}"  # more than the pages left hold
    kept = planner.record(first, result=landing_on(first, big))
    assert kept.kept and kept.stored == () and planner.kept == 1 and store.count() == 0
    db.execute("PRAGMA max_page_count = 1073741823")  # room again
    done = planner.record(second, result=landing_on(second, PLAY))
    assert not done.kept and planner.kept == 0
    assert [record.country for record in done.stored] == ["us", "gb"]  # oldest first
    assert store.count() == 2


def test_what_a_sandbox_run_plans_is_kept_apart_from_live_checks(store):
    planner = RunPlanner(store, sandbox=True)
    [request] = planner.queue_checks([CheckRequest(LINK, "us", "android")])
    planner.record(request, result=landing_on(request, PLAY))
    assert store.count(sandbox=True) == 1 and store.count(sandbox=False) == 0


def test_the_app_and_the_command_line_choose_offers_with_one_choice(store):
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    only = {name: next(a for a in commands[name]._actions if a.dest == "only").choices
            for name in ("run", "export")}  # fmt: skip
    assert only["run"] == [choice.value for choice in OfferChoice]
    assert only["export"] == [choice.value for choice in OFFER_FILTERS]
    broken = replace(Offer(LINK, ("us",), ("android",)))
    statuses = [type("S", (), {"health": Health.BROKEN, "changed": False, "offer": broken}),
                type("S", (), {"health": None, "changed": True, "offer": broken})]  # fmt: skip
    assert OfferChoice.BROKEN.pick(statuses) == statuses[:1]
    assert OfferChoice.CHANGED.pick(statuses) == statuses[1:]
    assert OfferChoice.UNFINISHED.pick(statuses) == []


@pytest.mark.parametrize(
    ("interface", "implementation"),
    [(Repository, lambda store: store), (QueueRepository, lambda store: store.queue),
     (OfferRepository, lambda store: store.offers),
     (PlatformRepository, lambda store: store.platforms),
     (AlertRepository, lambda store: store.alerts), (MarkRepository, lambda store: store.marks),
     (LeaseRepository, lambda store: store.lease)],
)  # fmt: skip
def test_the_sqlite_history_is_the_repository_the_layers_above_use(
    store, interface, implementation
):
    """Every member of the interface is there, taking the same parameters: a second
    implementation (a team database) is held to the same list."""
    made = implementation(store)
    members = [name for name in vars(interface) if not name.startswith("_")]
    members += list(getattr(interface, "__annotations__", {}))
    assert members
    for name in members:
        assert hasattr(made, name), name
        wanted = getattr(interface, name, None)
        if callable(wanted):
            expected = list(inspect.signature(wanted).parameters)[1:]
            assert list(inspect.signature(getattr(made, name)).parameters) == expected, name


def test_identical_checks_of_several_offers_are_one_call_recorded_for_each(store):
    game = (Expectation.parse("play:com.example.game"),)
    other = (Expectation.parse("play:com.other.app"),)
    first = store.offers.save(Offer(LINK, ("us", "gb"), ("android",), offer_id="1",
                                    expects=game))  # fmt: skip
    second = store.offers.save(Offer(LINK, ("us",), ("android",), offer_id="2", expects=other))
    assert calls_for([first, second]) == 2  # us is shared, gb is the first's alone
    planner = RunPlanner(store)
    queued = planner.queue_offers([first, second])
    assert len(queued) == 2 and len(store.queue.unfinished()) == 0  # this run's own
    shared = next(request for request in queued if request.country == "us")
    done = planner.record(shared, result=landing_on(shared, PLAY))
    assert [record.offer_ref for record in done.records] == [first.id, second.id]
    assert [record.health for record in done.records] == [Health.OK, Health.BROKEN]
    assert len(done.stored) == 2 and all(record.id for record in done.stored)
    assert store.count() == 2
