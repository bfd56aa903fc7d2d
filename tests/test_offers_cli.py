"""`affilitest-offers` against the sandbox: import, list, run, on the app's database."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from affilitest_gui.history.queue import RESENT_REASON
from affilitest_gui.history.rescue import COPIES_FOLDER
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.paths import DATA_DIR_VARIABLE
from tests.histories import check_url, damage_page_holding, filled_history
from tests.offers_runs import (
    command,
    import_demo_offers,
    logged,
    start_run,
    wait_for_sends,
)

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "offers.csv"
SAMPLE_HOST = "http://127.0.0.1:8765"
TEST_PATH = "/api/v1/test"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    return tmp_path / "data"


def offers_file(tmp_path, server) -> Path:
    """The shipped sample, pointed at this test's sandbox."""
    path = tmp_path / "offers.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(SAMPLE_HOST, server.base_url))
    return path


def test_import_twice_updates_and_a_dry_run_saves_nothing(tmp_path, data_dir, sandbox):
    path = offers_file(tmp_path, sandbox)
    status, [dry], _ = command("import", str(path), "--dry-run")
    assert status == 0 and (dry["imported"], dry["updated"]) == (7, 0)
    assert command("list")[1] == []
    status, [first], _ = command("import", str(path))
    assert (first["imported"], first["updated"], first["skipped"]) == (7, 0, [])
    status, [again], _ = command("import", str(path))
    assert (again["imported"], again["updated"]) == (0, 7)  # matched by offer ID
    _, offers, _ = command("list")
    assert len(offers) == 7
    quest = next(offer for offer in offers if offer["offer_id"] == "1001")
    assert quest["countries"] == ["us", "gb"]
    assert quest["devices"] == ["android", "iphone", "ipad"]
    assert quest["expect"] == "play:com.example.game; appstore:1234567890"
    assert quest["health"] is None and quest["last_checked"] is None


def test_bad_rows_are_listed_and_the_good_ones_import(tmp_path, data_dir):
    path = tmp_path / "mixed.csv"
    path.write_text("Offer ID,URL,Geo\n1,https://t.example/1,US\n2,https://t.example/2,ZZ\n")
    status, [result], _ = command("import", str(path))
    assert status == 0 and result["imported"] == 1
    assert result["rows"] == 2
    assert result["skipped"] == [{"row": 3, "reason": result["skipped"][0]["reason"], "rows": 1}]
    assert "ZZ" in result["skipped"][0]["reason"]


def test_run_judges_every_check_and_says_what_changed(tmp_path, data_dir, sandbox):
    command("import", str(offers_file(tmp_path, sandbox)))
    key = sandbox.keys["valid"]
    status, lines, _ = command("run", "--base-url", sandbox.base_url, key=key)
    assert status == 1  # some offers are broken
    assert len(lines) == len(sandbox.server.stats.requests(TEST_PATH)) == 15
    health = {(line["offer_id"], line["country"], line["device"]): line for line in lines}
    assert health[("1001", "us", "android")]["health"] == "ok"
    assert health[("1004", "us", "android")]["health"] == "broken"
    assert "com.example.other" in health[("1004", "us", "android")]["reasons"][0]
    assert health[("1005", "us", "desktop")]["health"] == "warning"
    assert health[("1002", "br", "android")]["health"] == "broken"  # not offered in BR
    assert {"url", "hops", "final_url", "attempts", "error"} <= set(lines[0])
    assert not any(line["changed"] for line in lines)  # nothing to compare with yet

    _, offers, _ = command("list")
    by_id = {offer["offer_id"]: offer for offer in offers}
    assert by_id["1001"]["health"] == "ok" and by_id["1004"]["health"] == "broken"
    assert by_id["1005"]["health"] == "warning" and by_id["1001"]["last_checked"]

    # The network moves offer 1003 to a broken link: the next run says it changed.
    store = HistoryStore(data_dir / "history.sqlite3")
    [shop] = [offer for offer in store.offers.all() if offer.offer_id == "1003"]
    store.offers.save(replace(shop, url=f"{sandbox.base_url}/demo/offer/broken"))
    store.close()
    status, lines, _ = command("run", "--base-url", sandbox.base_url, "--only", "broken", key=key)
    assert {line["offer_id"] for line in lines} == {"1002", "1004", "1006", "1007"}
    _, lines, _ = command("run", "--base-url", sandbox.base_url, key=key)
    changed = [line for line in lines if line["changed"]]
    assert [(line["offer_id"], line["health"]) for line in changed] == [("1003", "broken")]
    _, lines, _ = command("run", "--base-url", sandbox.base_url, "--only", "changed", key=key)
    assert {line["offer_id"] for line in lines} == {"1003"}


