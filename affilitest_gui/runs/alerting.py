"""Alerts to Slack, Teams and email, composed once and posted to the outbox for each
channel with what it was chosen to get: a run's turns (broke, recovered), the offers
the auto-pause rule paused, a platform's sync that failed (once, until it works again),
calls left below a day of schedules (once a day) and the daily summary. The app's
scheduler and the headless watcher call the same functions. Pure Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.health import Health
from affilitest_gui.networks.connections import PLATFORM_NAMES
from affilitest_gui.offers.alerts import AlertKind, Notification, RunTurns, Severity, run_turns
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import calls_per_day, next_run
from affilitest_gui.runs.network_sync import StatusChange
from affilitest_gui.words import plural, short_time

# A channel's kinds -> its note, or None when it gets nothing of this.
Compose = Callable[[frozenset[AlertKind]], Notification | None]
NAMED = 5  # offers named in an alert; the rest are counted
# A run on the daily summary's strip, as every channel shows text (oldest first).
SQUARES: dict[Health | None, str] = {Health.OK: "\U0001f7e9", Health.WARNING: "\U0001f7e8",
                                     Health.BROKEN: "\U0001f7e5", None: "\u2b1c"}  # fmt: skip


def of_kind(kind: AlertKind, note: Notification | None) -> Compose:
    return lambda kinds: note if kind in kinds else None


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def post(repository: Repository, channels: Iterable[str], compose: Compose,
         now: datetime) -> list[str]:  # fmt: skip
    """The alert in the outbox of each channel that gets it; returns those channels."""
    posted = []
    for channel in channels:
        note = compose(repository.alerts.kinds_for(channel))
        if note is not None:
            repository.alerts.post(channel, note, stamp(now))
            posted.append(channel)
    return posted


def _named(labels: Sequence[str]) -> str:
    rest = len(labels) - NAMED
    return ", ".join(labels[:NAMED]) + (f" and {rest} more" if rest > 0 else "")


# --- a run ended ------------------------------------------------------------------------


def run_ended(repository: Repository, offers: Iterable[Offer],
              answers: Iterable[tuple[int, str, str, Health]]) -> RunTurns:  # fmt: skip
    """What broke and recovered in a scheduled run (no flapping: the offers' alert states
    are kept); the caller posts `turns.note` and shows the full one on the desktop."""
    labels = {offer.id: offer.label for offer in offers if offer.id is not None}
    states, turns = run_turns(labels, answers, repository.offers.alert_states())
    repository.offers.save_alert_states(states)
    broke = []
    for change in turns.broke:  # each with what changed since it last worked
        found = None
        if change.ref is not None:
            found = repository.timeline.since_ok_of(change.ref, list(change.broken_cells))
        broke.append(replace(change, why=found.sentence if found else ""))
    return replace(turns, broke=broke)


def auto_paused_note(changes: Sequence[StatusChange]) -> Notification | None:
    """ "2 offers auto-paused: Game X (Everflow), ..." and what could not be paused."""
    paused = [f"{c.offer.label} ({PLATFORM_NAMES.get(c.offer.source.partition(':')[0], '?')})"
              for c in changes if c.result == "paused"]  # fmt: skip
    refused = [f"{c.offer.label}: {c.message}" for c in changes if c.result == "refused"]
    if not paused and not refused:
        return None
    lines = []
    if paused:
        lines.append(f"{plural(len(paused), 'offer')} auto-paused on the network platform "
                     f"after repeated broken runs: {_named(paused)}.")  # fmt: skip
    if refused:
        lines.append(f"The platform refused to pause {_named(refused)}.")
    title = (f"{plural(len(paused), 'offer')} auto-paused" if paused
             else "Auto-pause refused by the platform")  # fmt: skip
    return Notification(title, " ".join(lines), Severity.WARNING)


# --- sync problems, once each -----------------------------------------------------------


def sync_outcome(repository: Repository, channels: Iterable[str], platform: str, *,
                 problem: str | None, now: datetime) -> bool:  # fmt: skip
    """A scheduled sync from `platform` ended (`problem`: why it failed, or None). The
    first failure is posted; the next ones are not until a sync works again. Returns
    whether an alert was posted."""
    mark = f"sync_problem:{platform}"
    name = PLATFORM_NAMES.get(platform, platform)
    if problem is None:
        repository.marks.set(mark, None)
        return False
    if repository.marks.get(mark):
        return False
    repository.marks.set(mark, stamp(now))
    text = (f"The scheduled sync from {name} failed: {problem}. The watch list was not "
            "changed; the next sync tries again.")  # fmt: skip
    note = Notification(f"Sync from {name} failed", text, Severity.WARNING)
    return bool(post(repository, channels, of_kind(AlertKind.SYNC_PROBLEM, note), now))


# --- the budget, once a day -------------------------------------------------------------


def schedules_per_day(repository: Repository, *, sandbox: bool) -> int:
    offers = {o.id: o for o in repository.offers.all(sandbox=sandbox) if o.id is not None}
    return calls_per_day(offers, repository.offers.schedules(sandbox=sandbox))


def budget_check(repository: Repository, channels: Iterable[str], calls_left: int | None,
                 now: datetime, *, sandbox: bool) -> bool:  # fmt: skip
    """When the calls left fall below a day of schedules: one alert a day."""
    per_day = schedules_per_day(repository, sandbox=sandbox)
    if calls_left is None or per_day == 0 or calls_left >= per_day:
        return False
    today = now.date().isoformat()
    if repository.marks.get("budget_warning") == today:
        return False
    repository.marks.set("budget_warning", today)
    note = Notification("Calls left fall below a day of schedules",
                        f"{calls_left:,} calls are left on the AffiliTest account and the "
                        f"schedules spend {per_day:,} a day: scheduled checks will stop "
                        "when they run out. Buy more calls, or check less often (Schedule).",
                        Severity.WARNING)  # fmt: skip
    return bool(post(repository, channels, of_kind(AlertKind.BUDGET, note), now))


# --- the daily summary ------------------------------------------------------------------


@dataclass(frozen=True)
class DailySummary:
    """The day's figures, and the broken offers to compare with tomorrow."""

    note: Notification
    broken_refs: list[int]


