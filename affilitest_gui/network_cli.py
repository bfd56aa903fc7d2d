"""`affilitest-offers sync | pause | resume | audit`: the watch list and the network
platforms, from scripts, on the app's database and the same run path as the app.

The platform's key comes from $AFFILITEST_NETWORK_KEY or the OS keyring (the entry
named by the connection), never from a flag; a connection is saved by `sync` (no key in
it), so `pause`, `resume` and later syncs reuse it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from dataclasses import replace
from typing import IO

from affilitest_gui.cli import EXIT_OK, EXIT_STOPPED, UsageError
from affilitest_gui.history.platform_book import audit_row
from affilitest_gui.history.repository import Repository
from affilitest_gui.keystore import KeyStoreFor
from affilitest_gui.networks.connect import connect
from affilitest_gui.networks.connections import (
    KEY_VARIABLE,
    PLATFORM_NAMES,
    PLATFORMS,
    Connection,
    UnusableConnection,
)
from affilitest_gui.networks.connector import Connector
from affilitest_gui.networks.http import NetworkError
from affilitest_gui.runs.network_sync import (
    PAUSE,
    RESUME,
    change_status,
    plan_from_platform,
    save_plan,
)


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The network commands, on `affilitest-offers`'s parser."""
    sync = commands.add_parser("sync", help="bring the offers in from a network platform")
    sync.add_argument("platform", choices=PLATFORMS)
    sync.add_argument("--base-url", default="", help="the platform's API address (Affise: "
                      "https://api-<tenant>.affise.com)")  # fmt: skip
    sync.add_argument("--network-id", default="", help="HasOffers' network ID")
    sync.add_argument("--partner", default="",
                      help="test affiliate ID: check the link an affiliate clicks (without "
                           "it, the offer's destination URL)")  # fmt: skip
    sync.add_argument("--tracking-domain", default="",
                      help="Affise: the host affiliates' links are built on")  # fmt: skip
    sync.add_argument("--every-status", action="store_true",
                      help="take paused, stopped... offers too (default: active ones)")  # fmt: skip
    sync.add_argument("--dry-run", action="store_true", help="say what, save nothing")
    for name, verb in ((PAUSE, "pause"), (RESUME, "re-activate")):
        command = commands.add_parser(name, help=f"{verb} offers in their network platform")
        command.add_argument("offer_ids", nargs="+", metavar="OFFER_ID",
                             help="the watch list's offer IDs (affise:123, ...)")  # fmt: skip
        command.add_argument("--yes", action="store_true", help="write; without it, say "
                             "what would happen and write nothing")  # fmt: skip
    commands.add_parser("audit", help="every write to a platform, one JSON line each")
    rule = commands.add_parser("auto-pause", help="the rule that pauses offers broken N runs "
                               "in a row in their platform (off by default)")  # fmt: skip
    switch = rule.add_mutually_exclusive_group()
    switch.add_argument("--on", action="store_true", help="turn the rule on")
    switch.add_argument("--off", action="store_true", help="turn the rule off")
    rule.add_argument("--after", type=int, help="broken runs in a row (default 3)")
    rule.add_argument("--cells", type=int, help="broken cells for a run to count (default 1)")
    rule.add_argument("--daily-cap", type=int, help="auto-pauses a day at most (default 10)")
    rule.add_argument("--never", nargs="+", default=[], metavar="OFFER_ID",
                      help="offers the rule must leave alone")  # fmt: skip
    rule.add_argument("--allow", nargs="+", default=[], metavar="OFFER_ID",
                      help="offers the rule may pause again")  # fmt: skip


def run_command(args: argparse.Namespace, store: Repository, out: IO[str], err: IO[str], *,
                environ: dict[str, str], keystores: KeyStoreFor) -> int:  # fmt: skip
    """One of the network commands; the exit status."""
    try:
        if args.command == "sync":
            return _sync(args, store, out, environ, keystores)
        if args.command == "audit":
            for entry in store.platforms.audit():
                out.write(json.dumps(audit_row(entry)) + "\n")
            return EXIT_OK
        if args.command == "auto-pause":
            return _rule(args, store, out)
        return _change(args, store, out, environ, keystores)
    except NetworkError as error:  # a refused key, a platform out of reach: one sentence
        err.write(f"affilitest-offers: {error}\n")
        return EXIT_STOPPED
    except UnusableConnection as error:
        raise UsageError(str(error)) from None


