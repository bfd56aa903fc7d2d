"""`affilitest-offers`: the watch list from scripts, on the app's engine and database.

    affilitest-offers import FILE [--dry-run]
    affilitest-offers list [--copy]
    affilitest-offers run [--base-url URL] [--only broken|changed|all]
    affilitest-offers sync affise|everflow|hasoffers [--base-url URL] [--network-id ID]
                           [--partner ID] [--tracking-domain HOST] [--dry-run]
    affilitest-offers pause|resume OFFER_ID... [--yes]
    affilitest-offers audit
    affilitest-offers alerts test slack|teams|email | alerts log
    affilitest-offers schedule OFFER_ID... | --all --every 1|4|8|24|off
    affilitest-offers watch [--once] [--base-url URL] [--print-service systemd|launchd|windows]

The database is the app's ($AFFILITEST_DATA_DIR overrides the folder); the key comes
from $AFFILITEST_API_KEY or the key saved by the app, never from a flag.
Exit status: 0 all ok or warning, 1 some broken or not checked, 2 usage error or a
batch stopped on an auth/budget error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from affilitest_gui import __version__, monitor_cli, network_cli, watch_cli
from affilitest_gui.alerts.config import configured
from affilitest_gui.alerts.outbox import deliver_waiting
from affilitest_gui.api.client import DEFAULT_BASE_URL, AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.limits import API_RATE_LIMIT, DEFAULT_CONCURRENCY
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
from affilitest_gui.history.moving import move_roaming_history
from affilitest_gui.history.offer_book import OfferStatus
from affilitest_gui.history.offers_export import export_offers
from affilitest_gui.history.problems import (
    STORAGE_ERRORS,
    DatabaseError,
    StorageProblem,
    problem_sentence,
    storage_problem,
)
from affilitest_gui.history.repository import Repository, TimelineRepository
from affilitest_gui.history.rescue import NothingReadableError, readable_copy
from affilitest_gui.history.store import HistoryStore, NewerDatabaseError
from affilitest_gui.judging.expectations import expectations_text
from affilitest_gui.judging.health import Health
from affilitest_gui.keystore import KeyStore, KeyStoreFor, keystore_for
from affilitest_gui.offers.choice import OFFER_FILTERS, OfferChoice
from affilitest_gui.offers.importing import (
    ImportFileError,
    guess_mapping,
    plan_import,
    read_table,
)
from affilitest_gui.offers_run import PROG, RunSettings, auto_pause, send_offers
from affilitest_gui.paths import NetworkFolderError, data_dir, history_path
from affilitest_gui.runs.planner import RunPlanner, calls_for
from affilitest_gui.words import plural

NETWORK_COMMANDS = ("sync", "pause", "resume", "audit", "auto-pause")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The offers watch list of AffiliTest GUI, from scripts: the same "
        "database and engine as the app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="add or update offers from a file")
    importing.add_argument("file", type=Path, help="CSV, TSV or XLSX with a header row")
    importing.add_argument("--dry-run", action="store_true", help="say what, save nothing")
    listing = commands.add_parser("list", help="one JSON line per offer")
    listing.add_argument("--copy", action="store_true",
                         help="list from a copy of what can be read, for a history file that "
                              "is damaged or locked (the file is not changed)")  # fmt: skip
    exporting = commands.add_parser(
        "export", help="write the offers, cell by cell, as the app's Export does"
    )
    exporting.add_argument("file", type=Path, help="FILE.xlsx or FILE.csv")
    exporting.add_argument("--only", choices=[c.value for c in OFFER_FILTERS], default="all",
                           help="every offer, those broken now, or those changed at the "
                                "last run")  # fmt: skip
    run = commands.add_parser("run", help="check offers; one JSON line per check")
    run.add_argument("--base-url", default=DEFAULT_BASE_URL, help="API address")
    run.add_argument("--only", choices=[c.value for c in OfferChoice], default="all",
                     help="every offer, those broken now, those changed at the last run, or "
                          "only the checks a killed run left (which every run finishes first)")
    run.add_argument("--limit", type=int, default=API_RATE_LIMIT.limit, help="calls per window")
    run.add_argument("--window", type=float, default=API_RATE_LIMIT.window_s,
                     help="rate window in seconds")
    run.add_argument("--discard-unfinished", action="store_true",
                     help="log the checks a stopped run left as not checked instead of "
                          "sending them")  # fmt: skip
    run.add_argument("--yes", action="store_true",
                     help="send even when the run needs more calls than are left (the first "
                          "refusal stops it); without it such a run asks, or exits 2")  # fmt: skip
    run.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                     help="calls in flight at once")  # fmt: skip
    network_cli.add_commands(commands)
    monitor_cli.add_commands(commands)
    watch_cli.add_command(commands)
    return parser


def offer_line(status: OfferStatus, timeline: TimelineRepository) -> dict[str, Any]:
    """An offer as `list` prints it; `since_ok`: what changed since its first broken cell
    last worked (null when nothing is broken, or it never worked)."""
    offer, health = status.offer, status.health
    broken = sorted(cell for cell, result in status.latest.items()
                    if result.health is Health.BROKEN)  # fmt: skip
    found = timeline.since_ok_of(offer.id, broken) if broken and offer.id is not None else None
    return {
        "id": offer.id,
        "offer_id": offer.offer_id,
        "name": offer.name,
        "url": offer.url,
        "countries": list(offer.countries),
        "devices": list(offer.devices),
        "expect": expectations_text(offer.expects),
        "health": health.value if health else None,
        "changed": status.changed,
        "last_checked": status.last_checked or None,
        "source": offer.source or None,
        "platform_status": offer.platform_status or None,
        "since_ok": found.as_json() if found else None,
    }


def import_offers(store: Repository, path: Path, *, dry_run: bool) -> dict[str, Any]:
    table = read_table(path)
    if not table:
        raise ImportFileError(f"{path.name} has no rows.")
    plan = plan_import(table, guess_mapping(table[0]))
    offers = [offer for _, offer in plan.offers]
    if dry_run:
        updated = sum(store.offers.match(offer) is not None for offer in offers)
        counts = {"imported": len(offers) - updated, "updated": updated}
    else:
        merged = store.offers.merge(offers, present=plan.present)
        counts = {"imported": merged.imported, "updated": merged.updated}
    return {
        "rows": plan.rows,
        **counts,
        "skipped": [{"row": skip.row, "reason": skip.reason, "rows": skip.rows}
                    for skip in plan.skipped],
        "notes": list(plan.notes),
    }


def run(
    argv: list[str] | None = None,
    *,
    stdout: IO[str] = sys.stdout,
    stderr: IO[str] = sys.stderr,
    environ: dict[str, str] | None = None,
    keystore: KeyStore | None = None,
    network_keystores: KeyStoreFor = keystore_for,
) -> int:
    """The whole command; returns the exit status. `keystore`: the AffiliTest key's;
    `network_keystores`: a platform key's store by its keyring entry (tests)."""
    args = build_parser().parse_args(argv)
    environ = dict(os.environ) if environ is None else environ
    if getattr(args, "print_service", None):
        return watch_cli.print_service(args, stdout, environ)
    move_roaming_history(data_dir())  # Windows: once, from the Roaming folder of before
    path = history_path()
    copy = None
    try:
        if getattr(args, "copy", False):
            writable = os.access(path.parent, os.W_OK)  # else the copy goes to a temp folder
            copy = readable_copy(path, None if writable else Path(tempfile.mkdtemp()))
        store = open_store(path if copy is None else copy.path, listing=args.command == "list")
    except NetworkFolderError as error:
        stderr.write(f"{PROG}: {error}\n")
        return EXIT_STOPPED
    except NewerDatabaseError as error:
        stderr.write(f"{PROG}: {error}\n")
        return EXIT_STOPPED
    except NothingReadableError:
        stderr.write(f"{PROG}: nothing in the history file {path} can be read.\n")
        return EXIT_STOPPED
    except STORAGE_ERRORS as error:  # damaged, locked, or a folder not writable
        problem = storage_problem(error, path.parent)
        if problem in (StorageProblem.READ_ONLY, StorageProblem.FULL) or not isinstance(
            error, DatabaseError
        ):
            stderr.write(f"{PROG}: {problem_sentence(problem, path, error)}\n")
            return EXIT_STOPPED
        stderr.write(f"{PROG}: the history file {path} cannot be read ({error}). It was not "
                     f"changed. `{PROG} list --copy` lists the offers from a copy of what "
                     "can be read.\n")  # fmt: skip
        return EXIT_STOPPED
    try:
        if args.command in ("alerts", "schedule"):
            return monitor_cli.run_command(
                args, store, stdout, environ=environ,
                keystores=network_keystores,
            )  # fmt: skip
        if args.command == "watch":
            return watch_cli.watch_command(
                args, store, stdout, stderr, environ=environ, keystore=keystore,
                network_keystores=network_keystores,
            )  # fmt: skip
        if args.command in NETWORK_COMMANDS:
            return network_cli.run_command(
                args, store, stdout, stderr, environ=environ,
                keystores=network_keystores,
            )  # fmt: skip
        return _command(args, store, stdout, stderr, environ=environ, keystore=keystore,
                        network_keystores=network_keystores)  # fmt: skip
    except (UsageError, ImportFileError) as error:
        stderr.write(f"{PROG}: {error}\n")
        return EXIT_STOPPED
    except DatabaseError as error:  # a damaged page past what opening reads, or not
        problem = storage_problem(error)
        if problem is not StorageProblem.DAMAGED:  # full, in use, read-only: no damage
            stderr.write(f"{PROG}: {problem_sentence(problem, path, error)}\n")
            return EXIT_STOPPED
        store.mark_damaged()
        stderr.write(f"{PROG}: part of the history file {path} cannot be read ({error}). "
                     f"`{PROG} list --copy` lists the offers from a copy of what can be "
                     "read.\n")  # fmt: skip
        return EXIT_STOPPED
    finally:
        store.close()
        if copy is not None:
            copy.discard()


