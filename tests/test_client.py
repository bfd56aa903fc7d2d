"""The client against the sandbox over real sockets: results, and one error type per failure."""

from __future__ import annotations

import json
import socket

import pytest

from affilitest_gui.api.client import AffiliTestClient
from affilitest_gui.api.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    HTTPStatusError,
    MalformedResponseError,
    NetworkError,
    RateLimitedError,
    ServerError,
    ServiceError,
    TLSError,
)
from affilitest_gui.api.limits import Timeouts
from affilitest_gui.api.models import CheckRequest, Hop, parse_calls_left, parse_chain
from affilitest_gui.sandbox import Fault
from affilitest_gui.sandbox.accounts import DEMO_EMAIL, DEMO_PASSWORD


@pytest.fixture
def client(sandbox):
    with AffiliTestClient(sandbox.base_url, sandbox.keys["valid"]) as client:
        yield client


def game(sandbox, **kwargs) -> CheckRequest:
    return CheckRequest.create(
        f"{sandbox.base_url}/demo/offer/game",
        **{
            "country": "us",
            "device": "android",
            **kwargs,
        },
    )


def json_fault(status, error=None, data=None, **kwargs) -> Fault:
    return Fault(status, json.dumps({"error": error, "data": data, "meta": {}}), **kwargs)


def test_a_check_returns_the_chain_hop_by_hop(sandbox, client):
    result = client.check(game(sandbox))
    assert result.hops == (
        Hop(f"{sandbox.base_url}/demo/offer/game", 302),
        Hop(f"{sandbox.base_url}/demo/track/click?offer=game&c=us", 302),
        Hop("https://play.google.com/store/apps/details?id=com.example.game", None),
    )
    assert result.final_url.endswith("id=com.example.game")
    assert result.envelope["error"] is None
    assert result.elapsed_s > 0


def test_compare_to_preview(sandbox, client):
    store = "https://play.google.com/store/apps/details?id=com.example.game"
    assert client.check(game(sandbox, preview_url=store)).preview_match is True
    desktop = game(sandbox, device="desktop", preview_url=store)
    assert client.check(desktop).preview_match is False


def test_calls_left_and_app_info(sandbox, client):
    before = client.calls_left()
    client.check(game(sandbox))
    assert client.calls_left() == before - 1
    info = client.app_info(package="com.example.game")
    assert (info.title, info.package) == ("Example Quest", "com.example.game")
    by_url = client.app_info(url="https://play.google.com/store/apps/details?id=com.example.shop")
    assert by_url.title == "Example Shop"
    with pytest.raises(BadRequestError, match="country"):
        client.app_info(package="1234567890")
    assert client.app_info(package="1234567890", country="us").raw["platform"] == "ios"


def test_login_session_instead_of_a_key(sandbox):
    with AffiliTestClient(sandbox.base_url) as client, pytest.raises(AuthError) as caught:
        client.calls_left()
        assert caught.value.server_message == "Authorization is needed to access this feature"
        client.login(DEMO_EMAIL, DEMO_PASSWORD)
        assert client.calls_left() == 10_000
        sandbox.server.accounts.expire_sessions()
        with pytest.raises(AuthError, match="Login session expired"):
            client.calls_left()
        with pytest.raises(AuthError):
            client.login(DEMO_EMAIL, "wrong")


@pytest.mark.parametrize(
    ("key_name", "error_type"),
    [("unverified", AuthError), ("no_budget", ForbiddenError), ("no_permission", ForbiddenError)],
)
def test_account_errors_are_typed(sandbox, key_name, error_type):
    with (
        AffiliTestClient(sandbox.base_url, sandbox.keys[key_name]) as client,
        pytest.raises(error_type) as caught,
    ):
        client.check(game(sandbox))
    assert caught.value.endpoint == "test"
    assert caught.value.status in (401, 403)


@pytest.mark.parametrize(
    ("fault", "error_type", "status"),
    [
        (json_fault(400, "Missing parameters: url"), BadRequestError, 400),
        (json_fault(401, "Invalid API Key"), AuthError, 401),
        (json_fault(403, "Forbidden"), ForbiddenError, 403),
        (json_fault(500, "Internal Server Error"), ServerError, 500),
        (Fault(502, "<html><body>Bad Gateway</body></html>", "text/html"), ServerError, 502),
        (Fault(503, ""), ServerError, 503),
        (json_fault(404, "nope"), HTTPStatusError, 404),
        (Fault(200, "<html>proxy login page</html>", "text/html"), MalformedResponseError, 200),
        (Fault(200, ""), MalformedResponseError, 200),
        (Fault(200, "[1, 2, 3]"), MalformedResponseError, 200),
        (json_fault(200, "Login session expired"), AuthError, 200),
        (json_fault(200, "Something unusual happened"), ServiceError, 200),
    ],
)
def test_each_failure_becomes_its_error_type(sandbox, client, fault, error_type, status):
    sandbox.server.push_fault(fault)
    with pytest.raises(error_type) as caught:
        client.check(game(sandbox))
    assert caught.value.status == status
    assert caught.value.endpoint == "test"
    assert "AT-API" not in str(caught.value)
    assert sandbox.keys["valid"] not in str(caught.value)


