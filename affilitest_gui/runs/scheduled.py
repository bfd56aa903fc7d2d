"""Which due offers a scheduled run takes: the most overdue first, while the day's share
of the calls left lasts. The day's allowance is kept in the history file, so the app,
the watcher and each `watch --once` from cron spend the same share, not one each.
Pure Python, no Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from affilitest_gui.history.repository import Repository
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import DEFAULT_SHARE, Allowance, Schedule, due

ALLOWANCE_MARK = "allowance"
SHARE_MARK = "schedule_share"  # the share of the calls left the schedules may spend a day


def share_of(repository: Repository) -> float:
    """The share chosen in the app's Schedule dialog (the watcher spends the same)."""
    kept = repository.marks.get(SHARE_MARK)
    return float(kept) if isinstance(kept, (int, float)) and 0 < kept <= 1 else DEFAULT_SHARE


@dataclass(frozen=True)
class ScheduledRun:
    """The schedules a run takes and their offers; `waiting`: why due offers wait."""

    schedules: list[Schedule] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    waiting: str = ""


def allowance_for(repository: Repository, day: date, calls_left: int | None,
                  share: float) -> Allowance:  # fmt: skip
    """Today's allowance as kept, or a new one from the calls left when the day began."""
    kept = repository.marks.get(ALLOWANCE_MARK)
    if isinstance(kept, dict) and kept.get("day") == day.isoformat():
        return Allowance(day, int(kept.get("allowed", 0)), int(kept.get("spent", 0)))
    return Allowance.for_day(day, calls_left, share)


def choose_scheduled(repository: Repository, calls_left: int | None, now: datetime, *,
                     sandbox: bool, share: float) -> ScheduledRun:  # fmt: skip
    """The due offers within today's share, the share spent on them (written down)."""
    ready = due(repository.offers.schedules(sandbox=sandbox), now)
    if not ready:
        return ScheduledRun()
    allowance = allowance_for(repository, now.date(), calls_left, share)
    offers = {offer.id: offer for offer in repository.offers.all(sandbox=sandbox)}
    chosen, cost = [], 0
    for schedule in ready:  # the most overdue first, while the day's share lasts
        offer = offers.get(schedule.offer_ref)
        if offer is not None and cost + offer.check_count <= allowance.left:
            chosen.append(schedule)
            cost += offer.check_count
    if not chosen:
        return ScheduledRun(waiting=(
            f"Scheduled checks wait for tomorrow: today's share of the calls left "
            f"({allowance.allowed:,}) is used up."))  # fmt: skip
    spent = allowance.spend(cost)
    kept = {"day": spent.day.isoformat(), "allowed": spent.allowed, "spent": spent.spent}
    repository.marks.set(ALLOWANCE_MARK, kept)
    return ScheduledRun(chosen, [offers[s.offer_ref] for s in chosen])
