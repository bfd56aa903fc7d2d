"""Everflow (Network API v1): `X-Eflow-API-Key` header; offers from
`POST /v1/networks/offers/table` (JSON filters and paging); affiliates' links from
`POST /v1/networks/tracking/offers/clicks`; status changes through the bulk
`PATCH /v1/networks/patch/offers/apply`. 30 requests a second per account."""

from __future__ import annotations

from typing import Any

from affilitest_gui.api.limits import PLATFORM_LIMITS
from affilitest_gui.networks.connector import (
    ACTIVE,
    NetworkOffer,
    OfferPage,
    PlatformConnector,
    WriteOutcome,
    WriteResult,
)
from affilitest_gui.networks.devices import countries_for, devices_for
from affilitest_gui.networks.http import (
    Answer,
    NetworkError,
    PlatformHttp,
    Problem,
    problem_for_status,
)

PLATFORM = "everflow"
BASE_URL = "https://api.eflow.team"
EU_BASE_URL = "https://api-eu.eflow.team"
PAGE_SIZE = 500


class EverflowConnector(PlatformConnector):
    platform = PLATFORM

    def __init__(self, base_url: str, key: str, *, page_size: int = PAGE_SIZE,
                 active_only: bool = True, http: PlatformHttp | None = None) -> None:  # fmt: skip
        """`active_only`: list active offers only (else every status)."""
        self.base_url = (base_url or BASE_URL).rstrip("/")
        self.page_size = page_size
        self.active_only = active_only
        pace = PLATFORM_LIMITS.everflow_requests_per_s
        self.http = http or PlatformHttp(PLATFORM, {"X-Eflow-API-Key": key}, requests_per_s=pace)

    def _table(self, page: int, size: int, *, active: bool = True) -> dict[str, Any]:
        filters = {"offer_status": ACTIVE} if active else {}
        body = {"filters": filters, "paging": {"page": page, "page_size": size}}
        return _checked(self.http.read("POST", f"{self.base_url}/v1/networks/offers/table",
                                       json=body))  # fmt: skip

    def active_offers(self) -> int:
        total = (self._table(1, 1).get("paging") or {}).get("total_count")
        if not isinstance(total, int):
            raise NetworkError(PLATFORM, Problem.MALFORMED, "no total_count in the answer")
        return total

    def _page(self, number: int) -> OfferPage:
        body = self._table(number, self.page_size, active=self.active_only)
        offers = tuple(_offer(raw) for raw in body.get("offers") or [])
        paging = body.get("paging") or {}
        total, size = paging.get("total_count"), paging.get("page_size") or self.page_size
        more = isinstance(total, int) and number * int(size) < total
        return OfferPage(offers, number + 1 if offers and more else None)

    def tracking_link(self, offer: NetworkOffer, partner: str) -> str:
        body = {"network_offer_id": int(offer.offer_id), "network_affiliate_id": int(partner)}
        answer = self.http.read("POST", f"{self.base_url}/v1/networks/tracking/offers/clicks",
                                json=body)  # fmt: skip
        url = _checked(answer).get("url")
        if not isinstance(url, str) or not url:
            raise NetworkError(PLATFORM, Problem.MALFORMED, "no url in the answer")
        return url

    def _set_status(self, offer_id: str, status: str) -> WriteResult:
        body = {"network_offer_ids": [int(offer_id)],
                "fields": [{"field_type": "offer_status", "field_value": status,
                            "operator": "overwrite"}]}  # fmt: skip
        answer = self.http.write("PATCH", f"{self.base_url}/v1/networks/patch/offers/apply",
                                 json=body)  # fmt: skip
        if answer.status in (401, 403):
            raise NetworkError(PLATFORM, Problem.REFUSED, _said(answer))
        if answer.status == 200 and isinstance(answer.body, dict) and answer.body.get("result"):
            return WriteResult(WriteOutcome.DONE, f"offer_status {status}")
        return WriteResult(WriteOutcome.REFUSED, _said(answer))


def _said(answer: Answer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {}
    return str(body.get("Error") or body.get("error") or body.get("message")
               or f"HTTP {answer.status}")  # fmt: skip


def _checked(answer: Answer) -> dict[str, Any]:
    if answer.status != 200:
        raise NetworkError(PLATFORM, problem_for_status(answer.status), _said(answer))
    if not isinstance(answer.body, dict):
        raise NetworkError(PLATFORM, Problem.MALFORMED, "not JSON")
    return answer.body


def _offer(raw: dict[str, Any]) -> NetworkOffer:
    ruleset = ((raw.get("relationship") or {}).get("ruleset")) or {}
    included = [rule for rule in ruleset.get("countries") or []
                if rule.get("targeting_type", "include") == "include"]  # fmt: skip
    platforms = [rule.get("label", "") for rule in ruleset.get("platforms") or []
                 if rule.get("targeting_type", "include") == "include"]  # fmt: skip
    return NetworkOffer(
        platform=PLATFORM,
        offer_id=str(raw.get("network_offer_id", "")),
        name=str(raw.get("name") or ""),
        status=str(raw.get("offer_status") or ""),
        destination_url=str(raw.get("destination_url") or ""),
        countries=countries_for(rule.get("country_code", "") for rule in included),
        devices=devices_for(platforms),
        preview_url=str(raw.get("preview_url") or ""),
    )
