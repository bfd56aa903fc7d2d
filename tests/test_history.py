"""The history database: committed per result, survives restarts, filters, exports."""

from __future__ import annotations

from affilitest_gui.api.errors import ForbiddenError
from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
from affilitest_gui.history.export import export_csv, read_csv
from affilitest_gui.history.records import CANCELLED, FAILED, OK, record_for
from affilitest_gui.history.store import HistoryStore

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
    assert done.codes == "302 \u2192 -"
    failed = record_for(REQUEST, error=ForbiddenError("no calls left in budget", status=403))
    assert (failed.outcome, failed.verdict) == (FAILED, "Failed: no calls left")
    assert failed.error_key == "no_budget"
    assert record_for(REQUEST, attempts=0).outcome == CANCELLED


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
