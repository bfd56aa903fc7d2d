"""The homes of the next issues: a network platform connector is read page by page to
the end, and a notification goes through every alert channel, one failing costing the
others nothing."""

from __future__ import annotations

import pytest

from affilitest_gui.alerts.channel import Delivery, deliver_all
from affilitest_gui.alerts.desktop import DesktopChannel
from affilitest_gui.networks import connector
from affilitest_gui.networks.connector import NetworkOffer, OfferPage, every_offer
from affilitest_gui.offers.alerts import Notification, Severity


class PagedPlatform:
    """A platform of `total` offers served `size` a page."""

    platform = "affise"

    def __init__(self, total: int, size: int, endless: bool = False) -> None:
        self.total, self.size, self.endless = total, size, endless
        self.asked: list[int] = []

    def page(self, number: int) -> OfferPage:
        self.asked.append(number)
        first = (number - 1) * self.size
        offers = tuple(NetworkOffer(self.platform, str(n), f"Offer {n}", "active",
                                    f"https://adv.example/{n}")
                       for n in range(first, min(first + self.size, self.total)))  # fmt: skip
        last = first + self.size >= self.total and not self.endless
        return OfferPage(offers, None if last else number + 1)


def test_every_page_is_read_in_order_to_the_last():
    platform = PagedPlatform(total=230, size=100)
    offers = list(every_offer(platform))
    assert platform.asked == [1, 2, 3]
    assert [offer.offer_id for offer in offers] == [str(n) for n in range(230)]
    assert offers[0].source == "affise:0"


def test_a_platform_that_never_says_last_page_cannot_keep_a_sync_forever(monkeypatch):
    monkeypatch.setattr(connector, "MAX_PAGES", 5)
    with pytest.raises(RuntimeError, match="more than 5 pages"):
        list(every_offer(PagedPlatform(total=0, size=100, endless=True)))


class Broken:
    name = "slack"

    def deliver(self, note: Notification) -> Delivery:
        raise ConnectionError("the webhook did not answer")


def test_one_failing_channel_costs_the_others_nothing():
    shown: list[Notification] = []

    def show(note: Notification) -> str:
        shown.append(note)
        return "tray"

    note = Notification("1 offer broke", "1 offer broke: Game X.", Severity.WARNING)
    deliveries = deliver_all([Broken(), DesktopChannel(show)], note)
    assert shown == [note]
    assert deliveries == [
        Delivery("slack", False, "ConnectionError: the webhook did not answer"),
        Delivery("desktop", True, "shown in the tray"),
    ]
