"""Which offers broke or recovered in a run, said once per run, without flapping.

An offer *breaks* when its worst health becomes Broken; it *recovers* only after two
passing runs in a row (OK or Warning), so one lucky check does not say "recovered" and
then "broke" again. Not checked and cancelled results change nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from affilitest_gui.api.validation import device_label
from affilitest_gui.judging.health import Health, worst
from affilitest_gui.words import plural

RECOVER_AFTER = 2
NAMED_IN_SUMMARY = 3  # offers named in a notification; the rest are counted


@dataclass(frozen=True)
class AlertState:
    """What the last notification said of an offer."""

    broken: bool = False
    passes: int = 0  # passing runs in a row since it broke


class AlertKind(str, Enum):
    """What an alert is about; each channel gets the kinds chosen for it. A run's turns
    (broke, recovered) come first."""

    BROKE = "broke"
    RECOVERED = "recovered"
    AUTO_PAUSED = "auto_paused"
    DAILY_SUMMARY = "daily_summary"
    BUDGET = "budget"
    SYNC_PROBLEM = "sync_problem"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    AlertKind.BROKE: "Offers that broke",
    AlertKind.RECOVERED: "Offers that recovered",
    AlertKind.AUTO_PAUSED: "Offers auto-paused on a platform",
    AlertKind.DAILY_SUMMARY: "The daily summary",
    AlertKind.BUDGET: "Budget warnings",
    AlertKind.SYNC_PROBLEM: "Sync problems",
}
EVERY_KIND = frozenset(AlertKind)


class Severity(Enum):
    """How a notification is shown: a warning when something broke."""

    INFORMATION = "information"
    WARNING = "warning"


def advance(state: AlertState, health: Health | None) -> tuple[AlertState, AlertKind | None]:
    """The state after a run whose worst health was `health`, and the turn it took
    (BROKE, RECOVERED or none)."""
    if health is Health.BROKEN:
        return AlertState(broken=True), (None if state.broken else AlertKind.BROKE)
    if health in (Health.OK, Health.WARNING) and state.broken:
        passes = state.passes + 1
        if passes >= RECOVER_AFTER:
            return AlertState(), AlertKind.RECOVERED
        return AlertState(broken=True, passes=passes), None
    return state, None


@dataclass(frozen=True)
class Change:
    """One offer in a notification: its name, the cells that are broken now and, when
    it worked before, what changed since ("Broke since Dec 1, 09:00: hop 3 ...")."""

    label: str
    broken_cells: Sequence[tuple[str, str]] = ()
    ref: int | None = None  # the offer's id in the watch list
    why: str = ""

    @property
    def text(self) -> str:
        """"Game X (US: Android phone, iPhone; GB: iPad)", two countries at most."""
        if not self.broken_cells:
            return self.label
        by_country: dict[str, list[str]] = {}
        for country, device in self.broken_cells:
            by_country.setdefault(country.upper(), []).append(device_label(device))
        shown = [f"{country}: {', '.join(devices)}"
                 for country, devices in list(by_country.items())[:2]]  # fmt: skip
        extra = len(by_country) - 2
        more = f" +{extra} countr{'y' if extra == 1 else 'ies'}" if extra > 0 else ""
        return f"{self.label} ({'; '.join(shown)}{more})"


@dataclass(frozen=True)
class Notification:
    title: str
    text: str
    severity: Severity = Severity.INFORMATION


def _names(changes: Sequence[Change]) -> str:
    named = ", ".join(change.text for change in changes[:NAMED_IN_SUMMARY])
    rest = len(changes) - NAMED_IN_SUMMARY
    return named + (f" and {rest} more" if rest > 0 else "")


def summary(broke: Sequence[Change], recovered: Sequence[Change]) -> Notification | None:
    """One notification for a run: "3 offers broke: Game X (US, Android phone), ..."."""
    if not broke and not recovered:
        return None
    lines = []
    if broke:
        lines.append(f"{plural(len(broke), 'offer')} broke: {_names(broke)}.")
        lines += [f"{c.label}: {c.why[:1].lower()}{c.why[1:]}" for c in broke[:NAMED_IN_SUMMARY]
                  if c.why]  # fmt: skip
    if recovered:
        lines.append(f"{plural(len(recovered), 'offer')} recovered: {_names(recovered)}.")
    title = lines[0].split(":")[0]  # "3 offers broke", else "1 offer recovered"
    severity = Severity.WARNING if broke else Severity.INFORMATION
    return Notification(title, " ".join(lines), severity)


@dataclass(frozen=True)
class RunTurns:
    """What a run changed: the offers that broke and those that recovered."""

    broke: Sequence[Change] = ()
    recovered: Sequence[Change] = ()

    def note(self, kinds: Collection[AlertKind] = EVERY_KIND) -> Notification | None:
        """The run's one notification, with only the turns of `kinds` (a channel's)."""
        return summary(self.broke if AlertKind.BROKE in kinds else (),
                       self.recovered if AlertKind.RECOVERED in kinds else ())  # fmt: skip


def run_turns(
    labels: Mapping[int, str],
    answers: Iterable[tuple[int, str, str, Health]],
    states: Mapping[int, AlertState],
) -> tuple[dict[int, AlertState], RunTurns]:
    """A run's turns, from its answers (offer ref, country, device, health; a cell's
    last answer counts) for the offers of `labels` (ref -> label), and each offer's
    alert state after it. Used by the app's scheduler and the headless watcher."""
    latest: dict[int, dict[tuple[str, str], Health]] = {}
    for ref, country, device, health in answers:
        if ref in labels:
            latest.setdefault(ref, {})[(country, device)] = health
    updated = dict(states)
    broke, recovered = [], []
    for ref in sorted(latest):
        cells = latest[ref]
        state, said = advance(updated.get(ref, AlertState()), worst(list(cells.values())))
        updated[ref] = state
        if said is AlertKind.BROKE:
            broken = sorted(cell for cell, health in cells.items() if health is Health.BROKEN)
            broke.append(Change(labels[ref], broken, ref))
        elif said is AlertKind.RECOVERED:
            recovered.append(Change(labels[ref], ref=ref))
    return updated, RunTurns(broke, recovered)
