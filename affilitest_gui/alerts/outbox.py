"""Delivering the outbox: each waiting alert to its channel; one that could not be
delivered (the network down, a 429, a 5xx) waits with back-off and is marked late when
it goes; one a server refused for good (an unknown webhook) fails at once; after a day
an alert is dropped, and the alert log says so. Pure Python."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from affilitest_gui.alerts.channel import Channel, Delivery, deliver_all
from affilitest_gui.api.limits import ALERT_LIMITS, AlertLimits
from affilitest_gui.history.alert_book import AlertLogEntry, WaitingAlert
from affilitest_gui.history.repository import AlertRepository

# Answers that say trying again may work (the server or the way to it is busy or down).
RETRYABLE_WORDS = ("HTTP 429", "HTTP 5", "not reached", "not sent")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def take_due(outbox: AlertRepository, now: datetime, *,
             limits: AlertLimits = ALERT_LIMITS) -> list[WaitingAlert]:  # fmt: skip
    """The alerts due now, claimed for this process while it delivers them."""
    claim_until = now + timedelta(seconds=limits.claim_s)
    return outbox.due(_stamp(now), claim_until=_stamp(claim_until))


def send(alert: WaitingAlert, channels: Mapping[str, Channel]) -> Delivery | None:
    """One alert to its channel (blocking: off the GUI thread in the app); None when its
    channel is not set up (it waits, up to a day, for the channel to come back)."""
    channel = channels.get(alert.channel)
    if channel is None:
        return None
    return deliver_all([channel], alert.note)[0]


def settle(
    outbox: AlertRepository,
    alert: WaitingAlert,
    delivery: Delivery | None,
    now: datetime,
    *,
    limits: AlertLimits = ALERT_LIMITS,
) -> AlertLogEntry | None:
    """An attempt's outcome logged, and the alert kept for later or gone."""
    age = (now - datetime.fromisoformat(alert.created_at)).total_seconds()
    if delivery is None and age <= limits.give_up_after_s:
        return None  # its claim runs out and it is due again
    if delivery is None:
        delivery = Delivery(alert.channel, False, "the channel is no longer set up")
    entry, retry_at = _outcome(alert, delivery, now, age, limits)
    outbox.settle(alert, entry, retry_at=retry_at)
    return entry


def deliver_waiting(
    outbox: AlertRepository,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    limits: AlertLimits = ALERT_LIMITS,
) -> list[AlertLogEntry]:
    """Each alert due now to its channel, on this thread; returns what the log got."""
    logged = []
    for alert in take_due(outbox, now, limits=limits):
        entry = settle(outbox, alert, send(alert, channels), now, limits=limits)
        if entry is not None:
            logged.append(entry)
    return logged


def _outcome(alert: WaitingAlert, delivery: Delivery, now: datetime, age: float,
             limits: AlertLimits) -> tuple[AlertLogEntry, str | None]:  # fmt: skip
    def entry(state: str, answer: str = delivery.answer) -> AlertLogEntry:
        return AlertLogEntry(_stamp(now), alert.channel, state, alert.note.title, answer)

    if delivery.sent:
        return entry("late" if alert.attempts else "sent"), None
    if not delivery.answer.startswith(RETRYABLE_WORDS):
        return entry("failed"), None
    waits = limits.backoff_s
    wait = waits[min(alert.attempts, len(waits) - 1)]
    if delivery.retry_after_s is not None:
        wait = max(wait, min(delivery.retry_after_s, limits.max_retry_after_s))
    if age + wait > limits.give_up_after_s:
        return entry("dropped", f"{delivery.answer}; not delivered within a day"), None
    return entry("waiting"), _stamp(now + timedelta(seconds=wait))
