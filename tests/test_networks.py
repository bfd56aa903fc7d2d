"""Contract tests: each platform connector against its sandbox fake, over real sockets.
The fake logs what it was asked (paths, params, bodies, whether the key came in the
platform's own header), so the requests are checked as the documentation writes them."""

from __future__ import annotations

import json

import pytest

from affilitest_gui.networks.affise import AffiseConnector
from affilitest_gui.networks.connect import CONNECTORS, connect
from affilitest_gui.networks.connections import PLATFORMS, Connection, UnusableConnection
from affilitest_gui.networks.connector import WriteOutcome, every_offer
from affilitest_gui.networks.everflow import EverflowConnector
from affilitest_gui.networks.hasoffers import HasOffersConnector
from affilitest_gui.networks.http import NetworkError, Problem
from affilitest_gui.sandbox import Fault
from affilitest_gui.sandbox.platforms import KEYS

NO_WAIT = {"sleep": lambda _s: None}


def connector(platform: str, sandbox, *, key: str | None = None, page_size: int = 100):
    key = KEYS[platform] if key is None else key
    if platform == "affise":
        made = AffiseConnector(sandbox.base_url, key, tracking_domain=sandbox.base_url,
                               page_size=page_size)  # fmt: skip
    elif platform == "everflow":
        made = EverflowConnector(sandbox.base_url, key, page_size=page_size)
    else:
        made = HasOffersConnector(sandbox.base_url, key, network_id="demo", page_size=page_size)
    made.http._sleep = NO_WAIT["sleep"]  # the back-off's waits, not its count
    return made


def test_every_platform_named_has_its_connector():
    assert list(CONNECTORS) == list(PLATFORMS)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_page_is_fetched_with_the_key_in_the_platforms_own_header(platform, sandbox):
    fake = sandbox.server.platforms
    made = connector(platform, sandbox)
    offers = list(every_offer(made))
    active = fake.active(platform)
    assert len(active) == 207 and [o.offer_id for o in offers] == [str(o.offer_id) for o in active]
    calls = fake.calls_to(platform)
    assert len(calls) == 3 and all(call.auth == "ok" for call in calls)  # 100 + 100 + 7
    first = offers[0]
    assert first.status == "active" and "/demo/offer/" in first.destination_url
    assert first.countries == ("us", "gb")
    assert made.active_offers() == 207


def test_the_requests_are_as_each_platform_documents_them(sandbox):
    fake = sandbox.server.platforms
    list(every_offer(connector("affise", sandbox)))
    affise = fake.calls_to("affise")[0]
    assert (affise.method, affise.path) == ("GET", "/3.0/offers")
    assert affise.params["status[]"] == ["active"] and affise.params["page"] == ["1"]
    list(every_offer(connector("everflow", sandbox)))
    everflow = fake.calls_to("everflow")[0]
    assert (everflow.method, everflow.path) == ("POST", "/v1/networks/offers/table")
    assert everflow.body == {"filters": {"offer_status": "active"},
                             "paging": {"page": 1, "page_size": 100}}  # fmt: skip
    list(every_offer(connector("hasoffers", sandbox)))
    tune = fake.calls_to("hasoffers")[0]
    assert tune.params["Target"] == ["Offer"] and tune.params["Method"] == ["findAll"]
    assert tune.params["NetworkId"] == ["demo"] and tune.params["filters[status]"] == ["active"]
    assert "Country" in tune.params["contain[]"] and "NetworkToken" not in tune.params


