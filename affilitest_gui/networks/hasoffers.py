"""TUNE / HasOffers (Network API v3): one endpoint, `GET /Apiv3/json` with `NetworkId`,
`NetworkToken`, `Target` and `Method`; the envelope's `response.status` is 1 or -1 with
`errorMessage`. Offers from `Offer::findAll` (Country contained), links from
`Offer::generateTrackingLink`, status by `Offer::updateField`. The network API needs an
Enterprise plan; over its rate limit it answers "API usage exceeded rate limit"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from affilitest_gui.api.limits import PLATFORM_LIMITS
from affilitest_gui.networks.connector import (
    ACTIVE,
    NetworkOffer,
    OfferPage,
    PlatformConnector,
    WriteOutcome,
    WriteResult,
)
from affilitest_gui.networks.devices import countries_for
from affilitest_gui.networks.http import (
    Answer,
    NetworkError,
    PlatformHttp,
    Problem,
    problem_for_status,
)

PLATFORM = "hasoffers"
PAGE_SIZE = 500
RATE_LIMITED_WORDS = "API usage exceeded rate limit"
FIELDS = ("id", "name", "offer_url", "preview_url", "status")


def api_url(network_id: str) -> str:
    """The network's own API host."""
    return f"https://{network_id}.api.hasoffers.com"


class HasOffersConnector(PlatformConnector):
    platform = PLATFORM

    def __init__(self, base_url: str, token: str, *, network_id: str,
                 page_size: int = PAGE_SIZE, active_only: bool = True,
                 http: PlatformHttp | None = None) -> None:  # fmt: skip
        """`active_only`: list active offers only (else every status)."""
        self.base_url = (base_url or api_url(network_id)).rstrip("/")
        self.page_size = page_size
        self.active_only = active_only
        self.network_id = network_id
        self._token = token
        self.http = http or PlatformHttp(PLATFORM, {},
                                         requests_per_s=PLATFORM_LIMITS.requests_per_s)  # fmt: skip

    def _call(self, method: str, params: list[tuple[str, object]], *, read: bool = True) -> Any:
        query = urlencode([("NetworkId", self.network_id), ("NetworkToken", self._token),
                           ("Target", "Offer"), ("Method", method), *params])  # fmt: skip
        url = f"{self.base_url}/Apiv3/json?{query}"
        answer = (self.http.read("GET", url, retry_if=_over_the_limit) if read
                  else self.http.write("GET", url))  # fmt: skip
        return _data(answer)

    def _find(self, page: int, limit: int, *, active: bool = True) -> dict[str, Any]:
        params: list[tuple[str, object]] = [("limit", limit), ("page", page),
                                            ("contain[]", "Country")]
        if active:
            params.append(("filters[status]", ACTIVE))
        params += [("fields[]", name) for name in FIELDS]
        data = self._call("findAll", params)
        if not isinstance(data, dict):
            raise NetworkError(PLATFORM, Problem.MALFORMED, "findAll gave no page")
        return data

    def active_offers(self) -> int:
        count = self._find(1, 1).get("count")
        try:
            return int(count)
        except (TypeError, ValueError):
            raise NetworkError(PLATFORM, Problem.MALFORMED, "no count in the answer") from None

    def _page(self, number: int) -> OfferPage:
        data = self._find(number, self.page_size, active=self.active_only)
        rows = data.get("data") or {}
        offers = tuple(_offer(row) for row in (rows.values() if isinstance(rows, dict) else rows))
        page_count = int(data.get("pageCount") or 0)
        return OfferPage(offers, number + 1 if offers and number < page_count else None)

    def tracking_link(self, offer: NetworkOffer, partner: str) -> str:
        data = self._call("generateTrackingLink",
                          [("offer_id", offer.offer_id), ("affiliate_id", partner)])  # fmt: skip
        url = data.get("click_url") if isinstance(data, dict) else None
        if not isinstance(url, str) or not url:
            raise NetworkError(PLATFORM, Problem.MALFORMED, "no click_url in the answer")
        return url

    def _set_status(self, offer_id: str, status: str) -> WriteResult:
        params = [("id", offer_id), ("field", "status"), ("value", status)]
        try:
            self._call("updateField", params, read=False)
        except NetworkError as error:
            if error.problem in (Problem.REFUSED, Problem.NO_API_ACCESS, Problem.UNREACHABLE):
                raise
            return WriteResult(WriteOutcome.REFUSED, error.detail or str(error))
        return WriteResult(WriteOutcome.DONE, f"status {status}")


def _over_the_limit(answer: Answer) -> bool:
    return RATE_LIMITED_WORDS.lower() in _error_words(answer).lower()


def _error_words(answer: Answer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {}
    response = body.get("response") or {}
    return str(response.get("errorMessage") or "") if isinstance(response, dict) else ""


def _data(answer: Answer) -> Any:
    if answer.status != 200:
        raise NetworkError(PLATFORM, problem_for_status(answer.status), f"HTTP {answer.status}")
    body = answer.body if isinstance(answer.body, dict) else None
    response = (body or {}).get("response")
    if not isinstance(response, dict):
        raise NetworkError(PLATFORM, Problem.MALFORMED, "no response in the answer")
    if response.get("status") == 1:
        return response.get("data")
    words = _error_words(answer) or "an error without words"
    lowered = words.lower()
    if RATE_LIMITED_WORDS.lower() in lowered:
        problem = Problem.RATE_LIMITED
    elif "networktoken" in lowered or "api key" in lowered or "token" in lowered:
        problem = Problem.REFUSED
    elif "networkid" in lowered or "network id" in lowered:
        problem = Problem.WRONG_ADDRESS
    elif "enterprise" in lowered or "api access" in lowered:
        problem = Problem.NO_API_ACCESS
    else:
        problem = Problem.REJECTED
    raise NetworkError(PLATFORM, problem, words)


def _offer(row: dict[str, Any]) -> NetworkOffer:
    offer = row.get("Offer") or {}
    countries = row.get("Country") or {}
    codes = countries.keys() if isinstance(countries, dict) else []
    return NetworkOffer(
        platform=PLATFORM,
        offer_id=str(offer.get("id", "")),
        name=str(offer.get("name") or ""),
        status=str(offer.get("status") or ""),
        destination_url=str(offer.get("offer_url") or ""),
        countries=countries_for(codes),
        preview_url=str(offer.get("preview_url") or ""),
    )
