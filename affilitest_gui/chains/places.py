"""Where a URL is, in short: a store's app, or host and path."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

_APP_STORE_ID = re.compile(r"/id(\d+)")


def store_of(url: str) -> str | None:
    """'Play Store: <package>' or 'App Store: id<number>' for a store URL, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "play.google.com":
        package = parse_qs(parts.query).get("id", [""])[0]
        return f"Play Store: {package}" if package else "Play Store"
    if host in ("apps.apple.com", "itunes.apple.com"):
        match = _APP_STORE_ID.search(parts.path)
        return f"App Store: id{match.group(1)}" if match else "App Store"
    return None


STORES_WITHOUT_APP = ("Play Store", "App Store")  # what store_of says of a page with no app


def place(url: str) -> str:
    """host/path of a URL, without the query: where a chain ended, in short."""
    parts = urlsplit(url)
    return f"{parts.hostname or ''}{parts.path}".rstrip("/") or url