@pytest.mark.parametrize("platform", PLATFORMS)
def test_pause_and_resume_write_the_documented_status(platform, sandbox):
    fake = sandbox.server.platforms
    made = connector(platform, sandbox)
    paused = made.pause("3")
    assert paused.outcome is WriteOutcome.DONE
    assert fake.offers[platform][3].status == ("suspended" if platform == "affise" else "paused")
    write = fake.calls_to(platform)[-1]
    expected = {
        "affise": ("POST", "/3.0/admin/offer/3"),
        "everflow": ("PATCH", "/v1/networks/patch/offers/apply"),
        "hasoffers": ("GET", "/Apiv3/json"),
    }[platform]
    assert (write.method, write.path) == expected
    if platform == "everflow":
        assert write.body == {"network_offer_ids": [3], "fields": [
            {"field_type": "offer_status", "field_value": "paused", "operator": "overwrite"}]}
    if platform == "hasoffers":
        assert write.params["Method"] == ["updateField"] and write.params["value"] == ["paused"]
    assert made.resume("3").outcome is WriteOutcome.DONE
    assert fake.offers[platform][3].status == "active"
    refused = made.pause("99999")
    assert refused.outcome is WriteOutcome.REFUSED and refused.message


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_affiliates_link_leads_to_the_offer(platform, sandbox):
    import requests

    made = connector(platform, sandbox)
    offer = next(every_offer(made))
    link = made.tracking_link(offer, "7")
    answer = requests.get(link, allow_redirects=False, timeout=5)
    assert answer.status_code == 302 and "/demo/offer/" in answer.headers["Location"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_refused_key_is_said_in_words_and_never_shown(platform, sandbox):
    made = connector(platform, sandbox, key="not-the-key-0123456789")
    with pytest.raises(NetworkError) as raised:
        made.active_offers()
    assert raised.value.problem is Problem.REFUSED
    assert "not-the-key" not in str(raised.value) and "refused the key" in str(raised.value)


@pytest.mark.parametrize(("status", "path"), [(429, "/3.0/offers"), (503, "/3.0/offers")])
def test_reads_back_off_on_429_and_5xx_then_succeed(status, path, sandbox):
    sandbox.server.push_fault(Fault(status, json.dumps({"status": 2, "error": "busy"}),
                                    path=path, times=2, headers={"Retry-After": "1"}))  # fmt: skip
    waits = []
    made = connector("affise", sandbox)
    made.http._sleep = waits.append
    assert made.active_offers() == 207
    assert made.http.calls == 3 and waits.count(1.0) >= 1 and max(waits) >= 2.0


def test_hasoffers_rate_limit_words_are_retried_and_a_write_is_sent_once(sandbox):
    body = json.dumps({"response": {"status": -1, "data": "", "errors": [],
                                    "errorMessage": "API usage exceeded rate limit. Try "
                                                    "again later."}})  # fmt: skip
    sandbox.server.push_fault(Fault(200, body, path="/Apiv3/json", times=1))
    made = connector("hasoffers", sandbox)
    assert made.active_offers() == 207 and made.http.calls == 2
    sandbox.server.push_fault(Fault(503, "", path="/Apiv3/json", times=1))
    before = made.http.calls
    with pytest.raises(NetworkError):
        made.pause("4")  # a 503 may or may not have applied: not sent again
    assert made.http.calls - before == 1


def test_a_wrong_network_id_and_an_unreachable_platform_are_named(sandbox):
    wrong = HasOffersConnector(sandbox.base_url, KEYS["hasoffers"], network_id="other")
    with pytest.raises(NetworkError) as raised:
        wrong.active_offers()
    assert raised.value.problem is Problem.WRONG_ADDRESS
    gone = EverflowConnector("http://127.0.0.1:9", KEYS["everflow"])
    with pytest.raises(NetworkError) as raised:
        gone.active_offers()
    assert raised.value.problem is Problem.UNREACHABLE


def test_a_connection_that_cannot_work_is_said_before_any_call():
    with pytest.raises(UnusableConnection, match="tenant's API address"):
        connect(Connection("affise"), "key")
    with pytest.raises(UnusableConnection, match="network ID"):
        connect(Connection("hasoffers"), "key")
    with pytest.raises(UnusableConnection, match="tracking domain"):
        connect(Connection("affise", base_url="https://api-x.affise.com", partner="7"), "key")


def test_an_empty_rate_limit_bucket_holds_the_next_request_back(sandbox):
    """Everflow's X-RateLimit-Remaining: 0 means the second's bucket is empty."""
    table = json.dumps({"offers": [], "paging": {"page": 1, "page_size": 1, "total_count": 207}})
    sandbox.server.push_fault(Fault(200, table, path="/v1/networks/offers/table",
                                    headers={"X-RateLimit-Remaining": "0"}))  # fmt: skip
    waits = []
    made = connector("everflow", sandbox)
    made.http._sleep = waits.append
    assert made.active_offers() == 207
    assert made.active_offers() == 207
    assert waits and max(waits) > 0.5


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_status_asks_for_the_whole_list_without_the_active_filter(platform, sandbox):
    made = connector(platform, sandbox)
    made.active_only = False
    offers = list(every_offer(made))
    assert len(offers) == 230 and {o.status for o in offers} == {
        "active", "stopped" if platform == "affise" else "paused"}  # fmt: skip
    asked = sandbox.server.platforms.calls_to(platform)[0]
    assert "status[]" not in asked.params and "filters[status]" not in asked.params
    assert asked.body is None or "offer_status" not in (asked.body.get("filters") or {})


@pytest.mark.parametrize(("platform", "path", "body"), [
    ("affise", "/3.0/offers", '{"status": 1, "offers": [7], "pagination": {}}'),
    ("everflow", "/v1/networks/offers/table", '{"offers": "nope", "paging": {}}'),
    ("hasoffers", "/Apiv3/json",
     '{"response": {"status": 1, "data": {"pageCount": "x", "data": [1, 2]}}}'),
])  # fmt: skip
def test_a_page_of_an_unexpected_shape_is_said_as_unreadable(platform, path, body, sandbox):
    sandbox.server.push_fault(Fault(200, body, path=path))
    with pytest.raises(NetworkError) as raised:
        list(every_offer(connector(platform, sandbox)))
    assert raised.value.problem is Problem.MALFORMED and "page 1" in str(raised.value)
