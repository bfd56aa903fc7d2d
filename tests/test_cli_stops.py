"""The command line under Ctrl+C, SIGTERM, a full disk and bad numbers: it stops as the
app's Quit does, says what is left and how to finish it, and never loses an answer the
server charged for; bad input costs no call."""

from __future__ import annotations

import io
import signal
import sqlite3
import sys
import time
from collections import Counter

import pytest

from affilitest_gui.cli import run as check_run
from affilitest_gui.history.queue import CheckQueue
from affilitest_gui.paths import DATA_DIR_VARIABLE
from tests.offers_runs import (
    TEST_PATH,
    command,
    import_demo_offers,
    logged,
    pending,
    start_run,
    wait_for_sends,
)

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    return tmp_path / "data"


@POSIX_ONLY
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_run_keeps_every_answer_and_says_how_to_finish(
    tmp_path, data_dir, make_sandbox, signum, status
):
    server = make_sandbox(latency_s=1.0)
    total = import_demo_offers(tmp_path, server)
    process = start_run(data_dir, server, "--concurrency", "4", output=True)
    wait_for_sends(server, 4, process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert "Traceback" not in err and "stopping: no new checks are sent" in err
    assert "not sent, kept in the queue: `affilitest-offers run --only unfinished`" in err
    records, left = logged(data_dir, settled=False), pending(data_dir)
    sent = len(server.server.stats.requests(TEST_PATH))
    assert len(records) == sent == len(out.splitlines())  # every answer charged is logged
    assert left == total - sent > 0  # the rest waits, unsent

    status_after, lines, _ = command("run", "--base-url", server.base_url, "--only",
                                     "unfinished", key=server.keys["valid"])  # fmt: skip
    records, left = logged(data_dir, settled=False), pending(data_dir)
    assert status_after == 1 and len(lines) == total - sent and left == 0
    cells = Counter((r.url, r.country, r.device) for r in records)
    assert len(cells) == total and set(cells.values()) == {1}  # none sent twice
    assert len(server.server.stats.requests(TEST_PATH)) == total


@POSIX_ONLY
def test_a_second_ctrl_c_stops_at_once_and_leaves_the_rest_in_the_queue(
    tmp_path, data_dir, make_sandbox
):
    server = make_sandbox(latency_s=8.0)
    total = import_demo_offers(tmp_path, server)
    process = start_run(data_dir, server, "--concurrency", "4", output=True)
    wait_for_sends(server, 4, process)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    stopped_at = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and time.monotonic() - stopped_at < 5  # not the 10 s
    assert "stopped at once; what was not answered stays in the queue" in err
    records, left = logged(data_dir, settled=False), pending(data_dir)
    assert left > 0 and len(records) + left == total  # nothing lost: the rest waits


def test_a_full_disk_stops_sending_keeps_the_answers_and_marks_nothing_damaged(
    tmp_path, data_dir, make_sandbox, monkeypatch
):
    """SQLite's own SQLITE_FULL, brought about by capping the file's pages once the run
    has begun (a full disk cannot be made here without privileges)."""
    server = make_sandbox(latency_s=0.2)
    total = import_demo_offers(tmp_path, server)
    finish = CheckQueue.finish
    calls = []

    def fill_the_disk(self, request, record):
        calls.append(1)
        if len(calls) == 2:
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            self._db.execute(f"PRAGMA max_page_count = {pages}")
        return finish(self, request, record)

    monkeypatch.setattr(CheckQueue, "finish", fill_the_disk)
    status, _, err = command("run", "--base-url", server.base_url, "--concurrency", "2",
                                 key=server.keys["valid"])  # fmt: skip
    monkeypatch.setattr(CheckQueue, "finish", finish)
    assert status == 2 and "Traceback" not in err
    assert err.count("is full: free some space, then finish the run") == 1
    assert "could not be saved: they stay in the queue, unfinished" in err
    sent = len(server.server.stats.requests(TEST_PATH))
    assert sent < total  # it stopped sending
    records, left = logged(data_dir, settled=False), pending(data_dir)
    assert len(records) + left == total  # every check is logged, or waits: none lost
    assert not list(data_dir.glob("*.damaged*"))  # a full disk is no damage
    db = sqlite3.connect(data_dir / "history.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    command("run", "--base-url", server.base_url, "--only", "unfinished",
            key=server.keys["valid"])  # space again: the next run finishes them
    records, left = logged(data_dir, settled=False), pending(data_dir)
    assert len(records) == total and left == 0


@pytest.mark.parametrize(
    ("args", "said"),
    [(("--limit", "999999999999999999999"), "--limit must be a whole number from 1 to 50"),
     (("--window", "nan"), "--window must be a number of seconds"),
     (("--window", "inf"), "--window must be a number of seconds"),
     (("--concurrency", "0"), "--concurrency must be a whole number from 1 to 50"),
     (("--limit", "100000", "--window", "0.001"), "--window must be a number of seconds"),
     (("--limit", "100", "--window", "30"),
      "may only make the rate slower than AffiliTest's 50 calls per 30 s")],
)  # fmt: skip
def test_bad_numbers_exit_2_with_a_sentence_and_send_nothing(data_dir, sandbox, args, said):
    live = "https://affilitest.example"  # not on this computer: the published limit holds
    status, lines, err = command("run", "--base-url", live, *args, key=sandbox.keys["valid"])
    assert status == 2 and lines == [] and said in err and "Traceback" not in err
    out, err_check = io.StringIO(), io.StringIO()
    key = {"AFFILITEST_API_KEY": sandbox.keys["valid"]}
    status = check_run(["--base-url", live, *args, "https://t.example/x"], stdout=out,
                       stderr=err_check, environ=key)  # fmt: skip
    assert status == 2 and said in err_check.getvalue()


def test_a_server_on_this_computer_may_set_a_faster_rate(tmp_path, data_dir, sandbox):
    import_demo_offers(tmp_path, sandbox)
    status, lines, _ = command("run", "--base-url", sandbox.base_url, "--limit", "50",
                               "--window", "2", key=sandbox.keys["valid"])  # fmt: skip
    assert status == 1 and len(lines) == 12


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("andriod", "Did you mean android?"), ("iphon", "Did you mean iphone?"),
     ("symbian", "nor a User-Agent.")],
)  # fmt: skip
def test_a_device_typo_is_refused_with_the_closest_name_and_costs_no_call(sandbox, typed, hint):
    out, err = io.StringIO(), io.StringIO()
    key = {"AFFILITEST_API_KEY": sandbox.keys["valid"]}
    status = check_run(["--base-url", sandbox.base_url, "--device", typed,
                        "https://t.example/x"], stdout=out, stderr=err, environ=key)  # fmt: skip
    assert status == 2 and hint in err.getvalue()
    assert sandbox.server.stats.requests(TEST_PATH) == []



def test_a_disk_too_full_to_open_the_history_is_said_as_full_not_as_damage(
    tmp_path, monkeypatch
):
    """SQLite says only "disk I/O error" when a full disk refuses its shared-memory file
    (seen on a full tmpfs with `affilitest-offers watch --once`)."""
    import shutil
    import sqlite3

    from affilitest_gui.history import problems

    refused = sqlite3.OperationalError("disk I/O error")
    refused.sqlite_errorcode = sqlite3.SQLITE_IOERR
    room = shutil.disk_usage(tmp_path)
    assert problems.storage_problem(refused, tmp_path) is problems.StorageProblem.OTHER
    monkeypatch.setattr(problems.shutil, "disk_usage",
                        lambda _folder: room._replace(free=4096))  # fmt: skip
    assert problems.storage_problem(refused, tmp_path) is problems.StorageProblem.FULL
    assert problems.storage_problem(refused) is problems.StorageProblem.OTHER  # no folder
