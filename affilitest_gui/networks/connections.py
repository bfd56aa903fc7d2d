"""A connection to a network platform: which platform, its address, the test affiliate
whose link is checked, and the countries and devices for offers that name none. The
key is never part of it: it lives in the OS keyring or the environment."""

from __future__ import annotations

from dataclasses import dataclass

from affilitest_gui.networks.affise import AffiseConnector
from affilitest_gui.networks.connector import Connector
from affilitest_gui.networks.everflow import EverflowConnector
from affilitest_gui.networks.hasoffers import HasOffersConnector
from affilitest_gui.networks.http import PLATFORM_NAMES

PLATFORMS = ("affise", "everflow", "hasoffers")
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


def connect(connection: Connection, key: str) -> Connector:
    """The platform's connector for this connection and key."""
    problems = connection.problems()
    if problems:
        raise UnusableConnection("; ".join(problems))
    if connection.platform == "affise":
        return AffiseConnector(connection.base_url, key, active_only=not connection.every_status,
                               tracking_domain=connection.tracking_domain)  # fmt: skip
    if connection.platform == "everflow":
        return EverflowConnector(connection.base_url, key, active_only=not connection.every_status)
    return HasOffersConnector(connection.base_url, key, network_id=connection.network_id,
                              active_only=not connection.every_status)  # fmt: skip
