"""History files for tests: filled ones, and ones damaged the way a disk damages them."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.records import record_for
from affilitest_gui.offers.model import Offer

TABLE_LEAF_PAGE = 0x0D  # the first byte of a b-tree page that holds a table's rows


def digest(path: Path) -> str:
    """The file's bytes, as a hash: equal before and after means not one byte changed."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_url(number: int) -> str:
    return f"https://track.example/o?n={number:05d}"


def filled_history(path: Path, checks: int, offers: int = 0) -> None:
    """`checks` answered checks (numbered from 0) and `offers` offers, committed."""
    store = HistoryStore(path)
    for number in range(offers):
        store.offers.save(Offer(f"https://offer.example/{number}", ("us",), ("android",),
                                offer_id=str(number)))  # fmt: skip
    records = []
    for number in range(checks):
        request = CheckRequest(check_url(number), "us", "android")
        result = CheckResult(request, (Hop(request.url, 302), Hop("https://example.com/", 200)))
        records.append(record_for(request, result=result))
    store.add_many(records)
    store.close()


def damage_page_holding(path: Path, text: str) -> None:
    """Overwrite the table page of the file that holds `text` with garbage, as a bad
    sector would; SQLite then answers "database disk image is malformed" on reading it."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    offset = data.find(text.encode())
    while offset > 0 and data[offset // page_size * page_size] != TABLE_LEAF_PAGE:
        offset = data.find(text.encode(), offset + 1)  # an index's copy of the text
    assert offset > 0, f"{text!r} is in no table page of {path}"
    start = offset // page_size * page_size
    data[start : start + page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))


# The v1 release's schema and insert, verbatim: the file a user of v0.1 has on disk.
V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    id            INTEGER PRIMARY KEY,
    checked_at    TEXT NOT NULL,
    url           TEXT NOT NULL,
    country       TEXT NOT NULL,
    device        TEXT NOT NULL,
    preview_url   TEXT,
    outcome       TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    hops          TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    attempts      INTEGER NOT NULL,
    duration_s    REAL,
    error_key     TEXT,
    error_status  INTEGER,
    error_message TEXT,
    sandbox       INTEGER NOT NULL DEFAULT 0,
    search        TEXT NOT NULL DEFAULT ''
);
"""
V1_INSERT = (
    "INSERT INTO checks (checked_at, url, country, device, preview_url, outcome, verdict, "
    "hops, final_url, attempts, duration_s, error_key, error_status, error_message, sandbox, "
    "search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
V1_ROWS = [
    ("2026-11-20T10:00:00+00:00", "https://t.example/a", "us", "android", None, "ok",
     "Lands on Play Store: com.a", json.dumps([["https://t.example/a", 302],
     ["https://play.google.com/store/apps/details?id=com.a", None]]),
     "https://play.google.com/store/apps/details?id=com.a", 1, 0.8, None, None, None, 0),
    ("2026-11-20T10:00:01+00:00", "https://t.example/b", "gb", "iphone", None, "ok",
     "Lands on t.example/b", json.dumps([["https://t.example/b", None]]), "https://t.example/b",
     1, 0.5, None, None, None, 1),
    ("2026-11-20T10:00:02+00:00", "https://t.example/c", "de", "desktop", None, "failed",
     "Failed: AffiliTest sent an unreadable answer", "[]", "", 3, None, "malformed", 502,
     "an HTML page instead of data (HTTP 502)", 0),
    ("2026-11-20T10:00:03+00:00", "https://t.example/d", "fr", "ipad", "https://p.example",
     "failed", "Failed: no calls left", "[]", "", 1, None, "no_budget", 403,
     "You have no calls left", 0),
]  # fmt: skip


def v1_search_text(row: tuple) -> str:
    """v1's search column: url, final URL, verdict, country, device, lower case."""
    return " ".join((row[1], row[8], row[6], row[2], row[3])).lower()


def make_v1_file(path: Path, extra: int = 0) -> None:
    """The four rows above, then `extra` answered checks numbered from 0 (check_url)."""
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.execute("CREATE INDEX IF NOT EXISTS checks_verdict ON checks(verdict)")
    db.execute("PRAGMA user_version=1")
    rows = list(V1_ROWS)
    for number in range(extra):
        url = check_url(number)
        rows.append((V1_ROWS[1][0], url, "us", "android", None, "ok", f"Lands on {url}",
                     json.dumps([[url, None]]), url, 1, 0.5, None, None, None, 0))
    db.executemany(V1_INSERT, [(*row, v1_search_text(row)) for row in rows])
    db.commit()
    db.close()
