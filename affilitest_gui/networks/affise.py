"""Affise (API 3.0): `API-Key` header, `GET /3.0/offers?page=&limit=`, edits by
`POST /3.0/admin/offer/{id}` as form data. The tracking link is built from the
documented format: https://<tracking domain>/click?pid=<partner>&offer_id=<id>."""

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
from affilitest_gui.networks.devices import countries_for, devices_for
from affilitest_gui.networks.http import (
    Answer,
    NetworkError,
    PlatformHttp,
    Problem,
    problem_for_status,
)

PLATFORM = "affise"
PAGE_SIZE = 500


class AffiseConnector(PlatformConnector):
    """`base_url`: the tenant's API host (https://api-<tenant>.affise.com);
    `tracking_domain`: the host of affiliates' links."""

    platform = PLATFORM
    paused_status = "suspended"

    def __init__(self, base_url: str, key: str, *, tracking_domain: str = "",
                 page_size: int = PAGE_SIZE, active_only: bool = True,
                 http: PlatformHttp | None = None) -> None:  # fmt: skip
        """`active_only`: list active offers only (else every status)."""
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.active_only = active_only
        self.tracking_domain = tracking_domain
        self.http = http or PlatformHttp(PLATFORM, {"API-Key": key},
                                         requests_per_s=PLATFORM_LIMITS.requests_per_s)  # fmt: skip

    def _offers(self, page: int, limit: int, *, active: bool = True) -> dict[str, Any]:
        wanted = {"page": page, "limit": limit} | ({"status[]": ACTIVE} if active else {})
        query = urlencode(wanted)
        return _checked(self.http.read("GET", f"{self.base_url}/3.0/offers?{query}"))

    def active_offers(self) -> int:
        pagination = self._offers(1, 1).get("pagination") or {}
        total = pagination.get("total_count", pagination.get("total"))
        if not isinstance(total, int):
            raise NetworkError(PLATFORM, Problem.MALFORMED, "no total in the answer")
        return total

    def _page(self, number: int) -> OfferPage:
        body = self._offers(number, self.page_size, active=self.active_only)
        offers = tuple(_offer(raw) for raw in body.get("offers") or [])
        pagination = body.get("pagination") or {}
        following = pagination.get("next_page")
        if not offers:
            following = None  # an empty page ends the list, whatever the pagination says
        elif "next_page" not in pagination:
            following = number + 1 if len(offers) >= self.page_size else None
        return OfferPage(offers, int(following) if following else None)

    def tracking_link(self, offer: NetworkOffer, partner: str) -> str:
        if not self.tracking_domain:
            raise NetworkError(PLATFORM, Problem.REJECTED, "no tracking domain to build links on")
        host = self.tracking_domain.rstrip("/")
        if "://" not in host:
            host = f"https://{host}"
        return f"{host}/click?{urlencode({'pid': partner, 'offer_id': offer.offer_id})}"

    def _set_status(self, offer_id: str, status: str) -> WriteResult:
        answer = self.http.write("POST", f"{self.base_url}/3.0/admin/offer/{offer_id}",
                                 data={"status": status})  # fmt: skip
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 200 and body.get("status") == 1:
            return WriteResult(WriteOutcome.DONE, f"status {status}")
        if answer.status in (401, 403):
            raise NetworkError(PLATFORM, Problem.REFUSED, str(body.get("error", "")))
        return WriteResult(WriteOutcome.REFUSED, str(body.get("error") or f"HTTP {answer.status}"))


def _checked(answer: Answer) -> dict[str, Any]:
    body = answer.body if isinstance(answer.body, dict) else None
    if answer.status != 200 or body is None or body.get("status") != 1:
        said = str((body or {}).get("error", "")) or f"HTTP {answer.status}"
        problem = problem_for_status(answer.status) if answer.status != 200 else Problem.REJECTED
        if body is None and answer.status == 200:
            problem = Problem.MALFORMED
        raise NetworkError(PLATFORM, problem, said)
    return body


def _offer(raw: dict[str, Any]) -> NetworkOffer:
    targeting = raw.get("targeting") or []
    countries: list[object] = []
    systems: list[object] = []
    for rule in targeting if isinstance(targeting, list) else []:
        countries += (rule.get("country") or {}).get("allow") or []
        systems += (rule.get("os") or {}).get("allow") or []
    if not countries:  # Affise's own AffiliTest plugin: the payout countries
        for payment in raw.get("payments") or []:
            countries += payment.get("countries") or []
    return NetworkOffer(
        platform=PLATFORM,
        offer_id=str(raw.get("id", "")),
        name=str(raw.get("title") or ""),
        status=str(raw.get("status") or ""),
        destination_url=str(raw.get("url") or ""),
        countries=countries_for(countries),
        devices=devices_for(str(system) for system in systems),
        preview_url=str(raw.get("preview_url") or ""),
    )
