"""Which alert channels are set up, and where their secrets come from: the environment
first (`AFFILITEST_SLACK_WEBHOOK`, `AFFILITEST_TEAMS_WEBHOOK`, `AFFILITEST_SMTP_URL`:
for servers without a keyring), else the OS keyring's entry for each channel."""

from __future__ import annotations

from collections.abc import Mapping

from affilitest_gui.alerts.channel import Channel
from affilitest_gui.alerts.mail import EmailChannel, smtp_from_url
from affilitest_gui.alerts.payloads import slack_payload, teams_payload
from affilitest_gui.alerts.webhook import WebhookChannel
from affilitest_gui.keystore import KeyStoreFor
from affilitest_gui.offers.alerts import Notification

CHANNELS = ("slack", "teams", "email")
CHANNEL_NAMES = {"slack": "Slack", "teams": "Microsoft Teams", "email": "Email"}
TEST_NOTE = Notification("Test from AffiliTest GUI",
                         "Test from AffiliTest GUI: alerts reach this channel.")  # fmt: skip
VARIABLES = {"slack": "AFFILITEST_SLACK_WEBHOOK", "teams": "AFFILITEST_TEAMS_WEBHOOK",
             "email": "AFFILITEST_SMTP_URL"}  # fmt: skip


def keyring_entry(channel: str) -> str:
    """The channel's secret's name in the OS keyring."""
    return f"alerts:{channel}"


def secret_for(channel: str, environ: Mapping[str, str],
               keystores: KeyStoreFor) -> tuple[str, str]:  # fmt: skip
    """The channel's secret and where it came from ("environment", "keyring", "" none)."""
    if environ.get(VARIABLES[channel]):
        return environ[VARIABLES[channel]].strip(), "environment"
    kept = keystores(keyring_entry(channel)).get()
    return (kept.strip(), "keyring") if kept else ("", "")


def make_channel(channel: str, secret: str) -> Channel:
    """The channel for its secret; raises UnsafeWebhook / BadSmtpSettings in words."""
    if channel == "slack":
        return WebhookChannel("slack", secret, slack_payload)
    if channel == "teams":
        return WebhookChannel("teams", secret, teams_payload)
    return EmailChannel(smtp_from_url(secret))


def configured(environ: Mapping[str, str],
               keystores: KeyStoreFor) -> dict[str, Channel]:  # fmt: skip
    """Every channel with a secret that works as written."""
    made = {}
    for channel in CHANNELS:
        secret, _ = secret_for(channel, environ, keystores)
        if secret:
            try:
                made[channel] = make_channel(channel, secret)
            except ValueError:
                continue  # said by `alerts test`, never a reason to lose the others
    return made
