"""History at scale: 100k rows. Time to open the window with the log populated, time to
apply a filter, resident memory. Goals: < 1 s, < 150 ms, < 250 MB.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/history_scale.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
from affilitest_gui.app import make_application
from affilitest_gui.assembly import build_window
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.records import record_for

COUNTRIES = ("us", "gb", "de", "fr", "br", "in", "il")
DEVICES = ("android", "iphone", "desktop")


def fill(store: HistoryStore, count: int) -> None:
    batch = []
    for i in range(count):
        request = CheckRequest(f"https://track.example.com/click?offer={i}",
                               COUNTRIES[i % 7], DEVICES[i % 3])  # fmt: skip
        store_url = f"https://play.google.com/store/apps/details?id=com.app{i % 900}"
        hops = (Hop(request.url, 302), Hop(f"https://r.example.net/{i}", 302), Hop(store_url))
        batch.append(record_for(request, result=CheckResult(request, hops, elapsed_s=2.5)))
        if len(batch) == 10_000:
            store.add_many(batch)
            batch = []
    store.add_many(batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20k rows instead of 100k")
    args = parser.parse_args()
    count = 20_000 if args.quick else 100_000
    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        store = HistoryStore(tmp / "history.sqlite3")
        fill(store, count)
        store.close()
        started = time.perf_counter()
        window = build_window("http://127.0.0.1:9", data_dir=tmp)
        window.show()
        QApplication.processEvents()
        opened = time.perf_counter() - started
        filters = []
        for text in ("com.app42", "gb iphone", "offer=999", "nothing-matches", ""):
            started = time.perf_counter()
            window.results.filter_edit.setText(text)
            QApplication.processEvents()
            filters.append(time.perf_counter() - started)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        window.close()
        window.store.close()
    del app
    print(f"{count:,} rows: window open with the log {opened * 1000:.0f} ms (goal < 1000)")
    print(f"filter: median {statistics.median(filters) * 1000:.0f} ms, "
          f"max {max(filters) * 1000:.0f} ms (goal < 150)")  # fmt: skip
    print(f"peak RSS {rss:.0f} MB (goal < 250)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
