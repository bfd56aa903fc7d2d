"""The sandbox's demo offers, served under /demo/ on the sandbox's own address.

Each offer behaves like a real tracking link: it redirects differently by country
(read from the header the tracer sets) and by device (read from the User-Agent).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

# The header the tracer sets so the demo site knows the check's country.
COUNTRY_HEADER = "X-Sandbox-Country"
PLAY_STORE = "https://play.google.com/store/apps/details?id="
APPSFLYER = "https://app.appsflyer.com/"
DEMO_CLICK_ID = "c1d2e3f4a5b6"
APP_STORE = "https://apps.apple.com/{country}/app/id"
GAME_COUNTRIES = frozenset({"us", "gb", "de", "ca", "fr", "il", "au"})
LONG_CHAIN_LENGTH = 30
SLOW_HOPS, SLOW_HOP_S = 4, 4.0  # 16 s: past the 15 s after which a check is slow

DEMO_APPS: dict[str, dict[str, object]] = {
    "com.example.game": {
        "title": "Example Quest",
        "developer": "Example Games Ltd.",
        "platform": "android",
        "rating": 4.4,
        "installs": "1,000,000+",
    },
    "com.example.shop": {
        "title": "Example Shop",
        "developer": "Example Retail",
        "platform": "android",
        "rating": 4.1,
        "installs": "500,000+",
    },
    "1234567890": {
        "title": "Example Quest",
        "developer": "Example Games Ltd.",
        "platform": "ios",
        "rating": 4.6,
    },
}

OFFERS: dict[str, str] = {
    "game": "A game offer: Play Store on Android, App Store on iPhone/iPad, a landing page "
    f"on desktop; only in {', '.join(sorted(GAME_COUNTRIES))}.",
    "broken": "A broken offer: two redirects, then 404.",
    "loop": "A redirect loop.",
    "long": f"A chain of {LONG_CHAIN_LENGTH} redirects (beyond the 20-hop limit).",
    "meta": "A page that moves on with <meta http-equiv=refresh>.",
    "js": "A page that moves on with a window.location script.",
    "wrongapp": "Lands on the wrong app: com.example.other on Android, id999999999 on iOS.",
    "blocked": "The destination answers 403 to the checker (bot blocking).",
    "gone": "Lands on a Play Store page that names no app (the app was removed).",
    "mmp": "Network -> AppsFlyer -> Play Store: the click ID survives (renamed, in the "
    "install referrer); GB stops at the network's 'not available' page.",
    "mmpdrop": "Network -> Adjust -> Play Store: the Adjust hop drops the click ID.",
    "macro": "Network -> AppsFlyer with an unexpanded {clickid} macro.",
    "slow": f"A slow chain: {SLOW_HOPS} hops of {SLOW_HOP_S:g} s each, then the Play Store.",
}


@dataclass(frozen=True)
class Page:
    """What the demo site answers."""

    status: int
    body: str = ""
    location: str | None = None


def _device_family(user_agent: str) -> str:
    if "iPhone" in user_agent or "iPad" in user_agent:
        return "ios"
    if "Android" in user_agent and "Windows Phone" not in user_agent:
        return "android"
    return "other"


def _html(title: str, body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"{head}</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def _redirect(location: str, status: int = 302) -> Page:
    return Page(status=status, location=location)


def _game(country: str, user_agent: str) -> Page:
    if country not in GAME_COUNTRIES:
        return _redirect(f"/demo/unavailable?country={country}")
    family = _device_family(user_agent)
    if family == "android":
        return _redirect(PLAY_STORE + "com.example.game")
    if family == "ios":
        return _redirect(APP_STORE.format(country=country) + "1234567890")
    return _redirect("/demo/landing/game")


def _index() -> Page:
    items = "".join(
        f"<li><a href='/demo/offer/{name}'>/demo/offer/{name}</a>: {html.escape(text)}</li>"
        for name, text in OFFERS.items()
    )
    return Page(200, _html("AffiliTest sandbox: demo offers", f"<ul>{items}</ul>"))


def demo_page(path: str, headers: dict[str, str]) -> Page:
    """The demo site's answer for a GET of `path` (which starts with /demo)."""
    parts = urlsplit(path)
    route = parts.path.rstrip("/")
    query = parse_qs(parts.query)
    country = headers.get(COUNTRY_HEADER, "us").lower()
    user_agent = headers.get("User-Agent", "")

    if route == "/demo":
        return _index()
    if route == "/demo/offer/game":
        return _redirect(f"/demo/track/click?offer=game&c={country}")
    if route == "/demo/track/click":
        return _game(country, user_agent)
    if route == "/demo/unavailable":
        where = html.escape(query.get("country", ["?"])[0].upper())
        return Page(200, _html("Offer not available", f"<p>Not available in {where}.</p>"))
    if route.startswith("/demo/landing/") and route != "/demo/landing/blocked":
        return Page(200, _html("Landing page", "<p>The offer's landing page.</p>"))
    if route == "/demo/offer/broken":
        return _redirect("/demo/track/broken")
    if route == "/demo/track/broken":
        return _redirect("/demo/gone", status=301)
    if route == "/demo/offer/loop":
        return _redirect("/demo/loop/a")
    if route == "/demo/loop/a":
        return _redirect("/demo/loop/b")
    if route == "/demo/loop/b":
        return _redirect("/demo/loop/a")
    if route == "/demo/offer/long":
        return _redirect("/demo/chain/1")
    if route.startswith("/demo/chain/"):
        step = int(route.rsplit("/", 1)[1]) if route.rsplit("/", 1)[1].isdigit() else 0
        if step < LONG_CHAIN_LENGTH:
            return _redirect(f"/demo/chain/{step + 1}")
        return _redirect("/demo/landing/long")
    if route == "/demo/offer/meta":
        refresh = f"<meta http-equiv='refresh' content='0; url={PLAY_STORE}com.example.shop'>"
        return Page(200, _html("Redirecting", "<p>One moment...</p>", head=refresh))
    if route == "/demo/offer/js":
        script = "<script>window.location = '/demo/landing/js';</script>"
        return Page(200, _html("Redirecting", script))
    if route == "/demo/offer/wrongapp":
        if _device_family(user_agent) == "ios":
            return _redirect(APP_STORE.format(country=country) + "999999999")
        return _redirect(PLAY_STORE + "com.example.other")
    if route == "/demo/offer/blocked":
        return _redirect("/demo/landing/blocked?check=1")
    if route == "/demo/landing/blocked":
        return Page(403, _html("Access denied", "<p>Automated traffic is not allowed.</p>"))
    if route == "/demo/offer/mmp":
        return _redirect(f"/demo/net/click?oid=7&affid=42&clickid={DEMO_CLICK_ID}")
    if route == "/demo/offer/mmpdrop":
        return _redirect(f"/demo/net/click?oid=8&affid=42&clickid={DEMO_CLICK_ID}&to=adjust")
    if route == "/demo/offer/macro":
        return _redirect("/demo/net/click?oid=9&affid=42&clickid={clickid}")
    if route == "/demo/net/click":  # the network's click handler (Everflow-style link)
        if country == "gb":
            return _redirect(f"/demo/unavailable?country={country}")
        clickid = query.get("clickid", [""])[0]
        if query.get("to") == ["adjust"]:
            return _redirect("https://app.adjust.com/demo123?campaign=demo")  # no click ID
        return _redirect(f"{APPSFLYER}com.example.game?pid=demo_network&af_siteid={clickid}")
    if route == "/demo/offer/slow" or route.startswith("/demo/slow/"):
        step = int(route.rsplit("/", 1)[1]) if route[-1].isdigit() else 0
        time.sleep(SLOW_HOP_S)
        if step + 1 < SLOW_HOPS:
            return _redirect(f"/demo/slow/{step + 1}")
        return _redirect(PLAY_STORE + "com.example.game")
    if route == "/demo/offer/gone":
        return _redirect("https://play.google.com/store/apps")
    return Page(404, _html("Not found", "<p>No such page.</p>"))


def offline_answer(url: str) -> str | None:
    """Where a measurement partner's link would send the demo's click, so the sandbox
    can show whole network -> MMP -> store chains without leaving this computer. Only
    the demo's own partner links are answered; any other address stays unvisited."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "app.appsflyer.com" and parts.path.startswith("/com.example.game"):
        siteid = parse_qs(parts.query).get("af_siteid", [""])[0]
        referrer = quote(f"af_tranid=demo&af_siteid={siteid}", safe="")
        return f"{PLAY_STORE}com.example.game&referrer={referrer}"
    if host == "app.adjust.com" and parts.path == "/demo123":
        referrer = quote("adjust_reftag=demo", safe="")
        return f"{PLAY_STORE}com.example.game&referrer={referrer}"
    return None
