"""The app's work on the network platforms, run off the GUI thread: test a connection,
fetch what a sync needs, write a status. Storage stays on the GUI thread (the session
reads the watch list before and records the answers after)."""

from __future__ import annotations

from dataclasses import dataclass, field

from affilitest_gui.networks.connect import connect
from affilitest_gui.networks.connections import Connection
from affilitest_gui.networks.connector import NetworkOffer, WriteResult
from affilitest_gui.offers.model import Offer
from affilitest_gui.runs.network_sync import fetch_for_sync, write_status
from affilitest_gui.worker.calls import PlatformTask


@dataclass(frozen=True)
class CheckConnection(PlatformTask[int]):
    """One small call: the platform's count of active offers (the key works)."""

    connection: Connection
    key: str = field(repr=False)

    def run(self) -> int:
        connector = connect(self.connection, self.key)
        try:
            return connector.active_offers()
        finally:
            connector.close()


@dataclass(frozen=True)
class FetchForSync(PlatformTask[tuple[list[NetworkOffer], dict[str, str]]]):
    """Every active offer and the test affiliate's links (`known`: links already had)."""

    connection: Connection
    key: str = field(repr=False)
    known: dict[str, str] = field(default_factory=dict)

    def run(self) -> tuple[list[NetworkOffer], dict[str, str]]:
        connector = connect(self.connection, self.key)
        try:
            return fetch_for_sync(connector, self.connection, self.known)
        finally:
            connector.close()


@dataclass(frozen=True)
class WriteStatuses(PlatformTask[list[WriteResult]]):
    """Pause or resume offers of one platform, one write each, in order."""

    connection: Connection
    key: str = field(repr=False)
    offers: tuple[Offer, ...]
    action: str

    def run(self) -> list[WriteResult]:
        connector = connect(self.connection, self.key)
        try:
            return [write_status(connector, offer, self.action) for offer in self.offers]
        finally:
            connector.close()
