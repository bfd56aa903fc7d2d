"""`affilitest-offers schedule`: the app's Schedule dialog from scripts."""

from __future__ import annotations

import io
import json

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE


def command(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), stdout=out, stderr=err, environ={})
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_schedule_offers_every_n_hours_due_at_once_or_off(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    offers = tmp_path / "offers.csv"
    offers.write_text("Offer ID,URL,Geo,OS\n1,https://t.example/a,US,Android\n"
                      "2,https://t.example/b,DE,iOS\n")  # fmt: skip
    assert command("import", str(offers))[0] == 0
    status, [line], _ = command("schedule", "1", "--every", "4")
    assert status == 0 and line["offer_id"] == "1" and line["every_h"] == 4
    store = HistoryStore(tmp_path / "data" / "history.sqlite3")
    [schedule] = store.offers.schedules()
    store.close()
    assert line["next_due"] == schedule.next_due.isoformat(timespec="seconds")  # due at once
    _, lines, _ = command("schedule", "--all", "--every", "24")
    assert [(each["offer_id"], each["every_h"]) for each in lines] == [("1", 24), ("2", 24)]
    _, [line], _ = command("schedule", "2", "--every", "off")
    assert line == {"offer_id": "2", "every_h": None, "next_due": None}
    status, lines, err = command("schedule", "9", "--every", "4")
    assert status == 2 and lines == [] and "no offer '9'" in err
