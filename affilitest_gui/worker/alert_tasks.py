"""Alerts delivered off the GUI thread: the outbox's due alerts (taken and settled on
the GUI thread by the session) and a channel's test."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from affilitest_gui.alerts.channel import Channel, Delivery, deliver_all
from affilitest_gui.alerts.config import TEST_NOTE
from affilitest_gui.alerts.outbox import send
from affilitest_gui.history.alert_book import WaitingAlert
from affilitest_gui.worker.calls import PlatformTask


@dataclass(frozen=True)
class SendAlerts(PlatformTask[list[Delivery | None]]):
    """Each alert to its channel, in order (None: its channel is not set up)."""

    alerts: tuple[WaitingAlert, ...]
    channels: Mapping[str, Channel] = field(repr=False)  # a webhook URL is a secret

    def run(self) -> list[Delivery | None]:
        return [send(alert, self.channels) for alert in self.alerts]


@dataclass(frozen=True)
class SendTest(PlatformTask[Delivery]):
    """A test message to one channel; the answer says what its server said."""

    channel: Channel = field(repr=False)

    def run(self) -> Delivery:
        return deliver_all([self.channel], TEST_NOTE)[0]