def _command(args: argparse.Namespace, store: Repository, stdout: IO[str], stderr: IO[str],
             *, environ: dict[str, str], keystore: KeyStore | None,
             network_keystores: KeyStoreFor) -> int:  # fmt: skip
    if args.command == "import":
        stdout.write(json.dumps(import_offers(store, args.file, dry_run=args.dry_run)) + "\n")
        return EXIT_OK
    if args.command == "list":
        for status in store.offers.statuses():
            stdout.write(json.dumps(offer_line(status, store.timeline)) + "\n")
        return EXIT_OK
    if args.command == "export":
        return export_command(store, args.file, OfferChoice(args.only), stdout)
    check_rate_options(args.limit, args.window, args.concurrency, args.base_url)
    key = read_key(environ, keystore)
    client = AffiliTestClient(args.base_url, key, pool_size=args.concurrency)
    deliver_waiting(store.alerts, configured(environ, network_keystores),
                    datetime.now(timezone.utc))  # alerts a past run could not deliver: first
    planner = RunPlanner(store)
    leftovers = planner.unfinished()
    if args.discard_unfinished and leftovers:
        closed = planner.discard(leftovers)
        stderr.write(f"{PROG}: {plural(closed, 'check')} left by a run that stopped "
                     "logged as not checked (no call).\n")  # fmt: skip
        leftovers = []
    statuses = OfferChoice(args.only).pick(store.offers.statuses())
    planned = len(leftovers) + calls_for(s.offer for s in statuses)
    if not afford(client, planned, yes=args.yes, err=stderr):
        return EXIT_STOPPED
    rate = rate_for(args.limit, args.window)
    left = f"what was not answered stays in the queue (`{PROG} run --only unfinished`)."
    stop = threading.Event()  # set by a signal, or by an answer that cannot be stored
    with StopOnSignals(PROG, stderr, left, stop) as signals:
        ran = send_offers(planner, client, leftovers, [s.offer for s in statuses],
                          RunSettings(rate, args.concurrency), stop=stop, signals=signals,
                          out=stdout, err=stderr)  # fmt: skip
    if ran.status is not None:
        return ran.status
    auto_pause(store, ran.records, stdout, stderr,
               network_cli.connector_source(store, environ, network_keystores))  # fmt: skip
    if ran.cause is not None:
        say_stopped(PROG, ran.cause, ran.cancelled, stderr)
        return EXIT_STOPPED
    return EXIT_SOME_FAILED if ran.failing else EXIT_OK