def network_key(connection: Connection, environ: dict[str, str], keystores: KeyStoreFor) -> str:
    key = environ.get(KEY_VARIABLE) or keystores(connection.keyring_account).get()
    if not key:
        raise UsageError(f"no key for {connection.name}: set {KEY_VARIABLE}, or save it in "
                         "the OS keyring as AffiliTest GUI's Account -> Networks does "
                         "(a key is never taken from the command line)")  # fmt: skip
    return key.strip()


def _rule(args: argparse.Namespace, store: Repository, out: IO[str]) -> int:
    """Show, and with options change, the auto-pause rule; one JSON line."""
    rule = store.platforms.pause_rule()
    changes = {"broken_runs": args.after, "min_cells": args.cells, "daily_cap": args.daily_cap}
    rule = replace(rule, **{name: value for name, value in changes.items() if value is not None})
    if args.on or args.off:
        rule = replace(rule, enabled=bool(args.on))
    problems = rule.problems()
    if problems:
        raise UsageError("; ".join(problems))
    offers = {offer.offer_id: offer for offer in store.offers.all()}
    for names, never in ((args.never, True), (args.allow, False)):
        for name in names:
            if name not in offers or offers[name].id is None:
                raise UsageError(f"no offer {name!r} on the watch list")
            store.offers.set_never_auto_pause(offers[name].id, never)  # type: ignore[arg-type]
    store.platforms.save_pause_rule(rule)
    never = sorted(o.offer_id for o in offers.values() if o.id in store.offers.never_auto_pause())
    out.write(json.dumps({"rule": dataclasses.asdict(rule), "never": never}) + "\n")
    return EXIT_OK


def connector_source(store: Repository, environ: dict[str, str],
                     keystores: KeyStoreFor) -> Callable[[str], Connector]:  # fmt: skip
    """A platform's connector from its saved connection and key."""

    def connect_to(platform: str) -> Connector:
        connection = store.platforms.connection(platform)
        if connection is None:
            raise UsageError(f"no {PLATFORM_NAMES[platform]} connection: run "
                             f"`affilitest-offers sync {platform}` first")  # fmt: skip
        return connect(connection, network_key(connection, environ, keystores))

    return connect_to


def _sync(args: argparse.Namespace, store: Repository, out: IO[str],
          environ: dict[str, str], keystores: KeyStoreFor) -> int:  # fmt: skip
    saved = store.platforms.connection(args.platform)
    given = {"base_url": args.base_url, "network_id": args.network_id,
             "partner": args.partner, "tracking_domain": args.tracking_domain}  # fmt: skip
    connection = replace(saved or Connection(args.platform),
                         **{name: value for name, value in given.items() if value})  # fmt: skip
    if args.every_status:
        connection = replace(connection, every_status=True)
    connector = connect(connection, network_key(connection, environ, keystores))
    try:
        plan = plan_from_platform(connector, connection, store)
    finally:
        connector.close()
    for entry in plan.entries:
        out.write(json.dumps({
            "offer_id": entry.offer.offer_id if entry.offer else entry.source,
            "source": entry.source, "action": entry.action.value, "reason": entry.reason,
            "url": entry.url,
        }) + "\n")  # fmt: skip
    out.write(json.dumps({"summary": plan.summary}) + "\n")
    if not args.dry_run:
        save_plan(plan, store, connection)
    return EXIT_OK


def _change(args: argparse.Namespace, store: Repository, out: IO[str],
            environ: dict[str, str], keystores: KeyStoreFor) -> int:  # fmt: skip
    offers = {offer.offer_id: offer for offer in store.offers.all()}
    offers.update({offer.source: offer for offer in offers.values() if offer.source})
    found = list({offers[name].id: offers[name] for name in args.offer_ids if name in offers}
                 .values())  # fmt: skip

    connect_to = connector_source(store, environ, keystores)
    changes = change_status(found, args.command, store, connect_to, dry_run=not args.yes)
    by_name = {name: change for change in changes
               for name in (change.offer.offer_id, change.offer.source)}  # fmt: skip
    for name in dict.fromkeys(args.offer_ids):  # in the order asked, once each
        change = by_name.get(name)
        line = {"offer_id": name, "source": "", "result": "not synced",
                "message": "no offer with this ID on the watch list"}  # fmt: skip
        if change is not None:
            line = {"offer_id": change.offer.offer_id, "source": change.offer.source,
                    "result": change.result, "message": change.message}  # fmt: skip
        out.write(json.dumps(line) + "\n")
    return EXIT_OK
