"""`affilitest-check` against the sandbox: output, exit codes, and no call on bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from affilitest_gui.cli import run
from affilitest_gui.keystore import KeyStore


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def check(sandbox, *args, key="valid", stdin="", stderr=None):
    out, err = io.StringIO(), stderr or io.StringIO()
    env = {"AFFILITEST_API_KEY": sandbox.keys[key]} if key else {}
    code = run(
        ["--base-url", sandbox.base_url, "--limit", "50", "--window", "2", *args],
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
        environ=env,
    )
    return code, out.getvalue(), err.getvalue()


def offer(sandbox, name):
    return f"{sandbox.base_url}/demo/offer/{name}"


def test_every_url_country_device_is_one_check_as_one_json_line(sandbox):
    code, out, _ = check(
        sandbox,
        "--country",
        "us",
        "--country",
        "br",
        "--device",
        "android",
        "--device",
        "desktop",
        offer(sandbox, "game"),
        offer(sandbox, "broken"),
    )
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 8
    combos = {(r["url"].rsplit("/", 1)[1], r["country"], r["device"]) for r in records}
    assert len(combos) == 8
    game_android_us = next(
        r
        for r in records
        if r["url"].endswith("game") and r["country"] == "us" and r["device"] == "android"
    )
    assert game_android_us["status"] == "ok"
    assert game_android_us["final_url"].endswith("id=com.example.game")
    assert [hop["code"] for hop in game_android_us["hops"]] == [302, 302, None]
    assert game_android_us["attempts"] == 1
    assert game_android_us["error"] is None
    assert set(game_android_us) == {
        "url",
        "country",
        "device",
        "status",
        "hops",
        "final_url",
        "attempts",
        "elapsed_s",
        "error",
        "health",
        "reasons",
        "lost_params",
        "macros",
    }
    assert game_android_us["health"] == "ok"
    assert game_android_us["reasons"] == ["lands on Play Store: com.example.game"]
    assert [hop["party"] for hop in game_android_us["hops"]] == [
        None, None, {"name": "Play Store", "role": "app store"}
    ]
    assert (game_android_us["lost_params"], game_android_us["macros"]) == ([], [])


def test_urls_from_a_file_and_csv_output(sandbox, tmp_path):
    urls = tmp_path / "offers.txt"
    urls.write_text(f"# my offers\n{offer(sandbox, 'game')}\n\n{offer(sandbox, 'js')}\n")
    code, out, _ = check(sandbox, "--input", str(urls), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(row["outcome"], row["health"]) for row in rows] == [("ok", "ok"), ("ok", "ok")]
    assert {row["url"] for row in rows} == {offer(sandbox, "game"), offer(sandbox, "js")}


def test_csv_to_a_stdout_that_translates_newlines_has_one_crlf_per_row(sandbox):
    """Windows' text stdout turns every LF into CRLF and encodes with the console's code
    page: the CSV must still end each row with exactly CRLF, in UTF-8."""
    raw = io.BytesIO()
    windows_stdout = io.TextIOWrapper(raw, encoding="cp1252", newline="\r\n")
    code = run(
        ["--base-url", sandbox.base_url, "--limit", "50", "--window", "2", "--format", "csv",
         offer(sandbox, "game"), offer(sandbox, "js")],
        stdin=io.StringIO(), stdout=windows_stdout, stderr=io.StringIO(),
        environ={"AFFILITEST_API_KEY": sandbox.keys["valid"]},
    )  # fmt: skip
    windows_stdout.flush()
    data = raw.getvalue()
    assert code == 0
    assert b"\r\r\n" not in data
    assert data.count(b"\r\n") == data.count(b"\n") == 3  # the header and two rows
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert len(rows) == 2 and all(row["outcome"] == "ok" for row in rows)
    assert windows_stdout.encoding == "utf-8"  # not the console's code page


def test_urls_from_stdin(sandbox):
    code, out, _ = check(sandbox, "--input", "-", stdin=offer(sandbox, "game") + "\n")
    assert code == 0 and len(out.splitlines()) == 1


def test_failed_checks_exit_1_with_the_catalog_advice(sandbox):
    from affilitest_gui.sandbox import Fault

    sandbox.server.push_fault(Fault(400, '{"error": "Missing parameters: url"}'))
    code, out, _ = check(sandbox, offer(sandbox, "game"))
    assert code == 1
    [record] = [json.loads(line) for line in out.splitlines()]
    assert record["status"] == "failed"
    assert record["error"]["kind"] == "bad_request"
    assert record["error"]["status"] == 400
    assert record["error"]["title"] and record["error"]["advice"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--country", "zz"], "country"),
        (["--device", "bad\x07agent"], "User-Agent"),
        (["--preview", "nope"], "preview_url"),
    ],
)
def test_bad_input_exits_2_and_costs_no_call(sandbox, args, words):
    code, out, err = check(sandbox, *args, offer(sandbox, "game"), "ftp://wrong")
    assert code == 2
    assert out == ""
    assert words in err and "ftp://wrong" in err
    assert sum(sandbox.server.stats.statuses.values()) == 0


def test_no_url_and_no_key_are_usage_errors(sandbox):
    assert check(sandbox)[0] == 2
    code, _, err = check(sandbox, offer(sandbox, "game"), key=None)
    assert code == 2 and "AFFILITEST_API_KEY" in err
    assert sum(sandbox.server.stats.statuses.values()) == 0


def test_the_key_can_come_from_the_keyring(sandbox, memory_keyring):
    KeyStore().set(sandbox.keys["valid"])
    code, out, _ = check(sandbox, offer(sandbox, "game"), key=None)
    assert code == 0 and json.loads(out)["status"] == "ok"


def test_a_budget_stop_exits_2_and_lists_what_was_not_checked(sandbox):
    code, out, err = check(
        sandbox,
        "--concurrency",
        "1",
        offer(sandbox, "game"),
        offer(sandbox, "js"),
        offer(sandbox, "meta"),
        key="no_budget",
    )
    assert code == 2
    assert out == ""
    assert "No calls left" in err
    assert "Not checked (3)" in err
    for name in ("game", "js", "meta"):
        assert offer(sandbox, name) in err


def test_progress_goes_to_a_terminal_stderr(sandbox):
    err = FakeTTY()
    check(sandbox, offer(sandbox, "game"), offer(sandbox, "js"), stderr=err)
    assert "2/2 checked, 0 failed" in err.getvalue()


def test_the_installed_command_runs(sandbox):
    env = {**os.environ, "AFFILITEST_API_KEY": sandbox.keys["valid"]}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from affilitest_gui.cli import main; main()",
            "--base-url",
            sandbox.base_url,
            offer(sandbox, "broken"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert [hop["code"] for hop in record["hops"]] == [302, 301, 404]
