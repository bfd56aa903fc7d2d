"""The history database: committed per result, survives restarts, filters, exports."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from affilitest_gui.api.errors import ForbiddenError, MalformedResponseError
from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
from affilitest_gui.engine.batch import UNANSWERED
from affilitest_gui.history.export import export_csv, read_csv
from affilitest_gui.history.store import SCHEMA_VERSION, HistoryStore, NewerDatabaseError
from affilitest_gui.judging.records import CANCELLED, FAILED, OK, record_for
from tests.histories import (
    V1_ROWS,
    check_url,
    damage_page_holding,
    digest,
    filled_history,
    make_v1_file,
)

REQUEST = CheckRequest("https://track.example/o?id=1", "us", "android")
RESULT = CheckResult(
    REQUEST,
    hops=(Hop("https://track.example/o?id=1", 302),
          Hop("https://play.google.com/store/apps/details?id=com.example", None)),
    elapsed_s=1.25,
    attempts=2,
)  # fmt: skip


def test_records_say_what_happened_in_plain_words():
    done = record_for(REQUEST, result=RESULT)
    assert (done.outcome, done.verdict) == (OK, "Lands on Play Store: com.example")
    assert done.status_codes == "302 \u2192 -"
    failed = record_for(REQUEST, error=ForbiddenError("no calls left in budget", status=403))
    assert (failed.outcome, failed.verdict) == (FAILED, "Failed: no calls left")
    assert failed.error_key == "no_budget"
    assert record_for(REQUEST, attempts=0).outcome == CANCELLED
    unanswered = record_for(REQUEST, attempts=1, reason=UNANSWERED)
    assert unanswered.outcome == CANCELLED and "no answer" in unanswered.verdict


def test_a_rerun_asks_exactly_what_the_first_check_asked(tmp_path):
    without_codes = CheckRequest("https://t.example/o", "gb", "iphone", None, codes=False)
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(record_for(without_codes, result=CheckResult(without_codes, (Hop("https://x"),))))
    with_preview = CheckRequest("https://t.example/p", "de", "ipad", "https://apps.apple.com/x")
    store.add(record_for(with_preview, error=ForbiddenError("No calls left", status=403)))
    store.close()
    reopened = HistoryStore(tmp_path / "h.sqlite3")
    assert {r.request for r in reopened.iter_all()} == {without_codes, with_preview}
    reopened.close()


def test_a_failures_explanation_is_the_one_shown_when_it_happened():
    seen = record_for(REQUEST, error=MalformedResponseError("a web page (HTTP 200)", status=200))
    assert not seen.error_from_server
    assert seen.explanation.explanation.startswith("The app received a web page (HTTP 200)")
    said = record_for(REQUEST, error=ForbiddenError("No calls left", status=403))
    assert "AffiliTest said: \u201cNo calls left\u201d" in said.explanation.explanation


def test_a_stored_result_survives_a_restart(tmp_path):
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    stored = store.add(record_for(REQUEST, result=RESULT, sandbox=True))
    store.close()  # no explicit flush needed: each add is committed
    reopened = HistoryStore(path)
    [back] = reopened.page()
    assert back == stored
    assert back.sandbox and back.hops == stored.hops
    reopened.close()


def test_filter_sort_and_pages(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add_many(
        [record_for(CheckRequest(f"https://t.example/{i}", c, "iphone"), result=RESULT)
         for i, c in enumerate(["us", "gb", "de"] * 40)]
    )  # fmt: skip
    assert store.count() == 120
    assert store.count("gb") == 40
    expected = sum(1 for i in range(120) if i % 3 == 1 and str(i).startswith("1"))
    assert store.count("t.example/1 gb") == expected  # every word must match
    first = store.page(limit=10)
    assert [r.id for r in first] == sorted((r.id for r in first), reverse=True)
    assert len(store.page(offset=115, limit=10)) == 5
    by_country = store.page(sort="country", descending=False, limit=1)
    assert by_country[0].country == "de"
    assert store.count("100%_") == 0  # LIKE wildcards are taken literally
    store.close()


def test_csv_export_round_trips(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    records = [
        store.add(record_for(REQUEST, result=RESULT)),
        store.add(record_for(REQUEST, error=ForbiddenError("No calls left", status=403))),
        store.add(
            record_for(CheckRequest("https://x.example/\u00e9t\u00e9", "fr", 'Mozilla/5.0 "q", x'))
        ),
    ]
    path = tmp_path / "out.csv"
    assert export_csv(store.iter_all(), path) == 3
    back = read_csv(path)
    assert [(r.url, r.verdict, r.hops, r.error_status, r.device) for r in back] == [
        (r.url, r.verdict, r.hops, r.error_status, r.device) for r in reversed(records)
    ]
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    store.close()


def test_live_and_sandbox_rows_are_kept_apart(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(record_for(REQUEST, result=RESULT))
    store.add(record_for(REQUEST, result=RESULT, sandbox=True))
    store.add(record_for(REQUEST, result=RESULT, sandbox=True))
    assert (store.count(sandbox=False), store.count(sandbox=True), store.count()) == (1, 2, 3)
    assert all(r.sandbox for r in store.page(sandbox=True))
    assert [r.sandbox for r in store.iter_all(sandbox=False)] == [False]
    store.close()


def test_the_exported_chain_is_readable(tmp_path):
    path = tmp_path / "out.csv"
    export_csv([record_for(REQUEST, result=RESULT)], path)
    text = path.read_text(encoding="utf-8-sig")
    assert "302 https://track.example/o?id=1 -> - https://play.google.com/store/apps/" in text
    assert "[[" not in text  # no raw JSON


def test_a_v1_history_migrates_with_every_row_intact(tmp_path):
    path = tmp_path / "history.sqlite3"
    make_v1_file(path)
    store = HistoryStore(path)
    rows = list(reversed(list(store.iter_all())))
    assert len(rows) == 4
    for row, old in zip(rows, V1_ROWS, strict=True):
        assert (row.checked_at, row.url, row.country, row.device, row.preview_url,
                row.outcome, row.verdict, row.final_url, row.attempts, row.duration_s,
                row.error_key, row.error_status, row.error_message, row.sandbox) == (
            old[0], old[1], old[2], old[3], old[4], old[5], old[6], old[8], old[9], old[10],
            old[11], old[12], old[13], bool(old[14]))  # fmt: skip
        assert [list(hop) for hop in row.hops] == json.loads(old[7])
    assert [r.codes for r in rows] == [True, False, True, True]  # inferred from the hops
    assert [r.error_from_server for r in rows] == [True, True, False, True]
    assert store.count("t.example/c") == 1  # the search column still works
    # v3: every old row judged by today's rules, findable by its health.
    assert [r.health.value for r in rows] == ["ok", "ok", "not_checked", "not_checked"]
    assert rows[0].reasons == ("lands on Play Store: com.a",)
    assert rows[3].reasons == ("No calls left",)
    assert store.count("not checked") == 2
    assert store.offers.all() == [] and all(r.offer_ref is None for r in rows)
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_a_history_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "history.sqlite3"
    make_v1_file(path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = digest(path)
    with pytest.raises(NewerDatabaseError, match="newer version of AffiliTest GUI"):
        HistoryStore(path)
    assert digest(path) == before


def test_an_unreadable_history_is_set_aside_with_its_wal_and_a_new_one_opens(tmp_path):
    from affilitest_gui.history.store import set_aside

    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"damaged")
    Path(f"{path}-wal").write_bytes(b"wal")
    kept = set_aside(path)
    assert not path.exists() and kept.read_bytes() == b"damaged"
    assert Path(f"{kept}-wal").read_bytes() == b"wal"
    assert kept.name.startswith("history-unreadable-")
    store = HistoryStore(path)
    assert store.count() == 0
    store.close()


def test_setting_aside_is_all_or_nothing_when_windows_refuses_a_rename(tmp_path, monkeypatch):
    """The WAL held by another program (Windows: PermissionError on rename): the history
    file, already renamed, gets its name back, and the error reaches the caller."""
    from affilitest_gui.history.store import set_aside

    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"damaged")
    Path(f"{path}-wal").write_bytes(b"wal")
    rename = Path.rename

    def refuse_the_wal(self, target):
        if self.name.endswith("-wal"):
            raise PermissionError(13, "being used by another process", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_the_wal)
    with pytest.raises(PermissionError):
        set_aside(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3", "history.sqlite3-wal"]
    assert path.read_bytes() == b"damaged"


def test_a_file_whose_tables_do_not_match_its_version_is_refused_at_once(tmp_path):
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE checks DROP COLUMN sends")
    db.commit()
    db.close()
    with pytest.raises(sqlite3.DatabaseError, match="sends"):
        HistoryStore(path)


def test_a_migration_that_fails_half_way_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "history.sqlite3"
    make_v1_file(path, extra=400)
    damage_page_holding(path, check_url(200))  # the step's UPDATE reads it and fails
    before = digest(path)
    for _attempt in range(2):  # and again: never "duplicate column" on the next start
        with pytest.raises(sqlite3.DatabaseError, match="malformed"):
            HistoryStore(path)
        assert digest(path) == before


def test_a_file_marked_damaged_is_checked_whole_when_next_opened(tmp_path):
    from affilitest_gui.history.store import DAMAGED_MARK, DamagedHistoryError

    path = tmp_path / "history.sqlite3"
    filled_history(path, checks=600)
    damage_page_holding(path, check_url(300))  # mid-way: opening reads past it
    store = HistoryStore(path)
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        store.count("n=0030")  # a filter reads every row
    store.mark_damaged()
    store.close()
    with pytest.raises(DamagedHistoryError, match="whole file found damaged pages"):
        HistoryStore(path)
    sound = tmp_path / "sound.sqlite3"
    filled_history(sound, checks=5)
    Path(f"{sound}{DAMAGED_MARK}").touch()  # a read failed once, but the file checks out
    HistoryStore(sound).close()
    assert not Path(f"{sound}{DAMAGED_MARK}").exists()


def test_processes_opening_a_new_history_at_once_all_open_it(tmp_path):
    """Each reads the version again under the write lock: the second does not create
    the tables the first has just made (it said "table offers already exists")."""
    import subprocess
    import sys

    code = ("import sys, time; from pathlib import Path\n"
            "from affilitest_gui.history.store import HistoryStore\n"
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
            "HistoryStore(Path(sys.argv[1])).close()\n")  # fmt: skip
    for attempt in range(3):
        path = tmp_path / f"new-{attempt}.sqlite3"
        start = time.time() + 1.0  # every process is up by then, then all open at once
        argv = [sys.executable, "-c", code, str(path), str(start)]
        processes = [subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
                     for _ in range(4)]  # fmt: skip
        errors = [process.communicate(timeout=60)[1] for process in processes]
        assert [process.returncode for process in processes] == [0] * 4, errors
    store = HistoryStore(path)
    assert store.count() == 0 and store.offers.all() == []
    store.close()
