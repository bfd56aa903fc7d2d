"""A platform's connector for a connection and its key."""

from __future__ import annotations

from affilitest_gui.networks.affise import AffiseConnector
from affilitest_gui.networks.connections import Connection, UnusableConnection
from affilitest_gui.networks.connector import Connector
from affilitest_gui.networks.everflow import EverflowConnector
from affilitest_gui.networks.hasoffers import HasOffersConnector

CONNECTORS = {made.platform: made
              for made in (AffiseConnector, EverflowConnector, HasOffersConnector)}  # fmt: skip
# Each platform's word for a paused offer, as its connector writes it.
PAUSED_STATUS = {platform: made.paused_status for platform, made in CONNECTORS.items()}


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
