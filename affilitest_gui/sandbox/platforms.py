"""Fakes of the three network platforms' offer APIs, served by the sandbox on the same
port, built from their documentation: the same paths, auth headers, pagination,
envelopes and errors (Affise API 3.0, Everflow Network API v1, HasOffers Apiv3). Their
offers point at the sandbox's demo site, so a synced offer can be checked offline.

Keys: `sandbox-affise-key`, `sandbox-everflow-key`, and for HasOffers network `demo`
the token `sandbox-hasoffers-token`. Every request is logged (path, method, params,
the auth it carried) for contract tests, keys masked.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

AFFISE_KEY = "sandbox-affise-key"
EVERFLOW_KEY = "sandbox-everflow-key"
HASOFFERS_NETWORK = "demo"
HASOFFERS_TOKEN = "sandbox-hasoffers-token"
KEYS = {"affise": AFFISE_KEY, "everflow": EVERFLOW_KEY, "hasoffers": HASOFFERS_TOKEN}
EVERFLOW_RATE_LIMIT = 30  # requests a second per account
_LINKS = ("game", "js", "meta", "broken", "wrongapp", "store-removed", "loop", "long")
_COUNTRIES = (("us",), ("us", "gb"), ("de",), ("br", "mx"), ())
_SYSTEMS = (("Android",), ("iOS",), ("Android", "iOS"), ())


@dataclass
class FakeOffer:
    offer_id: int
    name: str
    link: str  # the demo site's path: /demo/offer/<link>
    status: str
    countries: tuple[str, ...]
    systems: tuple[str, ...]


@dataclass
class PlatformCall:
    """One request a fake received (for contract tests); no key in it."""

    platform: str
    method: str
    path: str
    params: dict[str, list[str]]
    body: Any
    auth: str  # "ok", "missing" or "wrong"


@dataclass
class Platforms:
    """The three fakes' offers and what they were asked."""

    offers_each: int = 230
    calls: list[PlatformCall] = field(default_factory=list)
    offers: dict[str, dict[int, FakeOffer]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for platform in KEYS:
            made = {}
            for n in range(1, self.offers_each + 1):
                status = "active" if n % 10 else ("stopped" if platform == "affise" else "paused")
                made[n] = FakeOffer(n, f"{platform.title()} offer {n}", _LINKS[n % len(_LINKS)],
                                    status, _COUNTRIES[n % len(_COUNTRIES)],
                                    _SYSTEMS[n % len(_SYSTEMS)])  # fmt: skip
            self.offers[platform] = made

    def active(self, platform: str) -> list[FakeOffer]:
        return [o for o in self.offers[platform].values() if o.status == "active"]

    def log(self, call: PlatformCall) -> None:
        with self._lock:
            self.calls.append(call)

    def calls_to(self, platform: str) -> list[PlatformCall]:
        with self._lock:
            return [call for call in self.calls if call.platform == platform]


Reply = tuple[int, str, dict[str, str]]


@dataclass(frozen=True)
class Asked:
    """One request to a fake platform."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: str


def handles(path: str) -> bool:
    return path.startswith(("/3.0/", "/v1/networks", "/Apiv3/", "/click", "/aff_c", "/ef/"))


def serve(platforms: Platforms, base_url: str, method: str, target: str, *,
          headers: dict[str, str], body: str) -> Reply:  # fmt: skip
    """The fake platforms' answer to one request."""
    parts = urlsplit(target)
    asked = Asked(method, parts.path, parse_qs(parts.query, keep_blank_values=True),
                  {name.lower(): value for name, value in headers.items()}, body)  # fmt: skip
    if parts.path.startswith("/3.0/"):
        return _affise(platforms, base_url, asked)
    if parts.path.startswith("/v1/networks"):
        return _everflow(platforms, base_url, asked)
    if parts.path.startswith("/Apiv3/"):
        return _hasoffers(platforms, base_url, asked)
    return _tracking_click(platforms, base_url, asked)


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    return status, json.dumps(payload), {"Content-Type": "application/json", **(headers or {})}


def _auth(given: str | None, wanted: str) -> str:
    return "missing" if not given else ("ok" if given == wanted else "wrong")


def _demo(base_url: str, offer: FakeOffer) -> str:
    return f"{base_url}/demo/offer/{offer.link}?click_id={{transaction_id}}&sub1={{aff_sub}}"


# --- Affise ----------------------------------------------------------------------------


def _affise(platforms: Platforms, base_url: str, asked: Asked) -> Reply:
    method, path, params, headers, body = (asked.method, asked.path, asked.params,
                                           asked.headers, asked.body)  # fmt: skip
    key = headers.get("api-key") or (params.get("api-key") or [None])[0]
    auth = _auth(key, AFFISE_KEY)
    form = parse_qs(body) if method == "POST" else {}
    platforms.log(PlatformCall("affise", method, path, params, form, auth))
    if auth != "ok":
        return _json(401, {"status": 2, "error": "Api-Key is invalid"})
    offers = platforms.offers["affise"]
    if method == "GET" and path == "/3.0/offers":
        page = int((params.get("page") or ["1"])[0])
        limit = min(int((params.get("limit") or ["20"])[0]), 500)
        wanted = set(params.get("status[]") or [])
        chosen = [o for o in offers.values() if not wanted or o.status in wanted]
        shown = chosen[(page - 1) * limit : page * limit]
        more = page * limit < len(chosen)
        pagination = {"per_page": limit, "total_count": len(chosen), "page": page,
                      "next_page": page + 1 if more else None}  # fmt: skip
        return _json(200, {"status": 1, "offers": [_affise_offer(base_url, o) for o in shown],
                           "pagination": pagination})  # fmt: skip
    if method == "POST" and path.startswith("/3.0/admin/offer/"):
        offer = offers.get(int(path.rsplit("/", 1)[1]) if path.rsplit("/", 1)[1].isdigit() else 0)
        status = (form.get("status") or [""])[0]
        if offer is None:
            return _json(404, {"status": 2, "error": "Offer not found"})
        if status not in ("active", "stopped", "suspended"):
            return _json(400, {"status": 2, "error": f"Status '{status}' is not allowed"})
        offer.status = status
        return _json(200, {"status": 1, "offer": _affise_offer(base_url, offer)})
    return _json(404, {"status": 2, "error": "Not found"})


def _affise_offer(base_url: str, offer: FakeOffer) -> dict[str, Any]:
    return {
        "id": offer.offer_id, "offer_id": str(offer.offer_id), "title": offer.name,
        "url": _demo(base_url, offer), "preview_url": f"{base_url}/demo/preview/{offer.link}",
        "status": offer.status, "strictly_os": {},
        "targeting": [{"country": {"allow": [c.upper() for c in offer.countries], "deny": []},
                       "os": {"allow": list(offer.systems), "deny": []}}],
        "payments": [{"countries": ["US"]}],
    }  # fmt: skip


# --- Everflow --------------------------------------------------------------------------


def _everflow(platforms: Platforms, base_url: str, asked: Asked) -> Reply:
    method, path, headers, body = asked.method, asked.path, asked.headers, asked.body
    auth = _auth(headers.get("x-eflow-api-key"), EVERFLOW_KEY)
    try:
        payload = json.loads(body) if body else {}
    except ValueError:
        payload = None
    platforms.log(PlatformCall("everflow", method, path, {}, payload, auth))
    limits = {"X-RateLimit-Limit": str(EVERFLOW_RATE_LIMIT),
              "X-RateLimit-Remaining": str(EVERFLOW_RATE_LIMIT - 1)}  # fmt: skip
    if auth == "missing":
        return _json(401, {"Error": "Unauthorized"}, limits)
    if auth == "wrong":
        return _json(403, {"Error": "Out of realm"}, limits)
    if payload is None:
        return _json(400, {"Error": "Invalid JSON"}, limits)
    offers = platforms.offers["everflow"]
    if method == "GET" and path == "/v1/networks":
        return _json(200, {"network_id": 1, "name": "Sandbox network", "status": "active"}, limits)
    if method == "POST" and path == "/v1/networks/offers/table":
        wanted = (payload.get("filters") or {}).get("offer_status")
        paging = payload.get("paging") or {}
        page, size = int(paging.get("page", 1)), min(int(paging.get("page_size", 50)), 2000)
        chosen = [o for o in offers.values() if not wanted or o.status == wanted]
        shown = chosen[(page - 1) * size : page * size]
        return _json(200, {"offers": [_everflow_offer(base_url, o) for o in shown],
                           "paging": {"page": page, "page_size": size,
                                      "total_count": len(chosen)}}, limits)  # fmt: skip
    if method == "POST" and path == "/v1/networks/tracking/offers/clicks":
        offer = offers.get(int(payload.get("network_offer_id") or 0))
        affiliate = payload.get("network_affiliate_id")
        if offer is None or not affiliate:
            return _json(400, {"Error": "offer and affiliate are required"}, limits)
        query = urlencode({"oid": offer.offer_id, "affid": affiliate})
        return _json(200, {"url": f"{base_url}/ef/click?{query}"}, limits)
    if method == "PATCH" and path == "/v1/networks/patch/offers/apply":
        ids = payload.get("network_offer_ids") or []
        fields = payload.get("fields") or []
        if not ids or not fields or any(int(i) not in offers for i in ids):
            return _json(400, {"Error": "unknown offer"}, limits)
        for item in fields:
            if item.get("field_type") == "offer_status":
                for offer_id in ids:
                    offers[int(offer_id)].status = str(item.get("field_value"))
        return _json(200, {"result": True}, limits)
    return _json(404, {"Error": "Not found"}, limits)


def _everflow_offer(base_url: str, offer: FakeOffer) -> dict[str, Any]:
    return {
        "network_offer_id": offer.offer_id, "name": offer.name, "offer_status": offer.status,
        "destination_url": _demo(base_url, offer),
        "preview_url": f"{base_url}/demo/preview/{offer.link}",
        "relationship": {"ruleset": {
            "countries": [{"country_code": c.upper(), "targeting_type": "include",
                           "match_type": "exact"} for c in offer.countries],
            "platforms": [{"label": s, "targeting_type": "include", "match_type": "exact"}
                          for s in offer.systems]}},
    }  # fmt: skip


# --- HasOffers -------------------------------------------------------------------------


def _hasoffers(platforms: Platforms, base_url: str, asked: Asked) -> Reply:
    method, params = asked.method, asked.params
    def one(name: str) -> str:
        return (params.get(name) or [""])[0]

    auth = _auth(one("NetworkToken") or None, HASOFFERS_TOKEN)
    shown = {k: v for k, v in params.items() if k != "NetworkToken"}
    platforms.log(PlatformCall("hasoffers", method, "/Apiv3/json", shown, None, auth))

    def envelope(data: Any = None, error: str = "") -> Reply:
        response = {"status": -1 if error else 1, "httpStatus": 200, "data": data or "",
                    "errors": [{"publicMessage": error}] if error else [],
                    "errorMessage": error or None}  # fmt: skip
        return _json(200, {"request": {"Target": one("Target"), "Method": one("Method")},
                           "response": response})  # fmt: skip

    if one("NetworkId") != HASOFFERS_NETWORK:
        return envelope(error=f"Network \"{one('NetworkId')}\" not found (NetworkId)")
    if auth != "ok":
        return envelope(error="Invalid NetworkToken")
    offers = platforms.offers["hasoffers"]
    target, call = one("Target"), one("Method")
    if target == "Offer" and call == "findAll":
        page, limit = int(one("page") or 1), min(int(one("limit") or 50), 2000)
        wanted = one("filters[status]")
        chosen = [o for o in offers.values() if not wanted or o.status == wanted]
        rows = chosen[(page - 1) * limit : page * limit]
        contain = params.get("contain[]") or []
        data = {str(o.offer_id): _hasoffers_row(base_url, o, "Country" in contain) for o in rows}
        return envelope({"page": page, "current": len(rows), "count": len(chosen),
                         "pageCount": max(1, -(-len(chosen) // limit)), "data": data})  # fmt: skip
    if target == "Offer" and call == "generateTrackingLink":
        offer = offers.get(int(one("offer_id") or 0))
        if offer is None or not one("affiliate_id"):
            return envelope(error="Offer or affiliate not found")
        query = urlencode({"offer_id": offer.offer_id, "aff_id": one("affiliate_id")})
        return envelope({"click_url": f"{base_url}/aff_c?{query}", "impression_pixel": ""})
    if target == "Offer" and call == "updateField":
        offer = offers.get(int(one("id") or 0))
        if offer is None:
            return envelope(error="Offer not found")
        if one("field") != "status" or one("value") not in ("active", "paused", "pending",
                                                             "expired", "deleted"):  # fmt: skip
            return envelope(error=f"Invalid value for {one('field')}")
        offer.status = one("value")
        return envelope({"Offer": {"id": str(offer.offer_id), "status": offer.status}})
    return envelope(error=f"Unknown method {target}::{call}")


def _hasoffers_row(base_url: str, offer: FakeOffer, countries: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"Offer": {
        "id": str(offer.offer_id), "name": offer.name, "offer_url": _demo(base_url, offer),
        "preview_url": f"{base_url}/demo/preview/{offer.link}", "status": offer.status,
    }}  # fmt: skip
    if countries:
        row["Country"] = {c.upper(): {"code": c.upper(), "name": c.upper()}
                          for c in offer.countries}  # fmt: skip
    return row


# --- the affiliates' links -------------------------------------------------------------


def _tracking_click(platforms: Platforms, base_url: str, asked: Asked) -> Reply:
    path, params = asked.path, asked.params
    """An affiliate's click on a fake platform's tracking domain: 302 to the offer."""
    which = {"/click": ("affise", "offer_id"), "/aff_c": ("hasoffers", "offer_id"),
             "/ef/click": ("everflow", "oid")}.get(path)  # fmt: skip
    if which is None:
        return 404, "not found", {"Content-Type": "text/plain"}
    platform, name = which
    number = (params.get(name) or ["0"])[0]
    offer = platforms.offers[platform].get(int(number) if number.isdigit() else 0)
    if offer is None:
        return 404, "no such offer", {"Content-Type": "text/plain"}
    location = f"{base_url}/demo/offer/{offer.link}"
    return 302, "", {"Location": location, "Content-Type": "text/plain"}
