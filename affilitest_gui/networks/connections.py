"""A connection to a network platform: which platform, its address, the test affiliate
whose link is checked, and the countries and devices for offers that name none. The
key is never part of it: it lives in the OS keyring or the environment. Light (no
HTTP): the history keeps connections, and it loads at start-up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

PLATFORMS = ("affise", "everflow", "hasoffers")
PLATFORM_NAMES = {"affise": "Affise", "everflow": "Everflow", "hasoffers": "TUNE/HasOffers"}
KEY_VARIABLE = "AFFILITEST_NETWORK_KEY"


class UnusableConnection(ValueError):
    """A connection that cannot work as written (said before any call)."""


@dataclass(frozen=True)
class Connection:
    platform: str
    base_url: str = ""  # Affise: the tenant's API host; Everflow: its region; any: a test server
    network_id: str = ""  # HasOffers
    partner: str = ""  # the test affiliate; "": the offer's destination URL is checked
    tracking_domain: str = ""  # Affise: the host of affiliates' links
    countries: tuple[str, ...] = ("us",)  # for offers that name none
    devices: tuple[str, ...] = ("android",)
    sync_every_h: int = 0  # a scheduled sync every 1, 4 or 24 hours; 0: by hand
    every_status: bool = False  # take paused, stopped... offers too (else active ones only)

    @property
    def name(self) -> str:
        return PLATFORM_NAMES[self.platform]

    @property
    def keyring_account(self) -> str:
        """The key's name in the OS keyring: one per platform and account address."""
        where = self.network_id or self.base_url or "default"
        return f"network:{self.platform}:{where}"

    def problems(self) -> list[str]:
        """What keeps this connection from working, in words (empty: none)."""
        found = []
        if self.platform not in PLATFORMS:
            found.append(f"the platform must be one of {', '.join(PLATFORMS)}")
        if self.platform == "affise" and not self.base_url:
            found.append("Affise needs the tenant's API address (https://api-<tenant>.affise.com)")
        if self.platform == "affise" and self.partner and not self.tracking_domain:
            found.append("Affise builds the affiliate's link on a tracking domain: give it")
        if self.platform == "hasoffers" and not self.network_id:
            found.append("HasOffers needs the network ID (the first part of its API address)")
        if self.partner and self.platform != "affise" and not self.partner.isdigit():
            found.append(f"the test affiliate of {self.name} is a number (its ID)")
        return found


class Sourced(Protocol):
    source: str


def platforms_of(offers: Iterable[Sourced]) -> str:
    """"Everflow" for offers synced from it alone, else "their platforms"."""
    names = {PLATFORM_NAMES.get(o.source.partition(":")[0], "") for o in offers if o.source}
    return names.pop() if len(names) == 1 else "their platforms"
