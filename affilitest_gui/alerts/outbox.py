"""Delivering the outbox: each waiting alert to its channel; one that could not be
delivered (the network down, a 429, a 5xx) waits with back-off and is marked late when
it goes; one a server refused for good (an unknown webhook) fails at once; after a day
an alert is dropped, and the alert log says so. Pure Python."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from affilitest_gui.alerts.channel import Channel, Delivery
from affilitest_gui.api.limits import ALERT_LIMITS, AlertLimits
from affilitest_gui.history.alert_book import AlertLogEntry, WaitingAlert
from affilitest_gui.history.repository import AlertRepository

# Answers that say trying again may work (the server or the way to it is busy or down).
RETRYABLE_WORDS = ("HTTP 429", "HTTP 5", "not reached", "not sent")


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def deliver_waiting(
    outbox: AlertRepository,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    limits: AlertLimits = ALERT_LIMITS,
) -> list[AlertLogEntry]:
    """Each alert due now to its channel (a channel no longer set up: kept for later);
    returns what the alert log got."""
    logged = []
    for alert in outbox.due(_stamp(now)):
        channel = channels.get(alert.channel)
        age = (now - datetime.fromisoformat(alert.created_at)).total_seconds()
        if channel is None and age <= limits.give_up_after_s:
            continue
        if channel is None:
            delivery = Delivery(alert.channel, False, "the channel is no longer set up")
        else:
            delivery = channel.deliver(alert.note)
        entry, retry_at = _outcome(alert, delivery, now, age, limits)
        outbox.settle(alert, entry, retry_at=retry_at)
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
