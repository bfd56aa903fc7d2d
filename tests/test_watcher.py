"""`affilitest-offers watch`: due schedules run with no window, their alert posted and
delivered once; the lease the app and the watcher share; a SIGTERM mid-run loses
nothing; the service files it prints. Real sockets: the sandbox, a local webhook."""

from __future__ import annotations

import io
import json
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from affilitest_gui.history.lease import APP, WATCHER
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.offers.alerts import EVERY_KIND, AlertKind
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE
from tests.alert_receivers import WebhookReceiver
from tests.fakes import no_secrets
from tests.offers_runs import TEST_PATH, import_demo_offers, logged, pending
from tests.schedule_steps import start_watch

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)


def watch(*argv: str, **environ: str) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["watch", *argv], stdout=out, stderr=err, environ=environ,
                 network_keystores=no_secrets)  # fmt: skip
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def history(data_dir: Path) -> HistoryStore:
    return HistoryStore(data_dir / "history.sqlite3")


def sent(server) -> int:
    return len(server.server.stats.requests(TEST_PATH))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture
def receiver():
    made = WebhookReceiver()
    yield made
    made.stop()


def schedule_all(data_dir: Path, *, every_h: int = 4, now: datetime | None = None) -> None:
    store = history(data_dir)
    refs = [offer.id for offer in store.offers.all()]
    store.offers.set_schedule(refs, every_h, now or datetime.now(timezone.utc))
    store.close()


def test_watch_once_runs_what_is_due_and_sends_one_alert_then_nothing_until_due_again(
    data_dir, sandbox, receiver
):
    cells = import_demo_offers(data_dir, sandbox)  # 4 offers x 3 countries; one is broken
    schedule_all(data_dir)
    store = history(data_dir)
    store.alerts.save_choice("slack", EVERY_KIND - {AlertKind.DAILY_SUMMARY})
    store.close()
    env = {"AFFILITEST_API_KEY": sandbox.keys["valid"], "AFFILITEST_SLACK_WEBHOOK": receiver.url}

    status, lines, _ = watch("--once", "--base-url", sandbox.base_url, **env)

    assert status == 1  # a broken offer is a finding, as for `run`
    assert sent(sandbox) == cells
    checks = [line for line in lines if "health" in line]
    assert len(checks) == cells
    assert lines[-1]["offers"] == 4 and lines[-1]["answered"] == cells
    assert lines[-1]["delivered"] == ["sent"]
    [message] = receiver.bodies
    assert message["text"] == ("1 offer broke: 3 (DE: Android phone; GB: Android phone "
                               "+1 country).")  # the demo "broken" offer, ID 3
    store = history(data_dir)
    assert [(e.channel, e.state) for e in store.alerts.log()] == [("slack", "sent")]
    assert all(s.next_due > datetime.now(timezone.utc) for s in store.offers.schedules())
    assert store.lease.take("someone", APP, datetime.now(timezone.utc), for_s=60).holder == (
        "someone"
    )  # the watcher gave the lease back when it ended
    store.close()

    status, lines, _ = watch("--once", "--base-url", sandbox.base_url, **env)
    assert status == 0  # the lease "someone" took still runs: this watcher waits, calmly
    assert lines == [{"lease": APP, "since": lines[0]["since"],
                      "said": lines[0]["said"]}]  # fmt: skip
    assert lines[0]["said"].startswith("Schedules are run by the app on this computer")
    assert sent(sandbox) == cells


def test_a_watcher_with_the_lease_checks_nothing_twice_and_a_second_run_is_quiet(
    data_dir, sandbox, receiver
):
    cells = import_demo_offers(data_dir, sandbox)
    schedule_all(data_dir)
    env = {"AFFILITEST_API_KEY": sandbox.keys["valid"], "AFFILITEST_SLACK_WEBHOOK": receiver.url}
    watch("--once", "--base-url", sandbox.base_url, **env)
    messages = len(receiver.bodies)
    status, lines, _ = watch("--once", "--base-url", sandbox.base_url, **env)
    assert status == 0 and sent(sandbox) == cells  # nothing due: no call
    assert lines[-1]["offers"] == 0 and lines[-1]["answered"] == 0
    assert len(receiver.bodies) == messages  # the broken offer is not said twice


