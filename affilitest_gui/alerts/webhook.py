"""Slack's incoming webhooks and Teams' Workflows webhooks: a JSON POST to a secret URL.
The URL must be https (a loopback address may be http: tests, the sandbox) and never
appears in an answer, a log or the alert log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from affilitest_gui.alerts.channel import Delivery
from affilitest_gui.loopback import is_loopback_url
from affilitest_gui.offers.alerts import Notification

TIMEOUT_S = (5.0, 15.0)
ANSWER_CHARS = 200


class UnsafeWebhook(ValueError):
    """A webhook address that would send the alert in the clear, or is no address."""


def checked_webhook(url: str) -> str:
    """The URL, or UnsafeWebhook with a sentence (the URL itself is never repeated)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeWebhook("a webhook address starts with https:// and names a host")
    if parts.scheme == "http" and not is_loopback_url(url):
        raise UnsafeWebhook("a webhook address must use https:// (it carries a secret)")
    return url


@dataclass
class WebhookChannel:
    """`payload` makes the JSON body of a notification (alerts.payloads)."""

    name: str
    url: str = field(repr=False)
    payload: Callable[[Notification], dict[str, Any]] = field(repr=False)
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def __post_init__(self) -> None:
        self.url = checked_webhook(self.url)

    def deliver(self, note: Notification) -> Delivery:
        try:
            answer = self.session.post(self.url, json=self.payload(note), timeout=TIMEOUT_S,
                                       allow_redirects=False)  # fmt: skip
        except requests.RequestException as error:
            return Delivery(self.name, False, f"not reached ({type(error).__name__})")
        said = f"HTTP {answer.status_code}: {answer.text.strip()[:ANSWER_CHARS] or '(empty)'}"
        retry_after = answer.headers.get("Retry-After", "")
        wait = float(retry_after) if retry_after.isdigit() else None
        return Delivery(self.name, 200 <= answer.status_code < 300, said, wait)
