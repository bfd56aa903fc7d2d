"""Steps the command-line tests share: the demo offers imported, `affilitest-offers run`
started in a process of its own, waiting for its sends, reading what it logged."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE

TEST_PATH = "/api/v1/test"
DEMO_OFFERS = ("game", "js", "meta", "broken")


def command(*argv, key=None):
    """`affilitest-offers` in this process: status, stdout lines (JSON), stderr."""
    import json

    out, err = io.StringIO(), io.StringIO()
    environ = {"AFFILITEST_API_KEY": key} if key else {}
    status = run(list(argv), stdout=out, stderr=err, environ=environ)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return status, lines, err.getvalue()


def import_demo_offers(tmp_path: Path, server, countries: str = "US GB DE") -> int:
    """The demo offers on `server`, each in `countries` on Android; the number of cells."""
    rows = "".join(f"{n},{server.base_url}/demo/offer/{name},{countries},Android\n"
                   for n, name in enumerate(DEMO_OFFERS))  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "offers.csv").write_text("Offer ID,URL,Geo,OS\n" + rows)
    assert command("import", str(tmp_path / "offers.csv"))[0] == 0
    return len(DEMO_OFFERS) * len(countries.split())


def start_run(data_dir: Path, server, *args: str, output: bool = False) -> subprocess.Popen:
    """`affilitest-offers run` in a process of its own, as cron or a second terminal;
    `output`: its stdout and stderr are kept (text) for the test to read."""
    env = {**os.environ, DATA_DIR_VARIABLE: str(data_dir),
           "AFFILITEST_API_KEY": server.keys["valid"]}  # fmt: skip
    code = "from affilitest_gui.offers_cli import main; main()"
    kept = subprocess.PIPE if output else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", "--base-url", server.base_url, *args],
        env=env, stdout=kept, stderr=kept, text=True,
    )  # fmt: skip


def wait_for_sends(server, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(server.server.stats.requests(TEST_PATH)) < count:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)


def logged(data_dir: Path, *, settled: bool = True) -> list:
    """The log's records; `settled`: nothing is left in the queue."""
    store = HistoryStore(data_dir / "history.sqlite3")
    records = list(store.iter_all())
    assert not settled or store.queue.unfinished() == []
    store.close()
    return records


def pending(data_dir: Path) -> int:
    """The checks waiting in the durable queue."""
    db = sqlite3.connect(data_dir / "history.sqlite3")
    count = db.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
    db.close()
    return count