def test_the_watch_needs_a_key_and_says_so_before_taking_the_lease(data_dir, sandbox):
    import_demo_offers(data_dir, sandbox)
    status, lines, err = watch("--once", "--base-url", sandbox.base_url)
    assert status == 2 and lines == [] and "AFFILITEST_API_KEY" in err
    store = history(data_dir)
    assert store.lease.take("app", APP, datetime.now(timezone.utc), for_s=60).holder == "app"
    store.close()


def test_the_lease_goes_to_one_holder_until_it_runs_out_or_is_given_back(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    lease = store.lease
    first = lease.take("watcher:a", WATCHER, NOW, for_s=120)
    assert first.holder == "watcher:a" and first.since == NOW
    assert lease.take("app:b", APP, NOW + timedelta(seconds=60), for_s=120).holder == "watcher:a"
    renewed = lease.take("watcher:a", WATCHER, NOW + timedelta(seconds=90), for_s=120)
    assert renewed.since == NOW  # a renewal keeps when it began
    taken = lease.take("app:b", APP, NOW + timedelta(seconds=211), for_s=120)  # ran out
    assert taken.holder == "app:b" and taken.kind == APP
    lease.release("watcher:a")  # not its own any more: nothing changes
    assert lease.take("watcher:a", WATCHER, NOW + timedelta(seconds=212), for_s=1).holder == (
        "app:b"
    )
    lease.release("app:b")
    assert lease.take("watcher:a", WATCHER, NOW + timedelta(seconds=213), for_s=1).holder == (
        "watcher:a"
    )
    store.close()


def test_the_outbox_is_claimed_so_two_processes_never_send_an_alert_twice(tmp_path):
    from affilitest_gui.alerts.outbox import take_due
    from affilitest_gui.offers.alerts import Notification

    first, second = (HistoryStore(tmp_path / "history.sqlite3") for _ in range(2))
    first.alerts.post("slack", Notification("t", "x"), NOW.isoformat(timespec="seconds"))
    assert len(take_due(first.alerts, NOW)) == 1
    assert take_due(second.alerts, NOW) == []  # claimed by the first
    assert len(take_due(second.alerts, NOW + timedelta(minutes=6))) == 1  # it died: due again
    first.close()
    second.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_sigterm_mid_run_stops_the_watcher_and_loses_no_check(data_dir, sandbox):
    cells = import_demo_offers(data_dir, sandbox, countries="US GB DE FR IT ES")  # 24 cells
    schedule_all(data_dir)
    watcher = start_watch(data_dir, sandbox, "--limit", "2", "--window", "1")  # slow on purpose
    try:
        deadline = time.monotonic() + 60
        while sent(sandbox) < 3:
            assert watcher.poll() is None, watcher.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        watcher.send_signal(signal.SIGTERM)
        _, err = watcher.communicate(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    assert watcher.returncode == 143, err
    assert "stopped:" in err and "kept in the queue" in err
    answered = logged(data_dir, settled=False)
    assert 0 < len(answered) < cells
    assert len(answered) + pending(data_dir) == cells  # each cell logged or waiting
    status, lines, _ = watch("--once", "--base-url", sandbox.base_url,
                             AFFILITEST_API_KEY=sandbox.keys["valid"])  # fmt: skip
    assert status == 1 and lines[-1]["offers"] == 0  # leftovers only; the broken offer
    assert len(logged(data_dir)) == cells  # the rest finished first; nothing twice
    assert sent(sandbox) == cells + sum(r.sends > 1 for r in logged(data_dir))


@pytest.mark.parametrize("kind", ["systemd", "launchd", "windows"])
def test_the_service_recipes_start_the_watcher(kind):
    out, err = io.StringIO(), io.StringIO()
    status = run(["watch", "--print-service", kind], stdout=out, stderr=err,
                 environ={DATA_DIR_VARIABLE: "/srv/affilitest data"})  # fmt: skip
    text = out.getvalue()
    assert status == 0 and err.getvalue() == ""
    assert "watch" in text and "AFFILITEST_API_KEY" not in text.split("ExecStart")[-1]
    if kind == "systemd":
        assert "\nExecStart=" in text and "SuccessExitStatus=130 143" in text
        assert 'Environment="AFFILITEST_DATA_DIR=/srv/affilitest data"' in text  # one word
    elif kind == "launchd":
        import plistlib

        parsed = plistlib.loads(text.encode())
        assert parsed["ProgramArguments"][-1] == "watch" and parsed["RunAtLoad"]
        assert parsed["EnvironmentVariables"] == {DATA_DIR_VARIABLE: "/srv/affilitest data"}
    else:
        assert "schtasks /Create" in text and "watch --once" in text


def test_the_watcher_syncs_a_due_platform_pauses_by_rule_and_says_so_and_a_failed_sync_once(
    data_dir, make_sandbox, receiver
):
    from dataclasses import replace

    from affilitest_gui.sandbox.platforms import KEYS

    server = make_sandbox(platform_offers=10, limit=10_000)
    key = KEYS["everflow"]
    env = {"AFFILITEST_API_KEY": server.keys["valid"], "AFFILITEST_NETWORK_KEY": key,
           "AFFILITEST_SLACK_WEBHOOK": receiver.url}  # fmt: skip
    status = run(["sync", "everflow", "--base-url", server.base_url], stdout=io.StringIO(),
                 stderr=io.StringIO(), environ=env, network_keystores=no_secrets)  # fmt: skip
    assert status == 0
    store = history(data_dir)
    connection = store.platforms.connection("everflow")
    store.platforms.save_connection(replace(connection, sync_every_h=1))
    store.platforms.mark_synced("everflow", "2026-01-01T00:00:00+00:00")  # long due
    store.close()
    schedule_all(data_dir, every_h=1)
    run(["auto-pause", "--on", "--after", "1", "--daily-cap", "2"], stdout=io.StringIO(),
        stderr=io.StringIO(), environ={})  # fmt: skip
    store = history(data_dir)
    store.alerts.save_choice("slack", EVERY_KIND - {AlertKind.DAILY_SUMMARY})
    store.close()

    status, lines, _ = watch("--once", "--base-url", server.base_url, "--limit", "10000", **env)
    assert lines[0] == {"synced": "everflow", "summary": lines[0]["summary"]}
    [paused] = [line["auto_paused"] for line in lines if "auto_paused" in line]
    assert [p["result"] for p in paused].count("paused") == 2  # the daily cap
    titles = [body["blocks"][0]["text"]["text"] for body in receiver.bodies]
    assert titles[0].endswith("broke") and titles[1] == "2 offers auto-paused"
    assert status == 1

    store = history(data_dir)
    store.platforms.mark_synced("everflow", "2026-01-01T00:00:00+00:00")
    store.close()
    wrong = {**env, "AFFILITEST_NETWORK_KEY": "wrong"}
    for _ in range(2):
        _, lines, _ = watch("--once", "--base-url", server.base_url, **wrong)
        assert "sync_failed" in lines[0] and "wrong" not in lines[0]["problem"]
        store = history(data_dir)
        store.platforms.mark_synced("everflow", "2026-01-01T00:00:00+00:00")
        store.close()
    failed = [title for title in (body["blocks"][0]["text"]["text"] for body in receiver.bodies)
              if title == "Sync from Everflow failed"]  # fmt: skip
    assert len(failed) == 1  # said once, until a sync works again
