"""A channel delivers a run's notification and says what happened to it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from affilitest_gui.offers.alerts import Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    channel: str
    sent: bool
    answer: str  # what the other end said (or why it could not be reached); never a secret
    retry_after_s: float | None = None  # the other end asked to wait this long (429)


class Channel(Protocol):
    name: str

    def deliver(self, note: Notification) -> Delivery: ...


def deliver_all(channels: Iterable[Channel], note: Notification) -> list[Delivery]:
    """Each channel in turn; one that fails costs the others nothing."""
    deliveries = []
    for channel in channels:
        try:
            deliveries.append(channel.deliver(note))
        except Exception as error:  # a channel's bug or outage is its own delivery's
            log.warning("The %s channel failed: %s", channel.name, type(error).__name__)
            deliveries.append(Delivery(channel.name, False, f"{type(error).__name__}: {error}"))
    return deliveries
