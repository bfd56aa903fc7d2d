"""Sync from the network platforms and writes back there: the plan, and
`affilitest-offers sync | pause | resume | audit` against the sandbox's fakes."""

from __future__ import annotations

import io
import json

import pytest

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.networks.connections import Connection
from affilitest_gui.networks.connector import NetworkOffer
from affilitest_gui.networks.sync import SyncAction, plan_sync
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE
from affilitest_gui.sandbox.platforms import KEYS
from tests.fakes import no_secrets

NOW = "2026-12-02T10:00:00+00:00"


def fetched(offer_id: str, url: str = "https://t.example/o", **fields) -> NetworkOffer:
    return NetworkOffer("affise", offer_id, f"Offer {offer_id}", "active", url, **fields)


def test_a_plan_says_new_updated_unchanged_gone_and_skipped_with_reasons():
    connection = Connection("affise", base_url="https://api-x.affise.com")
    known = [
        Offer("https://t.example/o", ("us",), ("android",), offer_id="affise:1",
              name="Offer 1", source="affise:1", platform_status="active", id=1),
        Offer("https://t.example/old", ("us",), ("android",), offer_id="affise:2",
              name="Offer 2", source="affise:2", platform_status="active", id=2),
        Offer("https://t.example/o", ("us",), ("android",), offer_id="affise:9",
              source="affise:9", platform_status="active", id=9),
        Offer("https://t.example/file", ("de",), ("iphone",), offer_id="3", name="From a file",
              id=3),
    ]  # fmt: skip
    plan = plan_sync(connection, [
        fetched("1"), fetched("2", "https://t.example/new"), fetched("3"), fetched("4"),
        fetched("5", url=""), fetched("6", url="javascript:alert(1)"),
    ], known, {}, now=NOW)  # fmt: skip
    actions = {entry.source: entry for entry in plan.entries}
    assert actions["affise:1"].action is SyncAction.UNCHANGED
    assert actions["affise:2"].action is SyncAction.UPDATED and actions["affise:2"].reason == "link"
    assert actions["affise:3"].action is SyncAction.UPDATED  # the file's offer 3: matched
    assert actions["affise:3"].offer.id == 3
    assert actions["affise:4"].action is SyncAction.NEW
    assert actions["affise:4"].offer.countries == ("us",)  # the connection's, none given
    assert actions["affise:5"].action is SyncAction.SKIPPED and actions["affise:5"].reason
    assert actions["affise:6"].action is SyncAction.SKIPPED
    assert actions["affise:9"].action is SyncAction.GONE
    assert actions["affise:9"].offer.platform_status == "inactive"
    assert plan.summary == {"new": 1, "updated": 2, "unchanged": 1, "gone": 1, "skipped": 2}


@pytest.fixture
def sandbox(make_sandbox):
    """A sandbox whose platforms hold 40 offers each (36 active): the links are made one
    call each, paced as the platforms ask, so a real-sized list would take minutes."""
    return make_sandbox(platform_offers=40)


ACTIVE = 36


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    return tmp_path / "data"


def command(*argv, key: str | None = None):
    out, err = io.StringIO(), io.StringIO()
    environ = {"AFFILITEST_NETWORK_KEY": key} if key else {}
    status = run(list(argv), stdout=out, stderr=err, environ=environ,
                 network_keystores=no_secrets)  # fmt: skip
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


SYNC_ARGS = {
    "affise": ["--partner", "7"],  # the tracking domain is the sandbox itself, added below
    "everflow": ["--partner", "7"],
    "hasoffers": ["--network-id", "demo", "--partner", "7"],
}


@pytest.mark.parametrize("platform", ["affise", "everflow", "hasoffers"])
def test_sync_previews_then_saves_and_a_second_sync_changes_nothing(platform, data_dir,
                                                                   sandbox):  # fmt: skip
    args = ["sync", platform, "--base-url", sandbox.base_url, *SYNC_ARGS[platform]]
    if platform == "affise":
        args += ["--tracking-domain", sandbox.base_url]
    status, lines, err = command(*args, "--dry-run", key=KEYS[platform])
    assert status == 0 and err == ""
    assert lines[-1] == {"summary": {"new": ACTIVE, "updated": 0, "unchanged": 0, "gone": 0,
                                     "skipped": 0}}  # fmt: skip
    first = lines[0]
    assert first["source"] == f"{platform}:1" and first["action"] == "new"
    assert "affid=7" in first["url"] or "pid=7" in first["url"] or "aff_id=7" in first["url"]
    assert command("list")[1] == []  # a dry run saved nothing
    command(*args, key=KEYS[platform])
    listed = command("list")[1]
    assert len(listed) == ACTIVE and listed[0]["source"] == f"{platform}:1"
    status, lines, _ = command("sync", platform, key=KEYS[platform])  # the saved connection
    assert lines[-1]["summary"]["unchanged"] == ACTIVE and len(command("list")[1]) == ACTIVE


