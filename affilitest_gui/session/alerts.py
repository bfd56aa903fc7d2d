"""Alerts for the app: the channels' secrets (OS keyring, or the environment, which
wins), what each channel gets, alerts posted to the outbox and delivered off the GUI
thread (retried every minute while any waits), a channel's test, the alert log. The
same outbox and functions as `affilitest-offers watch`. Qt core, no widgets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from affilitest_gui.alerts.channel import Channel, Delivery
from affilitest_gui.alerts.config import configured, keyring_entry, make_channel, secret_for
from affilitest_gui.alerts.outbox import settle, take_due
from affilitest_gui.api.limits import ALERT_LIMITS
from affilitest_gui.history.alert_book import AlertLogEntry, WaitingAlert
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.records import utc_now
from affilitest_gui.keystore import KeptKeyStores, KeyStoreFor, StorageInfo, keystore_for
from affilitest_gui.offers.alerts import AlertKind
from affilitest_gui.runs.alerting import Compose, post
from affilitest_gui.worker.alert_tasks import SendAlerts, SendTest
from affilitest_gui.worker.calls import CallOutcome
from affilitest_gui.worker.controller import WorkerController


class AlertsSession(QObject):
    """One per window: Settings -> Alerts and the scheduler post through it."""

    logged = Signal()  # the alert log has new entries

    def __init__(
        self,
        controller: WorkerController,
        repository: Repository,
        *,
        environ: Mapping[str, str] | None = None,
        keystores: KeyStoreFor = keystore_for,
        clock: Callable[[], datetime] = utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._repository = repository
        self._environ = os.environ if environ is None else environ
        self._keystore = KeptKeyStores(keystores)
        self._clock = clock
        self._sending = False
        self._again = False
        self._timer = QTimer(self)
        self._timer.setInterval(int(ALERT_LIMITS.look_every_s * 1000))
        self._timer.timeout.connect(self.deliver)

    def start(self) -> None:
        """Deliver what a past session left, then look again every minute."""
        self._timer.start()
        self.deliver()

    def stop(self) -> None:
        self._timer.stop()

    def now(self) -> datetime:
        return self._clock()

    # --- secrets and choices -------------------------------------------------------

    def secret(self, channel: str) -> tuple[str, str]:
        """The channel's secret and where it is: "environment", "keyring", "memory", ""."""
        secret, source = secret_for(channel, self._environ, self._keystore)
        if source == "keyring" and not self.storage(channel).secure:
            source = "memory"
        return secret, source

    def storage(self, channel: str) -> StorageInfo:
        return self._keystore(keyring_entry(channel)).info

    def save_secret(self, channel: str, secret: str) -> StorageInfo:
        """Checked first (raises UnsafeWebhook / BadSmtpSettings, in words), then kept in
        the keyring (or memory, said so)."""
        make_channel(channel, secret.strip())
        return self._keystore(keyring_entry(channel)).set(secret.strip())

    def forget(self, channel: str) -> None:
        self._keystore(keyring_entry(channel)).delete()

    def kinds(self, channel: str) -> frozenset[AlertKind]:
        return self._repository.alerts.kinds_for(channel)

    def save_kinds(self, channel: str, kinds: frozenset[AlertKind]) -> None:
        self._repository.alerts.save_choice(channel, kinds)

    def channels(self) -> dict[str, Channel]:
        """Every channel set up and usable now."""
        return configured(self._environ, self._keystore)

    def log(self, newest: int | None = None) -> list[AlertLogEntry]:
        return self._repository.alerts.log(newest)

    def waiting(self) -> int:
        """Alerts in the outbox, not delivered yet."""
        return self._repository.alerts.waiting()

    # --- posting and delivering ----------------------------------------------------

    def post(self, compose: Compose) -> list[str]:
        """The alert in the outbox of each channel set up that gets it, on its way now."""
        posted = post(self._repository, self.channels(), compose, self.now())
        if posted:
            self.deliver()
        return posted

    def deliver(self) -> None:
        """Send what is due off the GUI thread; settle each answer back here."""
        if self._sending:
            self._again = True
            return
        alerts = take_due(self._repository.alerts, self.now())
        if not alerts:
            return
        self._sending = True
        self._controller.request(SendAlerts(tuple(alerts), self.channels()),
                                 lambda outcome: self._sent(alerts, outcome))  # fmt: skip

    def _sent(self, alerts: list[WaitingAlert], outcome: CallOutcome) -> None:
        self._sending = False
        if outcome.error is None:  # else (the app closing): their claims run out, they wait
            now = self.now()
            for alert, delivery in zip(alerts, outcome.value, strict=True):
                settle(self._repository.alerts, alert, delivery, now)
            self.logged.emit()
        if self._again:
            self._again = False
            self.deliver()

    async def test(self, channel: str, secret: str) -> Delivery:
        """A test message with `secret` (as typed, or kept); raises what is wrong with it."""
        return await self._controller.call(SendTest(make_channel(channel, secret.strip())))