def daily_summary(repository: Repository, calls_left: int | None, now: datetime, *,
                  sandbox: bool) -> DailySummary:  # fmt: skip
    """Offers watched, OK / warning / broken (new since the last summary), recovered
    since then, calls used and left, the next scheduled run."""
    last = repository.marks.get("daily_summary") or {}
    was_broken = set(last.get("broken", []))
    statuses = repository.offers.statuses(sandbox=sandbox)
    counts = {health: sum(s.health is health for s in statuses) for health in Health}
    broken = [s for s in statuses if s.health is Health.BROKEN]
    new = [s.offer.label for s in broken if s.offer.id not in was_broken]
    recovered = [s.offer.label for s in statuses if s.offer.id in was_broken
                 and s.health in (Health.OK, Health.WARNING)]  # fmt: skip
    lines = [f"{plural(len(statuses), 'offer')} watched: {counts[Health.OK]:,} OK, "
             f"{counts[Health.WARNING]:,} warning, {counts[Health.BROKEN]:,} broken"
             + (f" ({len(new)} new since yesterday: {_named(new)})" if new else "") + "."]
    for status in broken[:NAMED]:  # what broke, at a glance: its last runs
        marks = repository.timeline.strip(status.offer.id, cells=status.offer.check_count)
        if marks:
            squares = "".join(SQUARES.get(mark.health, SQUARES[None]) for mark in marks)
            lines.append(f"{status.offer.label}, last {plural(len(marks), 'run')}: {squares}.")
    if recovered:
        lines.append(f"Recovered since yesterday: {_named(recovered)}.")
    if calls_left is not None:
        before = last.get("calls_left")
        used = ""
        if isinstance(before, int) and before >= calls_left:  # else a refill came
            used = f", {before - calls_left:,} used since yesterday"
        lines.append(f"Calls: {calls_left:,} left{used}.")
    upcoming = next_run(repository.offers.schedules(sandbox=sandbox))
    if upcoming is not None:
        lines.append(f"Next scheduled run: {short_time(max(upcoming, now))}.")
    title = (f"Daily summary: {counts[Health.BROKEN]:,} broken, "
             f"{counts[Health.WARNING]:,} warning, {counts[Health.OK]:,} OK")  # fmt: skip
    severity = Severity.WARNING if broken else Severity.INFORMATION
    refs = [s.offer.id for s in broken if s.offer.id is not None]
    return DailySummary(Notification(title, " ".join(lines), severity), refs)


def summary_due(repository: Repository, now: datetime, hour: int) -> bool:
    """Once a day, at the first look at or after `hour` (local time)."""
    local = now.astimezone()
    return local.hour >= hour and repository.marks.get("daily_summary_day") != (
        local.date().isoformat()
    )


def send_daily_summary(repository: Repository, channels: Iterable[str], calls_left: int | None,
                       now: datetime, *, sandbox: bool) -> bool:  # fmt: skip
    """The summary posted (when a channel gets it) and remembered for tomorrow's."""
    repository.marks.set("daily_summary_day", now.astimezone().date().isoformat())
    if not repository.offers.all(sandbox=sandbox):
        return False  # nothing watched: nothing to sum up
    made = daily_summary(repository, calls_left, now, sandbox=sandbox)
    repository.marks.set("daily_summary", {"broken": made.broken_refs,
                                           "calls_left": calls_left})  # fmt: skip
    return bool(post(repository, channels, of_kind(AlertKind.DAILY_SUMMARY, made.note), now))