def test_html_error_pages_get_a_readable_message(sandbox, client):
    sandbox.server.push_fault(Fault(502, "<html>Bad Gateway</html>", "text/html"))
    with pytest.raises(ServerError) as caught:
        client.calls_left()
    assert caught.value.server_message == "a web page (HTTP 502)"
    assert caught.value.from_server is False  # the app's own description, not AffiliTest's


def test_an_error_in_the_envelope_is_the_servers_own_words(sandbox, client):
    sandbox.server.push_fault(json_fault(401, "Invalid API Key"))
    with pytest.raises(AuthError) as caught:
        client.calls_left()
    assert (caught.value.server_message, caught.value.from_server) == ("Invalid API Key", True)


def test_429_reads_retry_after_in_seconds_and_as_an_http_date(sandbox, client):
    sandbox.server.push_fault(json_fault(429, "Too many", headers={"Retry-After": "12"}))
    with pytest.raises(RateLimitedError) as caught:
        client.calls_left()
    assert caught.value.retry_after_s == 12.0
    dated = {
        "Retry-After": "Mon, 23 Nov 2026 10:00:30 GMT",
        "Date": "Mon, 23 Nov 2026 10:00:00 GMT",
    }
    sandbox.server.push_fault(json_fault(429, "Too many", headers=dated))
    with pytest.raises(RateLimitedError) as caught:
        client.calls_left()
    assert caught.value.retry_after_s == 30.0
    sandbox.server.push_fault(json_fault(429, "Too many"))
    with pytest.raises(RateLimitedError) as caught:
        client.calls_left()
    assert caught.value.retry_after_s is None


def test_data_shapes_the_contract_leaves_open():
    assert parse_calls_left({"data": 12}) == 12
    assert parse_calls_left({"data": "12"}) == 12
    assert parse_calls_left({"data": {"callsLeft": 7}}) == 7
    assert parse_calls_left({"data": "lots"}) is None
    chain = parse_chain({"data": {"urls": ["a", "b"]}, "meta": {"codes": [301]}})
    assert chain == (Hop("a", 301), Hop("b", None))
    assert parse_chain({"data": "only"}) == (Hop("only", None),)
    assert parse_chain({"data": [{"url": "x", "code": "302"}]}) == (Hop("x", 302),)
    with pytest.raises(MalformedResponseError):
        parse_chain({"data": 5})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_refused_connection_is_a_network_error_before_sending():
    with (
        AffiliTestClient(f"http://127.0.0.1:{free_port()}", "a" * 64) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.calls_left()
    assert caught.value.sent is False


def test_a_dropped_connection_is_a_network_error_after_sending(sandbox, client):
    sandbox.server.push_fault(Fault(200, drop=True))
    with pytest.raises(NetworkError) as caught:
        client.check(game(sandbox))
    assert caught.value.sent is True


def test_a_read_timeout_is_a_network_error_after_sending(sandbox):
    sandbox.server.push_fault(Fault(200, "{}", delay_s=1.0))
    timeouts = Timeouts(connect_s=2.0, read_s=0.2)
    with (
        AffiliTestClient(sandbox.base_url, sandbox.keys["valid"], timeouts=timeouts) as client,
        pytest.raises(NetworkError) as caught,
    ):
        client.calls_left()
    assert caught.value.sent is True


def test_tls_failures_are_their_own_type(sandbox):
    https_to_plain = sandbox.base_url.replace("http://", "https://")
    with AffiliTestClient(https_to_plain, "a" * 64) as client, pytest.raises(TLSError) as caught:
        client.calls_left()
    assert caught.value.sent is False


def test_loopback_traffic_never_goes_through_a_proxy(sandbox, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    with AffiliTestClient(sandbox.base_url, sandbox.keys["valid"]) as client:
        assert client.calls_left() == 10_000


def test_the_key_is_sent_in_the_at_api_header_and_can_be_replaced(sandbox, client):
    client.set_api_key(sandbox.keys["no_budget"])
    with pytest.raises(ForbiddenError):
        client.check(game(sandbox))
    client.set_api_key(f"  {sandbox.keys['valid']}  ")
    assert client.check(game(sandbox)).hops


def test_a_client_moved_to_another_address_keeps_the_key_and_the_login(sandbox, make_sandbox):
    other = make_sandbox()  # another port, the same demo keys (same seed)
    client = AffiliTestClient(sandbox.base_url, sandbox.keys["valid"])
    with client, client.with_base_url(other.base_url) as moved:
        assert moved.calls_left() == 10_000
    assert sum(other.server.stats.statuses.values()) == 1
    client = AffiliTestClient(sandbox.base_url)
    client.login(DEMO_EMAIL, DEMO_PASSWORD)
    with client, client.with_base_url(sandbox.base_url + "/") as moved:
        assert moved.calls_left() == 10_000  # the session cookie came along
