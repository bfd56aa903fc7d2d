"""One account, one limit across processes: the send log the app and both twins share."""

from __future__ import annotations

import os
import subprocess
import sys

from affilitest_gui.api.limits import RateLimit
from affilitest_gui.history.send_log import SharedSendLog

RATE = RateLimit(limit=3, window_s=10.0, margin_s=0.0, min_spacing_s=0.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_two_logs_on_one_file_share_the_window(tmp_path):
    clock = Clock()
    first = SharedSendLog(tmp_path / "sends.sqlite3", RATE, clock=clock)
    second = SharedSendLog(tmp_path / "sends.sqlite3", RATE, clock=clock)
    assert [first.take(), second.take(), first.take()] == [0.0, 0.0, 0.0]
    clock.now += 4
    assert second.take() == 6.0  # the window is full: wait until the first send leaves it
    clock.now += 6
    assert second.take() == 0.0
    first.close()
    second.close()


def test_two_processes_together_never_pass_the_limit(tmp_path, make_sandbox):
    # The server enforces 5 per 2 s; each process alone would send its 8 at once.
    server = make_sandbox(limit=5, window_s=2.0)
    env = {**os.environ, "AFFILITEST_DATA_DIR": str(tmp_path / "data"),
           "AFFILITEST_API_KEY": server.keys["valid"]}  # fmt: skip
    urls = [f"{server.base_url}/demo/offer/{name}" for name in ("game", "js", "meta", "broken")]
    code = "from affilitest_gui.cli import main; main()"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, "--base-url", server.base_url, "--limit", "5",
             "--window", "2", "--country", "us", "--country", country, *urls],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        for country in ("gb", "de")
    ]  # fmt: skip
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1) and "Traceback" not in err, err  # 1: broken offer
    stats = server.server.stats
    assert len(stats.requests("/api/v1/test")) == 16
    assert stats.statuses.get(429, 0) == 0  # the server, counting arrivals, refused none
    assert stats.max_in_window(2.0) <= 5
