"""The sandbox speaks the contract: envelope, every seed message, limits, real tracing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from affilitest_gui.sandbox import accounts as msg
from affilitest_gui.sandbox.tracer import next_in_page


def post(sandbox, path="/api/v1/test?codes", headers=None, cookies=None, **fields):
    data = {"url": f"{sandbox.base_url}/demo/offer/game", "country": "us", "device": "android"}
    data.update(fields)
    with requests.Session() as session:
        session.trust_env = False
        return session.post(
            sandbox.base_url + path, data=data, headers=headers or {}, cookies=cookies, timeout=10
        )


def login_cookie(sandbox) -> str:
    with requests.Session() as session:
        session.trust_env = False
        answer = session.post(
            sandbox.base_url + "/user/login",
            data={"email": msg.DEMO_EMAIL, "password": msg.DEMO_PASSWORD},
            timeout=10,
        )
        assert answer.json() == {"error": None, "data": "Successfuly logged in!", "meta": {}}
        return answer.cookies[msg.SESSION_COOKIE]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, msg.MSG_NEEDS_AUTH),
        ({"Authorization": ""}, msg.MSG_MISSING_AUTH),
        ({"Authorization": "Bearer abc"}, msg.MSG_BAD_AUTH_TYPE),
        ({"Authorization": "AT-API short"}, msg.MSG_BAD_KEY_LENGTH),
        ({"Authorization": "AT-API " + "0" * 64}, msg.MSG_BAD_KEY),
    ],
)
def test_each_header_case_gets_its_401_message(sandbox, headers, message):
    answer = post(sandbox, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == message
    assert answer.json()["data"] is None


def test_an_unverified_account_is_told_to_verify(sandbox):
    answer = post(sandbox, headers={"Authorization": "AT-API " + sandbox.keys["unverified"]})
    assert (answer.status_code, answer.json()["error"]) == (401, msg.MSG_NOT_VERIFIED)


def test_session_login_works_and_bad_or_expired_sessions_get_their_messages(sandbox):
    token = login_cookie(sandbox)
    assert post(sandbox, cookies={msg.SESSION_COOKIE: token}).status_code == 200
    bad = post(sandbox, cookies={msg.SESSION_COOKIE: "nonsense"})
    assert (bad.status_code, bad.json()["error"]) == (401, msg.MSG_BAD_SESSION)
    empty = post(sandbox, headers={"Cookie": f"{msg.SESSION_COOKIE}="})
    assert (empty.status_code, empty.json()["error"]) == (401, msg.MSG_MISSING_AUTH)
    sandbox.server.accounts.expire_sessions()
    expired = post(sandbox, cookies={msg.SESSION_COOKIE: token})
    assert (expired.status_code, expired.json()["error"]) == (401, msg.MSG_SESSION_EXPIRED)


@pytest.mark.parametrize("method", ["POST", "GET"])  # the vendor's Python client GETs
def test_logout_ends_the_session_by_either_method(sandbox, method):
    token = login_cookie(sandbox)
    with requests.Session() as session:
        session.trust_env = False
        answer = session.request(method, sandbox.base_url + "/user/logout",
                                 cookies={msg.SESSION_COOKIE: token}, timeout=10)  # fmt: skip
    assert answer.status_code == 200
    after = post(sandbox, cookies={msg.SESSION_COOKIE: token})
    assert after.status_code == 401  # the session is over


@pytest.mark.parametrize(
    ("account", "message"),
    [("no_permission", msg.MSG_NO_PERMISSION), ("no_budget", msg.MSG_NO_BUDGET)],
)
def test_both_403_cases(sandbox, account, message):
    answer = post(sandbox, headers={"Authorization": "AT-API " + sandbox.keys[account]})
    assert (answer.status_code, answer.json()["error"]) == (403, message)


def test_missing_parameters_are_a_400(sandbox):
    answer = post(sandbox, headers={"Authorization": "AT-API " + sandbox.keys["valid"]}, url="")
    assert answer.status_code == 400
    assert "url" in answer.json()["error"]


def test_past_the_limit_comes_a_429_with_retry_after(make_sandbox):
    sandbox = make_sandbox(limit=3, window_s=30.0)
    auth = {"Authorization": "AT-API " + sandbox.keys["valid"]}
    statuses = [post(sandbox, headers=auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = post(sandbox, headers=auth)
    assert refused.json()["error"].startswith("Too many requests per second Limit is 3")
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert sandbox.server.stats.max_in_window(30.0) == 3


def test_injected_500s(make_sandbox):
    sandbox = make_sandbox(p500=1.0)
    answer = post(sandbox, headers={"Authorization": "AT-API " + sandbox.keys["valid"]})
    assert answer.status_code == 500
    assert answer.json()["error"] == "Internal Server Error"


def test_calls_left_drops_per_charged_call(sandbox):
    auth = {"Authorization": "AT-API " + sandbox.keys["valid"]}
    with requests.Session() as session:
        session.trust_env = False
        before = session.get(sandbox.base_url + "/api/v1/callsLeft", headers=auth).json()["data"]
        post(sandbox, headers=auth)
        post(sandbox, headers=auth)
        after = session.get(sandbox.base_url + "/api/v1/callsLeft", headers=auth).json()["data"]
    assert before - after == 2


def traced(sandbox, offer, country="us", device="android", codes=True):
    answer = post(
        sandbox,
        path="/api/v1/test" + ("?codes" if codes else ""),
        headers={"Authorization": "AT-API " + sandbox.keys["valid"]},
        url=f"{sandbox.base_url}/demo/offer/{offer}",
        country=country,
        device=device,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["error"] is None
    paths = [url.replace(sandbox.base_url, "") for url in body["data"]]
    return paths, body["meta"]


@pytest.mark.parametrize(
    ("country", "device", "final"),
    [
        ("us", "android", "https://play.google.com/store/apps/details?id=com.example.game"),
        ("gb", "iphone", "https://apps.apple.com/gb/app/id1234567890"),
        ("de", "ipad", "https://apps.apple.com/de/app/id1234567890"),
        ("fr", "desktop", "/demo/landing/game"),
        ("il", "windowsPhone", "/demo/landing/game"),
        ("br", "android", "/demo/unavailable?country=br"),
    ],
)
def test_the_game_offer_redirects_by_country_and_device(sandbox, country, device, final):
    paths, meta = traced(sandbox, "game", country, device)
    assert paths[0] == "/demo/offer/game"
    assert paths[-1] == final
    assert meta["codes"][:2] == [302, 302]
    assert len(meta["codes"]) == len(paths)


def test_the_broken_offer_ends_in_404(sandbox):
    paths, meta = traced(sandbox, "broken")
    assert paths == ["/demo/offer/broken", "/demo/track/broken", "/demo/gone"]
    assert meta["codes"] == [302, 301, 404]


def test_the_loop_is_detected(sandbox):
    paths, meta = traced(sandbox, "loop")
    assert paths == ["/demo/offer/loop", "/demo/loop/a", "/demo/loop/b", "/demo/loop/a"]
    assert meta["stopped"] == "loop"
    assert meta["codes"] == [302, 302, 302, None]


def test_the_long_chain_stops_at_twenty_hops(sandbox):
    paths, meta = traced(sandbox, "long")
    assert len(paths) == 20
    assert meta["stopped"] == "hop_limit"
    assert set(meta["codes"]) == {302}


def test_the_offers_that_show_each_health(sandbox, monkeypatch):
    monkeypatch.setattr("affilitest_gui.sandbox.demo_site.SLOW_HOP_S", 0.0)
    paths, _ = traced(sandbox, "wrongapp", device="iphone")
    assert paths[-1] == "https://apps.apple.com/us/app/id999999999"
    paths, _ = traced(sandbox, "wrongapp")
    assert paths[-1] == "https://play.google.com/store/apps/details?id=com.example.other"
    paths, meta = traced(sandbox, "blocked", device="desktop")
    assert paths[-1] == "/demo/landing/blocked?check=1" and meta["codes"] == [302, 403]
    paths, _ = traced(sandbox, "gone")
    assert paths[-1] == "https://play.google.com/store/apps"
    paths, meta = traced(sandbox, "slow")
    assert paths[:4] == ["/demo/offer/slow", "/demo/slow/1", "/demo/slow/2", "/demo/slow/3"]
    assert paths[-1] == "https://play.google.com/store/apps/details?id=com.example.game"


def test_meta_refresh_and_js_redirects_are_followed(sandbox):
    paths, meta = traced(sandbox, "meta")
    assert paths[-1] == "https://play.google.com/store/apps/details?id=com.example.shop"
    assert meta["codes"] == [200, None]
    assert meta["stopped"] == "offline"  # the store is recorded, never fetched
    paths, meta = traced(sandbox, "js", device="desktop")
    assert paths == ["/demo/offer/js", "/demo/landing/js"]
    assert meta["codes"] == [200, 200]


def test_without_codes_there_are_none(sandbox):
    _, meta = traced(sandbox, "broken", codes=False)
    assert "codes" not in meta


def test_a_non_loopback_offer_is_never_fetched(sandbox):
    before = sandbox.server.stats.statuses.copy()
    answer = post(
        sandbox,
        headers={"Authorization": "AT-API " + sandbox.keys["valid"]},
        url="http://192.0.2.1/offer",
    )
    body = answer.json()
    assert body["data"] == ["http://192.0.2.1/offer"]
    assert body["meta"]["codes"] == [None]
    assert sum(sandbox.server.stats.statuses.values()) == sum(before.values()) + 1


@pytest.mark.parametrize(
    ("page", "target"),
    [
        ('<meta http-equiv="refresh" content="0;URL=\'/next\'">', "/next"),
        ("<META HTTP-EQUIV=Refresh CONTENT='3; url=http://127.0.0.1/x'>", "http://127.0.0.1/x"),
        ('<script>window.location.href = "/go";</script>', "/go"),
        ("<script>location.replace('/there')</script>", "/there"),
        ("<p>no redirect here</p>", None),
    ],
)
def test_page_redirect_parsing(page, target):
    assert next_in_page(page) == target


def start_sandbox_module(**options: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "affilitest_gui.sandbox", "--limit", "5", "--window", "2"],
        stdout=subprocess.PIPE, text=True, env=env, **options,
    )  # fmt: skip


def say_ready_and_answer(process: subprocess.Popen) -> None:
    ready = json.loads(process.stdout.readline())
    assert set(ready) == {"base_url", "keys", "login"}
    assert ready["base_url"].startswith("http://127.0.0.1:")
    assert set(ready["keys"]) == {"valid", "unverified", "no_budget", "no_permission"}
    assert all(len(key) == 64 for key in ready["keys"].values())
    with requests.Session() as session:
        session.trust_env = False
        auth = {"Authorization": "AT-API " + ready["keys"]["valid"]}
        answer = session.get(ready["base_url"] + "/api/v1/callsLeft", headers=auth, timeout=10)
    assert answer.json()["data"] == 10_000


def stops_cleanly(send: object, **options: object) -> None:
    """Start the module, see it answer, send it `send`: it stops with exit status 0."""
    process = start_sandbox_module(**options)
    try:
        say_ready_and_answer(process)
        process.send_signal(send)
        assert process.wait(timeout=15) == 0
    finally:
        process.kill() if process.poll() is None else None
        process.stdout.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals; Windows: the test below")
def test_the_module_prints_one_ready_line_and_stops_on_sigterm():
    stops_cleanly(signal.SIGTERM)


@pytest.mark.skipif(sys.platform != "win32", reason="Windows: Ctrl+Break to its process group")
def test_the_module_prints_one_ready_line_and_stops_on_ctrl_break():
    """On Windows SIGTERM is TerminateProcess (exit 1, no clean stop): a console program
    is asked to stop with Ctrl+Break, sent to its own process group."""
    stops_cleanly(signal.CTRL_BREAK_EVENT, creationflags=subprocess.CREATE_NEW_PROCESS_GROUP)
