"""`affilitest-offers alerts test slack|teams|email` and `alerts log`: the alert
channels from scripts, on the app's database (its outbox and alert log)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import IO

from affilitest_gui.alerts.config import CHANNELS, VARIABLES, SecretStore, make_channel, secret_for
from affilitest_gui.alerts.mail import BadSmtpSettings
from affilitest_gui.alerts.webhook import UnsafeWebhook
from affilitest_gui.cli import EXIT_OK, EXIT_SOME_FAILED, EXIT_STOPPED
from affilitest_gui.history.repository import Repository
from affilitest_gui.offers.alerts import Notification

TEST_NOTE = Notification("Test from AffiliTest GUI",
                         "Test from AffiliTest GUI: alerts reach this channel.")  # fmt: skip


def add_commands(commands: argparse._SubParsersAction) -> None:
    alerts = commands.add_parser("alerts", help="the alert channels: a test, the alert log")
    verbs = alerts.add_subparsers(dest="alerts_command", required=True)
    test = verbs.add_parser("test", help="send a test and print what the server answered")
    test.add_argument("channel", choices=CHANNELS)
    verbs.add_parser("log", help="every alert's outcome, one JSON line each")


def run_command(args: argparse.Namespace, store: Repository, out: IO[str], *,
                environ: dict[str, str],
                keystores: Callable[[str], SecretStore]) -> int:  # fmt: skip
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
