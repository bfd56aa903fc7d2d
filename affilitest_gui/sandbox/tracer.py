"""Follow an offer's redirect chain for real, as AffiliTest does, but only on loopback.

Follows HTTP 3xx `Location`, `<meta http-equiv=refresh>` and a plain
`window.location = '...'` script; stops at 20 hops or at a loop. A hop that leaves
this machine (an app store, say) is recorded without being fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from affilitest_gui.loopback import is_loopback_url
from affilitest_gui.sandbox.demo_site import COUNTRY_HEADER, offline_answer

MAX_HOPS = 20
MAX_BODY_BYTES = 256 * 1024

USER_AGENTS: dict[str, str] = {
    "android": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "ipad": "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "desktop": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "windowsPhone": "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0 Mobile Safari/537.36 Edge/15.15063",
    "blackberry": "Mozilla/5.0 (BB10; Touch) AppleWebKit/537.35+ (KHTML, like Gecko) "
    "Version/10.3.3.2205 Mobile Safari/537.35+",
}

_META_REFRESH = re.compile(
    r"<meta[^>]*http-equiv\s*=\s*[\"']?refresh[\"']?[^>]*content\s*=\s*[\"']?\s*\d*\s*;?\s*url\s*=\s*"
    r"[\"']?([^\"'>\s]+)",
    re.IGNORECASE,
)
_JS_LOCATION = re.compile(
    r"(?:window\.|document\.)?location(?:\.href)?\s*=\s*[\"']([^\"']+)[\"']"
    r"|location\.(?:replace|assign)\(\s*[\"']([^\"']+)[\"']\s*\)",
)


@dataclass(frozen=True)
class Trace:
    """The hops as (url, status code or None) and why tracing stopped, if not at a page."""

    hops: tuple[tuple[str, int | None], ...]
    stopped: str | None = None  # "loop", "hop_limit", "offline", "unreachable"


def user_agent_for(device: str) -> str:
    return USER_AGENTS.get(device, device)


def next_in_page(html: str) -> str | None:
    """The target of a meta refresh or a plain location script in a page, if any."""
    match = _META_REFRESH.search(html)
    if match:
        return match.group(1)
    match = _JS_LOCATION.search(html)
    if match:
        return match.group(1) or match.group(2)
    return None


def trace(url: str, device: str, country: str, *, timeout_s: float = 5.0) -> Trace:
    """Open `url` as `device` from `country` and follow it hop by hop."""
    session = requests.Session()
    session.trust_env = False  # loopback only: never through a proxy
    headers = {"User-Agent": user_agent_for(device), COUNTRY_HEADER: country}
    hops: list[tuple[str, int | None]] = []
    seen: set[str] = set()
    current = url
    with session:
        while True:
            if len(hops) >= MAX_HOPS:
                return Trace(tuple(hops), "hop_limit")
            if current in seen:
                hops.append((current, None))
                return Trace(tuple(hops), "loop")
            seen.add(current)
            if not is_loopback_url(current):
                stand_in = offline_answer(current)  # a measurement partner the demo plays
                hops.append((current, None))
                if stand_in is None:
                    return Trace(tuple(hops), "offline")
                current = stand_in
                continue
            try:
                response = session.get(
                    current, headers=headers, allow_redirects=False, timeout=timeout_s, stream=True
                )
                body = response.raw.read(MAX_BODY_BYTES, decode_content=True) or b""
                response.close()
            except requests.RequestException:
                hops.append((current, None))
                return Trace(tuple(hops), "unreachable")
            hops.append((current, response.status_code))
            target = None
            if 300 <= response.status_code < 400:
                target = response.headers.get("Location")
            elif response.status_code == 200 and "html" in response.headers.get("Content-Type", ""):
                target = next_in_page(body.decode("utf-8", "replace"))
            if not target:
                return Trace(tuple(hops))
            current = urljoin(current, target.strip())
