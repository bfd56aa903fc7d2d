"""An offer's past, read for what changed and at a glance: why a broken cell broke
(its chain against the last one of the same cell that worked), the offer's last runs as
a strip of verdicts, and the calls spent per day. Reads only; on the history's
connection."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from affilitest_gui.chains.since_ok import SinceOk, since_ok
from affilitest_gui.history.columns import SELECT, row_to_record
from affilitest_gui.judging.health import Health, worst

STRIP_RUNS = 30
RUN_GAP_S = 300  # checks of one offer further apart than this belong to different runs
_WORKED = (Health.OK.value, Health.WARNING.value)


@dataclass(frozen=True)
class RunMark:
    """One run of an offer on its strip: when, and its worst health (None: not checked)."""

    at: str
    health: Health | None


class Timeline:
    """Reads the checks table by the indexes made for it (offer, cell, id)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def since_ok(self, offer_ref: int, country: str, device: str) -> SinceOk | None:
        """For a cell whose latest answer is Broken and that worked before: what changed."""
        cell = (offer_ref, country, device)
        latest = self._db.execute(
            f"SELECT {SELECT} FROM checks WHERE id = (SELECT latest_id FROM offer_cells "
            "WHERE offer_ref = ? AND country = ? AND device = ?)", cell).fetchone()  # fmt: skip
        if latest is None:
            return None
        now = row_to_record(latest)
        if now.health is not Health.BROKEN:
            return None
        worked = self._db.execute(
            f"SELECT {SELECT} FROM checks WHERE offer_ref = ? AND country = ? AND device = ? "
            "AND health IN (?, ?) ORDER BY id DESC LIMIT 1", (*cell, *_WORKED),
        ).fetchone()  # fmt: skip
        if worked is None:
            return None  # broken from its first check: nothing to compare with
        was = row_to_record(worked)
        broke_at = self._db.execute(
            "SELECT checked_at FROM checks WHERE offer_ref = ? AND country = ? AND device = ? "
            "AND id > ? AND health = ? ORDER BY id LIMIT 1",
            (*cell, was.id, Health.BROKEN.value)).fetchone()[0]  # fmt: skip
        return since_ok(was.hops, now.hops, broke_at)

    def since_ok_of(self, offer_ref: int, cells: list[tuple[str, str]]) -> SinceOk | None:
        """The first of the offer's broken cells (in `cells` order) that says what changed."""
        for country, device in cells:
            found = self.since_ok(offer_ref, country, device)
            if found is not None:
                return found
        return None

    def strip(self, offer_ref: int, *, cells: int = 1, runs: int = STRIP_RUNS) -> list[RunMark]:
        """The offer's last `runs` runs, oldest first: checks of the offer closer than
        RUN_GAP_S to the one before are one run; a run's mark is its worst health.
        `cells`: the offer's checks per run (how far back to read)."""
        rows = self._db.execute(
            "SELECT checked_at, health FROM checks WHERE offer_ref = ? AND outcome != "
            "'cancelled' ORDER BY id DESC LIMIT ?",
            (offer_ref, (runs + 1) * max(1, cells) * 2)).fetchall()  # fmt: skip
        marks: list[tuple[datetime, str, list[Health]]] = []
        for at, health in rows:  # newest first
            moment = _moment(at)
            if marks and (marks[-1][0] - moment).total_seconds() <= RUN_GAP_S:
                marks[-1] = (moment, at, [*marks[-1][2], Health(health)])  # when it began
                continue
            if len(marks) == runs:
                break
            marks.append((moment, at, [Health(health)]))
        strip = []
        for _, at, healths in reversed(marks):
            judged = [h for h in healths if h is not Health.NOT_CHECKED]
            strip.append(RunMark(at, worst(judged) if judged else None))
        return strip

    def calls_per_day(self, days: int, today: date, *, sandbox: bool) -> dict[date, int]:
        """The calls sent per day (UTC) over the `days` up to `today`, 0 for a quiet day."""
        first = today - timedelta(days=days - 1)
        rows = self._db.execute(
            "SELECT day, calls FROM call_days WHERE sandbox = ? AND day >= ?",
            (int(sandbox), first.isoformat())).fetchall()  # fmt: skip
        counted = {date.fromisoformat(day): calls for day, calls in rows}
        return {first + timedelta(days=n): counted.get(first + timedelta(days=n), 0)
                for n in range(days)}  # fmt: skip


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
