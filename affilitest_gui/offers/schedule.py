"""When offers check themselves, what that costs, and how much of the budget they may use.

Intervals are the ones ops teams already use with their networks' monitors. An overdue
offer runs once, not once per missed interval. Scheduled runs never spend more than a
share of the calls left per day (default half); the rest waits for the next day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from affilitest_gui.offers.model import Offer

INTERVALS_H = (1, 4, 8, 24)
DEFAULT_SHARE = 0.5
REFILL_DAYS = 30  # budgets are bought by the month: warn when the calls would not last


@dataclass(frozen=True)
class Schedule:
    """One offer re-checked every `every_h` hours; `next_due` in UTC."""

    offer_ref: int
    every_h: int
    next_due: datetime

    def is_due(self, now: datetime) -> bool:
        return self.next_due <= now

    def after_run(self, now: datetime) -> Schedule:
        """The next run one interval after this one, however late this one was."""
        return replace(self, next_due=now + timedelta(hours=self.every_h))


def due(schedules: Iterable[Schedule], now: datetime) -> list[Schedule]:
    return [schedule for schedule in schedules if schedule.is_due(now)]


def next_run(schedules: Iterable[Schedule]) -> datetime | None:
    return min((schedule.next_due for schedule in schedules), default=None)


def runs_per_day(every_h: int) -> int:
    return math.ceil(24 / every_h)


def calls_per_day(offers: Mapping[int, Offer], schedules: Iterable[Schedule]) -> int:
    """The calls the schedules spend in a day."""
    return sum(
        offers[s.offer_ref].check_count * runs_per_day(s.every_h)
        for s in schedules
        if s.offer_ref in offers
    )


def budget_warning(per_day: int, calls_left: int | None) -> str | None:
    """A warning when the calls left would run out before a monthly refill."""
    if calls_left is None or per_day == 0:
        return None
    days = calls_left / per_day
    if days >= REFILL_DAYS:
        return None
    return (
        f"At {per_day:,} calls a day, the {calls_left:,} calls left run out in about "
        f"{max(1, math.floor(days))} day{'s' if days >= 2 else ''}, before a monthly refill."
    )


@dataclass(frozen=True)
class Allowance:
    """What the schedules may still spend today: `share` of the calls left when the day
    began. Manual checks are not counted against it."""

    day: date
    allowed: int
    spent: int = 0

    @classmethod
    def for_day(cls, day: date, calls_left: int | None, share: float) -> Allowance:
        allowed = 10**9 if calls_left is None else math.floor(calls_left * share)
        return cls(day, allowed)

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.spent)

    def spend(self, calls: int) -> Allowance:
        return replace(self, spent=self.spent + calls)
