"""Offers that check themselves: due schedules run through the one batch coordinator,
within the day's share of the calls left, behind anything a person started; each run
ends with at most one notification of what broke or recovered. Qt core, no widgets.

The clock is injected, so tests move time instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from affilitest_gui.api.limits import SCHEDULE_TIMING
from affilitest_gui.history.lease import APP, Lease, holder_name
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.records import utc_now
from affilitest_gui.offers.alerts import Notification
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import Schedule, next_run
from affilitest_gui.runs.alerting import budget_check, run_ended, send_daily_summary, summary_due
from affilitest_gui.runs.scheduled import SHARE_MARK, choose_scheduled, share_of
from affilitest_gui.session.alerts import AlertsSession
from affilitest_gui.session.batches import BatchCoordinator
from affilitest_gui.session.progress import BatchSummary

TICK_MS = int(SCHEDULE_TIMING.tick_s * 1000)


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
        repository: Repository,
        alerts: AlertsSession,
        *,
        clock: Callable[[], datetime] = utc_now,
        hold: Callable[[datetime], bool] = lambda _now: False,
        parent: QObject | None = None,
    ) -> None:
        """`hold(now)`: True while something must come before scheduled checks (the
        scheduled syncs from the network platforms, which it starts when due). The
        schedules run only while this app holds the data folder's lease (a watcher may)."""
        super().__init__(parent)
        self._hold = hold
        self._batches = batches
        self._repository = repository
        self._book = repository.offers
        self._alerts = alerts
        self._clock = clock
        self._holder = holder_name(APP)
        self._holding = False
        self.paused = False
        self._run: list[Schedule] | None = None
        self._run_offers: dict[int, Offer] = {}  # the offers of the run, by id
        self.state = SchedulerState()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        batches.finished.connect(self._run_finished)
        batches.account.changed.connect(lambda _state: self.tick())

    @property
    def share(self) -> float:
        """The share of the calls left the schedules may spend a day (kept in the
        history, so the watcher spends the same)."""
        return share_of(self._repository)

    @share.setter
    def share(self, share: float) -> None:
        self._repository.marks.set(SHARE_MARK, share)

    def now(self) -> datetime:
        return self._clock()

    def start(self) -> None:
        """Tick now (overdue offers run once) and then every half minute."""
        self._timer.start()
        self.tick()

    def stop(self) -> None:
        """Quitting: no more ticks, and the lease given back (a watcher takes over)."""
        self._timer.stop()
        self._let_go()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if paused:
            self._let_go()
        self.tick()

    def _let_go(self) -> None:
        if self._holding:
            self._repository.lease.release(self._holder)
            self._holding = False

    def _lease(self) -> Lease:
        """Take or renew the lease; returns who holds it."""
        lease = self._repository.lease.take(self._holder, APP, self._clock(),
                                            for_s=SCHEDULE_TIMING.lease_s)  # fmt: skip
        self._holding = lease.holder == self._holder
        return lease

    @property
    def _sandbox(self) -> bool:
        return self._batches.account.state.sandbox

    # --- ticking ---------------------------------------------------------------------

    @Slot()
    def tick(self) -> None:
        schedules = self._book.schedules(sandbox=self._sandbox)
        waiting = ""
        if self._run is not None:
            self._lease()  # renewed while the run goes on
        elif not (self.paused or self._batches.progress.active
                  or not self._batches.account.state.signed_in):  # fmt: skip
            lease = self._lease()
            if not self._holding:
                since = lease.since.astimezone().strftime("%H:%M")
                who = "the watcher" if lease.kind != APP else "another copy of the app"
                waiting = f"Schedules are run by {who} {lease.where()} (since {since})."
            elif self._hold(self._clock()):
                waiting = "Scheduled checks wait for the sync from the network platform."
            else:
                waiting = self._start_due()
                self._daily_summary()
        self._publish(schedules, waiting)

    def _start_due(self) -> str:
        calls_left = self._batches.account.state.calls_left
        if calls_left is None:
            return ""  # the day's share cannot be known yet
        run = choose_scheduled(self._repository, calls_left, self._clock(),
                               sandbox=self._sandbox, share=self.share)  # fmt: skip
        if run.schedules:
            self._run = run.schedules
            self._run_offers = {offer.id: offer for offer in run.offers if offer.id is not None}
            self._batches.submit_offers(run.offers, scheduled=True)
        return run.waiting

    def _daily_summary(self) -> None:
        """Once a day; not of the sandbox's demo offers."""
        now, hour = self._clock(), SCHEDULE_TIMING.daily_summary_hour
        if not self._sandbox and summary_due(self._repository, now, hour):
            send_daily_summary(self._repository, self._alerts.channels(),
                               self._batches.account.state.calls_left, now,
                               sandbox=self._sandbox)  # fmt: skip
            self._alerts.deliver()

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
        now = self._clock()
        self._book.ran(ran, now)
        note = self._turns(offers, batch)
        if note is not None:
            self.notify.emit(note)
        if not self._sandbox:  # the sandbox's calls cost nothing
            calls_left = self._batches.account.state.calls_left
            budget_check(self._repository, self._alerts.channels(), calls_left, now,
                         sandbox=False)  # fmt: skip
        self._alerts.deliver()
        self.tick()

    def _turns(self, offers: dict[int, Offer], batch: BatchSummary) -> Notification | None:
        """What broke or recovered, from the answers the run's summary carries (each
        cell's last answer in this batch; the history is not read again): posted to the
        alert channels; the whole of it is the desktop's."""
        answers = [(r.offer_ref, r.country, r.device, r.health) for r in batch.offer_checks
                   if r.offer_ref is not None]  # fmt: skip
        turns = run_ended(self._repository, offers.values(), answers)
        self._alerts.post(turns.note)
        return turns.note()