def export_command(store: Repository, path: Path, only: OfferChoice, out: IO[str]) -> int:
    """`export`: the file the app's Export writes for the same offers; one JSON line."""
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError(f"{path.name}: the file must end in .xlsx or .csv")
    statuses = only.pick(store.offers.statuses())
    try:
        rows = export_offers(statuses, path)
    except OSError as error:
        why = error.strerror or str(error)
        if isinstance(error, PermissionError):
            why = "it is open in another program, or the folder cannot be written to"
        raise UsageError(f"cannot write {path}: {why}") from None
    out.write(json.dumps({"file": str(path), "offers": len(statuses), "rows": rows}) + "\n")
    return EXIT_OK


def afford(client: AffiliTestClient, planned: int, *, yes: bool, err: IO[str]) -> bool:
    """A run bigger than the calls left asks first, as the app does: at a terminal, a
    question; from a script, exit 2 unless --yes. The calls left unknown: it runs."""
    if yes or planned == 0:
        return True
    try:
        left = client.calls_left()
    except AffiliTestError:
        return True  # the run's first call will say what is wrong, once
    if left is None or planned <= left:
        return True
    said = (f"this run needs {planned:,} calls and {left:,} are left: the checks past "
            "them would be refused")  # fmt: skip
    if sys.stdin is not None and sys.stdin.isatty():
        err.write(f"{PROG}: {said}. Send anyway (the first refusal stops the run)? [y/N] ")
        err.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    err.write(f"{PROG}: {said}; run with --yes to send anyway (the first refusal stops "
              "the run).\n")  # fmt: skip
    return False


def open_store(path: Path, *, listing: bool) -> HistoryStore:
    """The history; for a listing, in a folder this user cannot write, read-only."""
    try:
        return HistoryStore(path)
    except STORAGE_ERRORS as error:
        if not listing or storage_problem(error) is not StorageProblem.READ_ONLY:
            raise
        return HistoryStore(path, read_only=True)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
