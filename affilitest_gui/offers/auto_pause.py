"""The auto-pause rule (off by default): pause an offer in its network platform after N
broken runs in a row. Only a real Broken counts: a Warning never does, and a check
that failed on our side (no calls left, an AffiliTest error, the network, cancelled)
says nothing about the offer, so a run of those neither counts nor resets the count.
A daily cap bounds the pauses a bad day (or a bad rule) can make. Pure Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from affilitest_gui.judging.health import Health

ANSWERED = (Health.OK, Health.WARNING, Health.BROKEN)


@dataclass(frozen=True)
class PauseRule:
    enabled: bool = False
    broken_runs: int = 3  # runs in a row
    min_cells: int = 1  # broken cells in a run for the run to count as broken
    daily_cap: int = 10  # auto-pauses a day, at most

    def problems(self) -> list[str]:
        found = []
        if not 1 <= self.broken_runs <= 100:
            found.append("the broken runs in a row must be from 1 to 100")
        if not 1 <= self.min_cells <= 1000:
            found.append("the broken cells of a run must be from 1 to 1000")
        if not 0 <= self.daily_cap <= 10_000:
            found.append("the daily cap must be from 0 to 10,000")
        return found


def broken_run(healths: Iterable[Health], min_cells: int) -> bool | None:
    """True: a broken run; False: a run that worked (the count starts again); None: no
    real answer in it (nothing is said of the offer)."""
    answered = [health for health in healths if health in ANSWERED]
    if not answered:
        return None
    return sum(health is Health.BROKEN for health in answered) >= min_cells


def advance(
    streaks: Mapping[int, int], runs: Mapping[int, Iterable[Health]], rule: PauseRule
) -> tuple[dict[int, int], list[int]]:
    """Each offer's broken runs in a row after this run (`runs`: its cells' healths, by
    offer), and the offers that reached the rule's count now, in order."""
    updated = dict(streaks)
    due = []
    for offer_ref, healths in runs.items():
        verdict = broken_run(healths, rule.min_cells)
        if verdict is None:
            continue
        updated[offer_ref] = updated.get(offer_ref, 0) + 1 if verdict else 0
        if verdict and updated[offer_ref] >= rule.broken_runs:
            due.append(offer_ref)
    return updated, due
