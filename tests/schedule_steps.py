"""Steps the schedule tests share: a fake clock, two offers on the sandbox (one that
breaks), counting the checks sent, and `affilitest-offers watch` in its own process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.expectations import Expectation, ExpectKind
from affilitest_gui.offers.model import Offer
from affilitest_gui.paths import DATA_DIR_VARIABLE

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
TEST_PATH = "/api/v1/test"


class FakeClock:
    """The scheduler's clock: it moves only when the test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def add_offers(tmp_path, server) -> list[Offer]:
    store = HistoryStore(tmp_path / "history.sqlite3")
    game = Expectation(ExpectKind.PLAY, "com.example.game")
    offers = [
        store.offers.save(Offer(f"{server.base_url}/demo/offer/game", ("us",), ("android",),
                                offer_id="1", name="Game", expects=(game,))),
        store.offers.save(Offer(f"{server.base_url}/demo/offer/wrongapp", ("us",),
                                ("android",), offer_id="2", name="Wrong app",
                                expects=(game,))),
    ]  # fmt: skip
    store.close()
    return offers


def sent(server) -> int:
    return len(server.server.stats.requests(TEST_PATH))


def start_watch(data_dir: Path, server, *args: str) -> subprocess.Popen:
    env = {**os.environ, DATA_DIR_VARIABLE: str(data_dir),
           "AFFILITEST_API_KEY": server.keys["valid"]}  # fmt: skip
    code = "from affilitest_gui.offers_cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "watch", "--base-url", server.base_url, *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
