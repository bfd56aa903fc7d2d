"""Offers that check themselves: due schedules run through the one batch coordinator,
within the day's share of the calls left, behind anything a person started; each run
ends with at most one notification of what broke or recovered. Qt core, no widgets.

The clock is injected, so tests move time instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from affilitest_gui.history.repository import OfferRepository
from affilitest_gui.offers.alerts import Notification, run_notification
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import (
    DEFAULT_SHARE,
    Allowance,
    Schedule,
    due,
    next_run,
)
from affilitest_gui.session.batches import BatchCoordinator
from affilitest_gui.session.progress import BatchSummary

TICK_MS = 30_000


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SchedulerState:
    """What the status bar and the tray say of the schedules."""

    scheduled: int = 0  # offers with a schedule
    next_run: datetime | None = None
    paused: bool = False
    running: bool = False
    waiting: str = ""  # why due offers wait (the day's share is used up)


class Scheduler(QObject):
    """Owns when scheduled runs start; the batches do the rest."""

    changed = Signal(object)  # SchedulerState
    notify = Signal(object)  # Notification

    def __init__(
        self,
        batches: BatchCoordinator,
        book: OfferRepository,
        *,
        clock: Callable[[], datetime] = utc_now,
        hold: Callable[[datetime], bool] = lambda _now: False,
        parent: QObject | None = None,
    ) -> None:
        """`hold(now)`: True while something must come before scheduled checks (the
        scheduled syncs from the network platforms, which it starts when due)."""
        super().__init__(parent)
        self._hold = hold
        self._batches = batches
        self._book = book
        self._clock = clock
        self.share = DEFAULT_SHARE
        self.paused = False
        self._allowance: Allowance | None = None
        self._run: list[Schedule] | None = None
        self._run_offers: dict[int, Offer] = {}  # the offers of the run, by id
        self.state = SchedulerState()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        batches.finished.connect(self._run_finished)
        batches.account.changed.connect(lambda _state: self.tick())

    def now(self) -> datetime:
        return self._clock()

    def start(self) -> None:
        """Tick now (overdue offers run once) and then every half minute."""
        self._timer.start()
        self.tick()

    def stop(self) -> None:
        self._timer.stop()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.tick()

    @property
    def _sandbox(self) -> bool:
        return self._batches.account.state.sandbox

    # --- ticking ---------------------------------------------------------------------

    @Slot()
    def tick(self) -> None:
        schedules = self._book.schedules(sandbox=self._sandbox)
        waiting = ""
        if not (self.paused or self._run is not None or self._batches.progress.active
                or not self._batches.account.state.signed_in):  # fmt: skip
            if self._hold(self._clock()):
                waiting = "Scheduled checks wait for the sync from the network platform."
            else:
                waiting = self._start_due(schedules)
        self._publish(schedules, waiting)

    def _start_due(self, schedules: list[Schedule]) -> str:
        now = self._clock()
        ready = due(schedules, now)
        if not ready or self._batches.account.state.calls_left is None:
            return ""  # nothing due, or the day's share cannot be known yet
        allowance = self._allowance_for(now)
        offers = {offer.id: offer for offer in self._book.all(sandbox=self._sandbox)}
        chosen, cost = [], 0
        for schedule in ready:  # the most overdue first, while the day's share lasts
            offer = offers.get(schedule.offer_ref)
            if offer is not None and cost + offer.check_count <= allowance.left:
                chosen.append(schedule)
                cost += offer.check_count
        if not chosen:
            return (
                f"Scheduled checks wait for tomorrow: today's share of the calls left "
                f"({allowance.allowed:,}) is used up."
            )
        self._allowance = allowance.spend(cost)
        self._run = chosen
        self._run_offers = {s.offer_ref: offers[s.offer_ref] for s in chosen}
        self._batches.submit_offers(list(self._run_offers.values()), scheduled=True)
        return ""

    def _allowance_for(self, now: datetime) -> Allowance:
        if self._allowance is None or self._allowance.day != now.date():
            calls_left = self._batches.account.state.calls_left
            self._allowance = Allowance.for_day(now.date(), calls_left, self.share)
        return self._allowance

    def _publish(self, schedules: list[Schedule], waiting: str) -> None:
        self.state = SchedulerState(
            scheduled=len(schedules),
            next_run=next_run(schedules),
            paused=self.paused,
            running=self._run is not None,
            waiting=waiting,
        )
        self.changed.emit(self.state)

    # --- a run ended -----------------------------------------------------------------

    @Slot(object)
    def _run_finished(self, batch: BatchSummary) -> None:
        if self._run is None:
            return
        ran, self._run = self._run, None
        offers, self._run_offers = self._run_offers, {}
        self._book.ran(ran, self._clock())
        note = self._alerts(offers, batch)
        if note is not None:
            self.notify.emit(note)
        self.tick()

    def _alerts(self, offers: dict[int, Offer], batch: BatchSummary) -> Notification | None:
        """What broke or recovered, from the answers the run's summary carries (each
        cell's last answer in this batch; the history is not read again)."""
        answers = [(r.offer_ref, r.country, r.device, r.health) for r in batch.offer_checks
                   if r.offer_ref is not None]  # fmt: skip
        labels = {ref: offer.label for ref, offer in offers.items()}
        states, note = run_notification(labels, answers, self._book.alert_states())
        self._book.save_alert_states(states)
        return note