def test_all_ok_exits_0_and_the_app_sees_the_checks(tmp_path, data_dir, sandbox):
    path = tmp_path / "good.csv"
    path.write_text(f"Offer ID,URL,Geo,OS,Package\n1,{sandbox.base_url}/demo/offer/game,US,"
                    "Android,com.example.game\n")  # fmt: skip
    command("import", str(path))
    status, [line], _ = command("run", "--base-url", sandbox.base_url, key=sandbox.keys["valid"])
    assert status == 0 and line["health"] == "ok"
    store = HistoryStore(data_dir / "history.sqlite3")
    [record] = store.page()
    assert record.health.value == "ok" and record.offer_ref is not None
    store.close()


def test_a_budget_error_stops_the_run_with_exit_2(tmp_path, data_dir, sandbox):
    command("import", str(offers_file(tmp_path, sandbox)))
    status, lines, err = command("run", "--base-url", sandbox.base_url, "--yes",
                                 key=sandbox.keys["no_budget"])  # fmt: skip
    assert status == 2 and lines == []
    assert "stopped: No calls left" in err and "Not checked (15)" in err
    assert len(sandbox.server.stats.requests(TEST_PATH)) == 1


def test_a_run_bigger_than_the_calls_left_asks_first_and_a_script_needs_yes(
    tmp_path, data_dir, sandbox
):
    command("import", str(offers_file(tmp_path, sandbox)))
    status, lines, err = command("run", "--base-url", sandbox.base_url,
                                 key=sandbox.keys["no_budget"])  # fmt: skip
    assert status == 2 and lines == []
    assert "this run needs 15 calls and 0 are left" in err and "run with --yes" in err
    assert sandbox.server.stats.requests(TEST_PATH) == []  # nothing spent
    assert logged(data_dir) == []  # nothing logged, nothing left in the queue


def test_leftovers_are_announced_with_their_cost_or_discarded_on_request(
    tmp_path, data_dir, make_sandbox
):
    server = make_sandbox(latency_s=0.6)
    left = killed_mid_run(tmp_path, data_dir, server)
    status, _, err = command("run", "--base-url", server.base_url, "--only", "changed",
                             "--discard-unfinished", key=server.keys["valid"])  # fmt: skip
    count = sum(left.values())
    assert f"{count} checks left by a run that stopped logged as not checked (no call)" in err
    records = logged(data_dir)
    assert sum(r.verdict.startswith("Not checked: discarded") for r in records) == count
    assert status == 0  # nothing changed: nothing else was checked


def test_a_run_says_what_it_finishes_first_and_what_it_costs(tmp_path, data_dir, make_sandbox):
    server = make_sandbox(latency_s=0.6)
    left = killed_mid_run(tmp_path, data_dir, server)
    status, _, err = command("run", "--base-url", server.base_url, "--only", "changed",
                             key=server.keys["valid"])  # fmt: skip
    count = sum(left.values())
    assert status == 1  # the leftovers of the broken offer are broken
    assert f"first, {count} checks left by a run that stopped ({count} calls" in err
    assert "--discard-unfinished` drops them instead" in err
    if left.get("sent"):
        assert f"{left['sent']} had been sent and may be charged twice" in err


def test_usage_errors_exit_2_and_send_nothing(tmp_path, data_dir, sandbox):
    status, _, err = command("run", "--base-url", sandbox.base_url)
    assert status == 2 and "no API key" in err
    status, _, err = command("import", str(tmp_path / "missing.csv"))
    assert status == 2 and "Cannot read missing.csv" in err


def killed_mid_run(tmp_path, data_dir, server) -> dict[str, int]:
    """A run killed (SIGKILL / TerminateProcess) after 3 sends; what it left, by state."""
    import_demo_offers(tmp_path, server)
    killed = start_run(data_dir, server, "--concurrency", "2")
    wait_for_sends(server, 3, killed)
    killed.kill()  # no goodbye, on any OS
    killed.wait()
    db = sqlite3.connect(data_dir / "history.sqlite3")
    left = dict(db.execute("SELECT state, COUNT(*) FROM pending GROUP BY state").fetchall())
    db.close()
    assert left.get("queued", 0) > 0  # the kill left work behind
    return left


def cells(items) -> Counter:
    return Counter((item.url, item.country, item.device) for item in items)