def test_an_offer_no_longer_active_stays_marked_and_its_schedule_stops(data_dir, sandbox):
    args = ["sync", "everflow", "--base-url", sandbox.base_url]
    command(*args, key=KEYS["everflow"])
    store = HistoryStore(data_dir / "history.sqlite3")
    offer = next(o for o in store.offers.all() if o.source == "everflow:5")
    from datetime import datetime, timezone

    store.offers.set_schedule([offer.id], 4, datetime(2026, 12, 2, tzinfo=timezone.utc))
    store.close()
    sandbox.server.platforms.offers["everflow"][5].status = "paused"  # paused over there
    _, lines, _ = command(*args, key=KEYS["everflow"])
    gone = next(line for line in lines if line.get("source") == "everflow:5")
    assert gone["action"] == "gone" and "no longer active in Everflow" in gone["reason"]
    store = HistoryStore(data_dir / "history.sqlite3")
    kept = next(o for o in store.offers.all() if o.source == "everflow:5")
    assert kept.platform_status == "inactive" and store.offers.schedules() == []
    store.close()


def test_pause_says_first_then_writes_logs_and_resume_undoes(data_dir, sandbox):
    key = KEYS["hasoffers"]
    command("sync", "hasoffers", "--base-url", sandbox.base_url, "--network-id", "demo", key=key)
    fake = sandbox.server.platforms.offers["hasoffers"]
    status, lines, _ = command("pause", "hasoffers:1", "hasoffers:2", "nope", key=key)
    assert status == 0 and [line["result"] for line in lines] == ["would pause", "would pause",
                                                                 "not synced"]  # fmt: skip
    assert fake[1].status == "active"  # nothing written without --yes
    _, lines, _ = command("pause", "hasoffers:1", "hasoffers:2", "--yes", key=key)
    assert [line["result"] for line in lines] == ["paused", "paused"]
    assert fake[1].status == fake[2].status == "paused"
    _, lines, _ = command("pause", "hasoffers:1", "--yes", key=key)
    assert lines[0]["result"] == "already"
    _, lines, _ = command("resume", "hasoffers:2", "--yes", key=key)
    assert lines[0]["result"] == "resumed" and fake[2].status == "active"
    _, audit, _ = command("audit")
    assert [(a["source"], a["action"], a["new_status"], a["by"]) for a in audit] == [
        ("hasoffers:1", "pause", "paused", "hand"), ("hasoffers:2", "pause", "paused", "hand"),
        ("hasoffers:2", "resume", "active", "hand")]  # fmt: skip


def test_a_refused_key_or_an_unreachable_platform_exits_2_with_one_sentence(data_dir, sandbox):
    status, lines, err = command("sync", "everflow", "--base-url", sandbox.base_url,
                                 key="not-the-key")  # fmt: skip
    assert status == 2 and lines == [] and err.count("\n") == 1
    assert "refused the key" in err and "not-the-key" not in err and "Traceback" not in err
    status, _, err = command("sync", "everflow", "--base-url", "http://127.0.0.1:9", key="k")
    assert status == 2 and "cannot be reached" in err
    status, _, err = command("sync", "affise", key="k")
    assert status == 2 and "tenant's API address" in err
    status, _, err = command("sync", "everflow", "--base-url", sandbox.base_url)
    assert status == 2 and "AFFILITEST_NETWORK_KEY" in err


def test_the_rule_counts_only_real_broken_runs():
    from affilitest_gui.judging.health import Health
    from affilitest_gui.offers.auto_pause import PauseRule, advance

    rule = PauseRule(enabled=True, broken_runs=2, min_cells=2)
    broken, ok = Health.BROKEN, Health.OK
    streaks, due = advance({}, {1: [broken, broken], 2: [broken, ok], 3: [broken, broken]},
                           rule)  # fmt: skip
    assert streaks == {1: 1, 2: 0, 3: 1} and due == []
    streaks, due = advance(streaks, {1: [broken, broken, Health.NOT_CHECKED],
                                     3: [Health.NOT_CHECKED, Health.CANCELLED]}, rule)  # fmt: skip
    assert streaks == {1: 2, 2: 0, 3: 1} and due == [1]  # 3: our failure says nothing
    streaks, _ = advance(streaks, {1: [Health.WARNING, Health.WARNING]}, rule)
    assert streaks[1] == 0  # a warning is no broken run


