"""`affilitest-offers watch`: the schedules with no window, for a machine that stays on.

Every half minute (once with `--once`, for cron or Task Scheduler) it looks at the data
folder the app uses: what waits in the outbox is delivered, the due network syncs run,
then the due offers (within the day's share of the calls left), their alerts are posted
and delivered, the auto-pause rule applies, and once a day the summary goes out. Only
while it holds the data folder's lease: an open app that runs the schedules keeps them,
and the app stays idle while the watcher holds it. Ctrl+C and SIGTERM stop it as `run`
stops (answers in flight kept, the rest left to the durable queue).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Any

from affilitest_gui.alerts.config import configured
from affilitest_gui.alerts.outbox import deliver_waiting
from affilitest_gui.api.client import DEFAULT_BASE_URL, AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.limits import API_RATE_LIMIT, DEFAULT_CONCURRENCY, SCHEDULE_TIMING
from affilitest_gui.cli import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_STOPPED,
    StopOnSignals,
    UsageError,
    check_rate_options,
    rate_for,
    read_key,
    say_stopped,
)
from affilitest_gui.history.lease import WATCHER, Lease, holder_name
from affilitest_gui.history.repository import LeaseRepository, Repository
from affilitest_gui.keystore import KeyStore, KeyStoreFor
from affilitest_gui.network_cli import connector_source, network_key
from affilitest_gui.networks.connect import connect
from affilitest_gui.networks.connections import UnusableConnection
from affilitest_gui.networks.http import NetworkError
from affilitest_gui.offers.alerts import AlertKind
from affilitest_gui.offers.schedule import next_run
from affilitest_gui.offers_run import PROG, RunSettings, auto_pause, send_offers
from affilitest_gui.runs.alerting import (
    auto_paused_note,
    budget_check,
    of_kind,
    post,
    run_ended,
    send_daily_summary,
    summary_due,
    sync_outcome,
)
from affilitest_gui.runs.network_sync import due_syncs, plan_from_platform, save_plan
from affilitest_gui.runs.planner import RunPlanner
from affilitest_gui.runs.scheduled import choose_scheduled, share_of
from affilitest_gui.service_files import SERVICES, service_text


def add_command(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser(
        "watch", help="run the schedules, network syncs and alerts with no window",
        description="Run the due schedules and network syncs of the app's data folder "
                    "with no window, post and deliver their alerts; every 30 s until "
                    "Ctrl+C or SIGTERM, or once with --once.",
    )  # fmt: skip
    watch.add_argument("--once", action="store_true",
                       help="run what is due now and exit (for cron or Task Scheduler)")
    watch.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API address")
    watch.add_argument("--print-service", choices=SERVICES,
                       help="print a ready systemd user unit, launchd agent or Windows "
                            "Task Scheduler command that keeps the watcher running")
    watch.add_argument("--limit", type=int, default=API_RATE_LIMIT.limit,
                       help=argparse.SUPPRESS)  # a test server's own limit
    watch.add_argument("--window", type=float, default=API_RATE_LIMIT.window_s,
                       help=argparse.SUPPRESS)
    watch.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                       help=argparse.SUPPRESS)  # fmt: skip


def print_service(args: argparse.Namespace, out: IO[str], environ: Mapping[str, str]) -> int:
    """`--print-service`: needs no data folder, no key."""
    out.write(service_text(args.print_service, base_url=args.base_url, environ=environ))
    return EXIT_OK


@dataclass
class Watcher:
    """One watcher on one data folder; `look` is one pass over what is due."""

    store: Repository
    args: argparse.Namespace
    out: IO[str]
    err: IO[str]
    environ: dict[str, str]
    keystore: KeyStore | None
    network_keystores: KeyStoreFor
    stop: threading.Event
    signals: StopOnSignals
    holder: str = ""
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)

    def __post_init__(self) -> None:
        self.holder = self.holder or holder_name(WATCHER)
        self._said_lease = ""

    def emit(self, line: dict[str, Any]) -> None:
        self.out.write(json.dumps(line) + "\n")
        self.out.flush()

    def channels(self) -> dict[str, Any]:
        return configured(self.environ, self.network_keystores)

    # --- the lease -------------------------------------------------------------------

    def hold(self) -> bool:
        """Take or renew the lease; say once who holds it when it is not ours."""
        lease = self.store.lease.take(self.holder, WATCHER, self.clock(),
                                      for_s=SCHEDULE_TIMING.lease_s)  # fmt: skip
        if lease.holder == self.holder:
            self._said_lease = ""
            return True
        said = _holder_sentence(lease)
        if said != self._said_lease:
            self._said_lease = said
            self.emit({"lease": lease.kind, "since": lease.since.isoformat(timespec="seconds"),
                       "said": said})  # fmt: skip
        return False

    # --- one look --------------------------------------------------------------------

    def look(self) -> int:
        """One pass; returns what `--once` exits with."""
        if not self.hold():
            return EXIT_OK
        channels = self.channels()
        delivered = deliver_waiting(self.store.alerts, channels, self.clock())
        self._sync_due(channels)
        key = read_key(self.environ, self.keystore)  # each look: a key fixed in the app is used
        client = AffiliTestClient(self.args.base_url, key, pool_size=self.args.concurrency)
        try:
            return self._check_due(client, channels, [e.state for e in delivered])
        finally:
            client.close()

    def _sync_due(self, channels: Mapping[str, Any]) -> None:
        for connection in due_syncs(self.store, self.clock()):
            if self.stop.is_set():
                return
            problem = None
            try:
                key = network_key(connection, self.environ, self.network_keystores)
                connector = connect(connection, key)
                try:
                    plan = plan_from_platform(connector, connection, self.store)
                finally:
                    connector.close()
                save_plan(plan, self.store, connection)
                self.emit({"synced": connection.platform, "summary": plan.summary})
            except (NetworkError, UnusableConnection, UsageError) as error:
                problem = str(error)
                self.store.platforms.mark_synced(connection.platform,
                                                 self.clock().isoformat(timespec="seconds"))
                self.emit({"sync_failed": connection.platform, "problem": problem})
            sync_outcome(self.store, channels, connection.platform, problem=problem,
                         now=self.clock())  # fmt: skip

    def _check_due(self, client: AffiliTestClient, channels: Mapping[str, Any],
                   delivered: list[str]) -> int:  # fmt: skip
        try:
            calls_left = client.calls_left()
        except AffiliTestError as cause:
            say_stopped(PROG, cause, [], self.err)
            self.emit({"stopped": str(cause)})
            return EXIT_STOPPED
        share = share_of(self.store)
        planner = RunPlanner(self.store)
        leftovers = planner.unfinished()
        run = choose_scheduled(self.store, calls_left, self.clock(), sandbox=False, share=share)
        status, posted, answered = EXIT_OK, 0, 0
        if run.schedules or leftovers:
            settings = RunSettings(rate_for(self.args.limit, self.args.window),
                                   self.args.concurrency)  # fmt: skip
            ran = send_offers(planner, client, leftovers, run.offers, settings, stop=self.stop,
                              signals=self.signals, out=self.out, err=self.err)  # fmt: skip
            answered = ran.answered
            self.store.offers.ran(run.schedules, self.clock())  # the rest is in the queue
            if ran.status is not None:
                return ran.status
            answers = [(r.offer_ref, r.country, r.device, r.health) for r in ran.records
                       if r.offer_ref is not None]  # fmt: skip
            turns = run_ended(self.store, run.offers, answers)
            posted += len(post(self.store, channels, turns.note, self.clock()))
            connect_to = connector_source(self.store, self.environ, self.network_keystores)
            changes = auto_pause(self.store, ran.records, self.out, self.err, connect_to)
            paused = of_kind(AlertKind.AUTO_PAUSED, auto_paused_note(changes))
            posted += len(post(self.store, channels, paused, self.clock()))
            if ran.cause is not None:
                say_stopped(PROG, ran.cause, ran.cancelled, self.err)
                status = EXIT_STOPPED
            elif ran.failing:
                status = EXIT_SOME_FAILED
            with contextlib.suppress(AffiliTestError):  # else the figure from before serves
                calls_left = client.calls_left()
        now = self.clock()
        posted += budget_check(self.store, channels, calls_left, now, sandbox=False)
        if summary_due(self.store, now, SCHEDULE_TIMING.daily_summary_hour):
            posted += send_daily_summary(self.store, channels, calls_left, now, sandbox=False)
        delivered += [e.state for e in deliver_waiting(self.store.alerts, channels, now)]
        upcoming = next_run(self.store.offers.schedules())
        self.emit({
            "offers": len(run.offers), "answered": answered, "waiting": run.waiting,
            "alerts_posted": posted, "delivered": delivered, "calls_left": calls_left,
            "next_due": upcoming.isoformat(timespec="seconds") if upcoming else None,
        })  # fmt: skip
        return status

    # --- the loop --------------------------------------------------------------------

    def run(self) -> int:
        keeper = _LeaseKeeper(self.store.lease, self.holder, self.clock, self.stop)
        keeper.start()
        try:
            while True:
                status = self._look_once()
                if self.args.once or self.stop.is_set():
                    return self.signals.exit_status if self.signals.signum else status
                self.stop.wait(SCHEDULE_TIMING.tick_s)
                if self.stop.is_set():
                    return self.signals.exit_status
        finally:
            keeper.close()
            self.store.lease.release(self.holder)

    def _look_once(self) -> int:
        try:
            return self.look()
        except UsageError:
            if self.args.once:
                raise
            self.err.write(f"{PROG}: no AffiliTest key yet; looking again in "
                           f"{SCHEDULE_TIMING.tick_s:g} s.\n")  # fmt: skip
            return EXIT_STOPPED


class _LeaseKeeper:
    """Renews the lease from a thread while a long run goes on (the loop takes it at
    each look); a lease another holds is left to it."""

    def __init__(self, lease: LeaseRepository, holder: str, clock: Callable[[], datetime],
                 stop: threading.Event) -> None:  # fmt: skip
        self._lease, self._holder, self._clock = lease, holder, clock
        self._done = threading.Event()
        self._stop = stop
        self._thread = threading.Thread(target=self._renew, name="lease", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _renew(self) -> None:
        while not self._done.wait(SCHEDULE_TIMING.renew_s):
            self._lease.take(self._holder, WATCHER, self._clock(),
                             for_s=SCHEDULE_TIMING.lease_s)  # fmt: skip

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)


def _holder_sentence(lease: Lease) -> str:
    since = lease.since.astimezone().strftime("%H:%M")
    who = "the app" if lease.kind != WATCHER else "another watcher"
    return f"Schedules are run by {who} {lease.where()} (since {since}); this watcher waits."


def watch_command(args: argparse.Namespace, store: Repository, out: IO[str], err: IO[str], *,
                  environ: dict[str, str], keystore: KeyStore | None,
                  network_keystores: KeyStoreFor) -> int:  # fmt: skip
    check_rate_options(args.limit, args.window, args.concurrency, args.base_url)
    read_key(environ, keystore)  # no key: said now, exit 2, before any lease is taken
    stop = threading.Event()
    left = f"what was not answered stays in the queue (the next look or `{PROG} run` sends it)."
    with StopOnSignals(PROG, err, left, stop) as signals:
        watcher = Watcher(store, args, out, err, environ, keystore, network_keystores,
                          stop, signals)  # fmt: skip
        return watcher.run()