def test_a_run_killed_mid_batch_is_finished_by_the_next_without_loss_or_double_sends(
    tmp_path, data_dir, make_sandbox
):
    server = make_sandbox(latency_s=0.6)
    left = killed_mid_run(tmp_path, data_dir, server)
    status, lines, _ = command("run", "--base-url", server.base_url, "--only", "unfinished",
                               key=server.keys["valid"])  # fmt: skip
    assert status == 1  # the next run finished them (the broken offer is broken)
    assert len(lines) == sum(left.values())

    records = logged(data_dir)
    assert len(cells(records)) == 12 and set(cells(records).values()) == {1}  # none lost, once
    sent = cells(server.server.stats.requests(TEST_PATH))
    for record in records:
        times = sent[(record.url, record.country, record.device)]
        if record.sends == 1:  # queued at the kill (or answered before it): sent once
            assert times == 1
        else:  # sent at the kill: sent once more, at most (the first may not have left)
            assert record.sends == 2 and times in (1, 2)
            assert record.reasons[-1] == RESENT_REASON
    assert sum(record.sends == 2 for record in records) == left.get("sent", 0)


def test_a_plain_run_after_a_kill_checks_each_cell_once_counting_the_leftovers(
    tmp_path, data_dir, make_sandbox
):
    server = make_sandbox(latency_s=0.6)
    left = killed_mid_run(tmp_path, data_dir, server)
    before = cells(logged(data_dir, settled=False))  # answered before the kill
    status, lines, _ = command("run", "--base-url", server.base_url, key=server.keys["valid"])
    assert status == 1
    assert len(lines) == 12  # one line per cell: a leftover it finished is that cell's check
    after = cells(logged(data_dir)) - before
    assert len(after) == 12 and set(after.values()) == {1}
    assert sum(left.values()) + len(before) == 12  # what the kill left + what it had logged


def test_two_runs_on_one_data_folder_send_each_check_once_per_run(
    tmp_path, data_dir, make_sandbox
):
    """Two `affilitest-offers run` 0.3 s apart on one folder: neither takes the other's
    live checks for leftovers of a crash."""
    server = make_sandbox(latency_s=0.4)
    count = import_demo_offers(tmp_path, server, "US GB")
    first = start_run(data_dir, server, "--concurrency", "2")
    wait_for_sends(server, 1, first)
    time.sleep(0.3)
    second = start_run(data_dir, server, "--concurrency", "2")
    assert first.wait(timeout=120) == 1 and second.wait(timeout=120) == 1  # broken: 1

    sent = cells(server.server.stats.requests(TEST_PATH))
    assert len(sent) == count and set(sent.values()) == {2}  # once per run, never three
    records = logged(data_dir)
    assert len(records) == 2 * count and {record.sends for record in records} == {1}
    assert not list((data_dir / "runs").iterdir())  # both runs let their locks go


def test_a_damaged_history_is_named_and_list_copy_lists_what_can_be_read(tmp_path, data_dir):
    path = data_dir / "history.sqlite3"
    filled_history(path, checks=600, offers=3)
    damage_page_holding(path, check_url(0))
    before = path.read_bytes()

    status, lines, err = command("list")
    assert status == 2 and lines == []
    assert f"the history file {path} cannot be read (database disk image is malformed)" in err
    assert "`affilitest-offers list --copy` lists the offers" in err

    status, lines, err = command("list", "--copy")
    assert status == 0 and err == ""
    assert sorted(line["offer_id"] for line in lines) == ["0", "1", "2"]
    assert path.read_bytes() == before
    assert list((data_dir / COPIES_FOLDER).iterdir()) == []  # the copy is gone


def test_damage_found_mid_command_is_named_and_the_next_start_checks_the_whole_file(data_dir):
    path = data_dir / "history.sqlite3"
    filled_history(path, checks=10, offers=400)
    damage_page_holding(path, "https://offer.example/200")  # mid-list: opening reads past it

    status, _, err = command("list")
    assert status == 2 and "Traceback" not in err
    assert f"part of the history file {path} cannot be read (database disk image is " in err

    status, lines, err = command("list")  # the next start finds the damage at once
    assert status == 2 and lines == []
    assert "cannot be read (a check of the whole file found damaged pages)" in err
    assert "list --copy" in err

    status, lines, _ = command("list", "--copy")
    assert status == 0 and 300 < len(lines) < 400


def test_two_offers_with_one_identical_link_cost_one_call_and_both_get_the_result(
    tmp_path, data_dir, sandbox
):
    """The sandbox's request log is the witness: one call, a line and a row per offer,
    each judged by its own expectation."""
    link = f"{sandbox.base_url}/demo/offer/game"
    path = tmp_path / "twins.csv"
    path.write_text(f"Offer ID,URL,Geo,OS,Package\n1,{link},US,Android,com.example.game\n"
                    f"2,{link},US,Android,com.other.app\n")  # fmt: skip
    command("import", str(path))
    status, lines, _ = command("run", "--base-url", sandbox.base_url, key=sandbox.keys["valid"])
    assert len(sandbox.server.stats.requests(TEST_PATH)) == 1
    assert {line["offer_id"]: line["health"] for line in lines} == {"1": "ok", "2": "broken"}
    assert status == 1  # offer 2 lands on another app
    assert len(logged(data_dir)) == 2
