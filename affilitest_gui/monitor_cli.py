"""Monitoring from scripts, on the app's database: `affilitest-offers alerts test
slack|teams|email`, `alerts log` (the outbox's outcomes) and `schedule` (offers that
check themselves)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import IO

from affilitest_gui.alerts.config import CHANNELS, TEST_NOTE, VARIABLES, make_channel, secret_for
from affilitest_gui.alerts.mail import BadSmtpSettings
from affilitest_gui.alerts.webhook import UnsafeWebhook
from affilitest_gui.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_STOPPED, UsageError
from affilitest_gui.history.repository import Repository
from affilitest_gui.keystore import KeyStoreFor
from affilitest_gui.offers.schedule import INTERVALS_H


def add_commands(commands: argparse._SubParsersAction) -> None:
    alerts = commands.add_parser("alerts", help="the alert channels: a test, the alert log")
    verbs = alerts.add_subparsers(dest="alerts_command", required=True)
    test = verbs.add_parser("test", help="send a test and print what the server answered")
    test.add_argument("channel", choices=CHANNELS)
    verbs.add_parser("log", help="every alert's outcome, one JSON line each")
    schedule = commands.add_parser("schedule", help="check offers every 1, 4, 8 or 24 hours "
                                   "(a new schedule is due at once), or no longer")  # fmt: skip
    which = schedule.add_mutually_exclusive_group(required=True)
    which.add_argument("offer_ids", nargs="*", default=[], metavar="OFFER_ID")
    which.add_argument("--all", action="store_true", help="every offer on the watch list")
    schedule.add_argument("--every", required=True,
                          choices=[*(str(hours) for hours in INTERVALS_H), "off"])  # fmt: skip


def schedule_command(args: argparse.Namespace, store: Repository, out: IO[str]) -> int:
    """`schedule`: one JSON line per offer, its interval and when it is due next."""
    offers = store.offers.all()
    by_id = {offer.offer_id: offer for offer in offers}
    missing = [name for name in args.offer_ids if name not in by_id]
    if missing:
        raise UsageError(f"no offer {', '.join(map(repr, missing))} on the watch list")
    chosen = offers if args.all else [by_id[name] for name in dict.fromkeys(args.offer_ids)]
    every = None if args.every == "off" else int(args.every)
    store.offers.set_schedule([o.id for o in chosen if o.id is not None], every,
                              datetime.now(timezone.utc))  # fmt: skip
    due = {schedule.offer_ref: schedule for schedule in store.offers.schedules()}
    for offer in chosen:
        schedule = due.get(offer.id)
        out.write(json.dumps({
            "offer_id": offer.offer_id, "every_h": schedule.every_h if schedule else None,
            "next_due": schedule.next_due.isoformat(timespec="seconds") if schedule else None,
        }) + "\n")  # fmt: skip
    return EXIT_OK


def run_command(args: argparse.Namespace, store: Repository, out: IO[str], *,
                environ: dict[str, str],
                keystores: KeyStoreFor) -> int:  # fmt: skip
    if args.command == "schedule":
        return schedule_command(args, store, out)
    if args.alerts_command == "log":
        for entry in store.alerts.log():
            out.write(json.dumps({"time": entry.at, "channel": entry.channel,
                                  "state": entry.state, "summary": entry.summary,
                                  "answer": entry.answer}) + "\n")  # fmt: skip
        return EXIT_OK
    channel = args.channel
    secret, source = secret_for(channel, environ, keystores)
    if not secret:
        out.write(json.dumps({"channel": channel, "sent": False,
                              "answer": f"not set up: set {VARIABLES[channel]}, or set it "
                                        "up in the app (Settings -> Alerts)"}) + "\n")  # fmt: skip
        return EXIT_STOPPED
    try:
        delivery = make_channel(channel, secret).deliver(TEST_NOTE)
    except (UnsafeWebhook, BadSmtpSettings) as error:
        out.write(json.dumps({"channel": channel, "sent": False, "answer": str(error),
                              "from": source}) + "\n")  # fmt: skip
        return EXIT_STOPPED
    out.write(json.dumps({"channel": channel, "sent": delivery.sent, "answer": delivery.answer,
                          "from": source}) + "\n")  # fmt: skip
    return EXIT_OK if delivery.sent else EXIT_SOME_FAILED