def test_run_pauses_an_offer_broken_runs_in_a_row_within_the_daily_cap(data_dir, make_sandbox):
    server = make_sandbox(platform_offers=10, limit=10_000)
    key = KEYS["everflow"]
    command("sync", "everflow", "--base-url", server.base_url, key=key)
    status, [line], _ = command("auto-pause", "--on", "--after", "2", "--daily-cap", "1",
                                "--never", "everflow:6")  # fmt: skip
    assert status == 0 and line == {"rule": {"enabled": True, "broken_runs": 2, "min_cells": 1,
                             "daily_cap": 1}, "never": ["everflow:6"]}  # fmt: skip

    def run_once() -> list[dict]:
        out, err = io.StringIO(), io.StringIO()
        run(["run", "--base-url", server.base_url, "--limit", "10000"], stdout=out, stderr=err,
            environ={"AFFILITEST_API_KEY": server.keys["valid"], "AFFILITEST_NETWORK_KEY": key},
            network_keystores=no_secrets)  # fmt: skip
        return json.loads(out.getvalue().splitlines()[-1])["auto_paused"]

    assert run_once() == []  # one broken run: not yet
    paused = run_once()
    results = {entry["source"]: entry["result"] for entry in paused}
    assert list(results.values()).count("paused") == 1  # the daily cap
    assert set(results.values()) <= {"paused", "waiting"} and "everflow:6" not in results
    fake = server.server.platforms.offers["everflow"]
    [first] = [source for source, result in results.items() if result == "paused"]
    assert fake[int(first.split(":")[1])].status == "paused" and fake[6].status == "active"
    _, audit, _ = command("audit")
    assert [(entry["source"], entry["by"]) for entry in audit] == [(first, "rule")]


def test_a_sync_of_every_status_marks_what_left_the_whole_list_deleted(data_dir, sandbox):
    key = KEYS["everflow"]
    _, lines, _ = command("sync", "everflow", "--base-url", sandbox.base_url,
                          "--every-status", key=key)  # fmt: skip
    assert lines[-1]["summary"]["new"] == 40  # 36 active and 4 paused
    del sandbox.server.platforms.offers["everflow"][7]
    _, lines, _ = command("sync", "everflow", key=key)  # the saved connection: every status
    gone = [line for line in lines if line.get("action") == "gone"]
    assert [(line["source"], line["reason"]) for line in gone] == [
        ("everflow:7", "no longer in Everflow")]
    listed = {line["source"]: line for line in command("list")[1]}
    assert listed["everflow:7"]["platform_status"] == "deleted"
    assert listed["everflow:10"]["platform_status"] == "paused"


def test_the_audit_export_is_whole_and_runs_no_formula(tmp_path):
    import csv

    from affilitest_gui.history.platform_book import AuditEntry, export_audit

    entries = [AuditEntry("affise:1", "pause", "active", "suspended", "done", "status suspended",
                          at=NOW),
               AuditEntry("affise:2", "pause", "active", "active", "refused",
                          "=HYPERLINK(\"http://evil.example\")", by_rule=True, at=NOW)]  # fmt: skip
    path = tmp_path / "audit.csv"
    assert export_audit(entries, path) == 2
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["by"] for row in rows] == ["hand", "rule"]
    assert rows[1]["answer"].startswith("'=") and rows[0]["answer"] == "status suspended"
    assert not list(tmp_path.glob(".*.part"))


def test_a_sync_keeps_what_the_person_set_on_a_synced_offer(data_dir, sandbox):
    key = KEYS["everflow"]
    command("sync", "everflow", "--base-url", sandbox.base_url, key=key)
    command("auto-pause", "--never", "everflow:3")
    sandbox.server.platforms.offers["everflow"][3].name = "Renamed over there"
    _, lines, _ = command("sync", "everflow", key=key)
    assert next(line for line in lines if line.get("source") == "everflow:3")["action"] == (
        "updated")
    _, [rule], _ = command("auto-pause")
    assert rule["never"] == ["everflow:3"]  # the person's choice outlives the sync
