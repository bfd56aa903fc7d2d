"""What every platform connector does: say whether the key works, list the offers page
by page, make an affiliate's tracking link, pause and resume an offer. The platforms
differ in paths, auth headers, pagination and envelopes; what the rest of the app sees
of them is this."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from affilitest_gui.networks.http import NetworkError, PlatformHttp, Problem

MAX_PAGES = 10_000  # a platform that never says "last page" cannot keep a sync forever


@dataclass(frozen=True)
class NetworkOffer:
    """One offer as the platform has it."""

    platform: str  # "affise", "everflow", "hasoffers"
    offer_id: str  # the platform's own ID
    name: str
    status: str  # the platform's word: active, paused, stopped, deleted...
    destination_url: str  # the advertiser's URL, macros and all
    tracking_url: str | None = None  # the link an affiliate would click, where known
    countries: tuple[str, ...] = ()  # ISO codes, lower case; () when the platform says none
    devices: tuple[str, ...] = ()  # the app's device presets; () when the platform says none
    preview_url: str = ""

    @property
    def source(self) -> str:
        """Unique across platforms: "affise:123"."""
        return f"{self.platform}:{self.offer_id}"


@dataclass(frozen=True)
class OfferPage:
    offers: tuple[NetworkOffer, ...]
    next_page: int | None  # None: this was the last page


class WriteOutcome(Enum):
    DONE = "done"
    ALREADY = "already"  # the offer was in that state before
    REFUSED = "refused"  # the platform said no, in its own words


@dataclass(frozen=True)
class WriteResult:
    outcome: WriteOutcome
    message: str  # the platform's answer, for the audit log


class Connector(Protocol):
    """A platform, reached with one account's key. Every method raises `NetworkError`
    (networks.http) with what went wrong in words."""

    platform: str

    def active_offers(self) -> int:
        """One small call: how many active offers the account has (a working key)."""
        ...

    def page(self, number: int) -> OfferPage:
        """Offers page `number` (the first is 1); active ones unless `everything`."""
        ...

    def tracking_link(self, offer: NetworkOffer, partner: str) -> str:
        """The link affiliate `partner` would click for `offer`."""
        ...

    def pause(self, offer_id: str) -> WriteResult: ...

    def resume(self, offer_id: str) -> WriteResult: ...

    def close(self) -> None: ...


ACTIVE = "active"  # every platform's word for a live offer


class PlatformConnector:
    """What the connectors share: a page whose answer has an unexpected shape is said as
    a malformed answer (never a traceback); pause and resume are one write of the
    platform's own status word (`paused_status`, `ACTIVE`); one session to close."""

    platform: str
    paused_status = "paused"
    http: PlatformHttp

    def page(self, number: int) -> OfferPage:
        try:
            return self._page(number)
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise NetworkError(self.platform, Problem.MALFORMED,
                               f"page {number}: {type(error).__name__}") from None  # fmt: skip

    def _page(self, number: int) -> OfferPage:
        raise NotImplementedError

    def pause(self, offer_id: str) -> WriteResult:
        return self._set_status(offer_id, self.paused_status)

    def resume(self, offer_id: str) -> WriteResult:
        return self._set_status(offer_id, ACTIVE)

    def _set_status(self, offer_id: str, status: str) -> WriteResult:
        raise NotImplementedError

    def close(self) -> None:
        self.http.close()


def every_offer(connector: Connector) -> Iterator[NetworkOffer]:
    """Every page, in order: a sync sees the whole list or (an error) nothing of it."""
    number: int | None = 1
    pages = 0
    while number is not None:
        pages += 1
        if pages > MAX_PAGES:
            raise RuntimeError(f"{connector.platform} sent more than {MAX_PAGES:,} pages")
        page = connector.page(number)
        yield from page.offers
        number = page.next_page
