"""A run's notification as each channel carries it: Slack's `text` plus blocks, an
Adaptive Card in the Teams Workflows envelope, and an email with plain text, a simple
HTML table and a subject naming the counts. Pure functions, no I/O."""

from __future__ import annotations

import html
from email.message import EmailMessage
from typing import Any

from affilitest_gui.offers.alerts import Notification, Severity

PRODUCT = "AffiliTest GUI"
CARD_VERSION = "1.4"  # what Teams' Workflows render


def _sentences(note: Notification) -> list[str]:
    """The notification's text, one sentence a line ("3 offers broke: ...")."""
    parts = [part.strip() for part in note.text.split(". ") if part.strip()]
    return [part if part.endswith(".") else f"{part}." for part in parts]


def slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions ("<!channel>" pings everyone): an offer's
    name from a network's export is text, so &, < and > are escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(note: Notification) -> dict[str, Any]:
    """`text` is the fallback every client shows; the blocks are the message."""
    mark = ":red_circle:" if note.severity is Severity.WARNING else ":large_green_circle:"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": note.title[:150]}},
    ]
    blocks += [{"type": "section",
                "text": {"type": "mrkdwn", "text": f"{mark} {slack_escape(line)}"}}
               for line in _sentences(note)]  # fmt: skip
    blocks.append({"type": "context",
                   "elements": [{"type": "mrkdwn", "text": f"Sent by {PRODUCT}"}]})  # fmt: skip
    return {"text": slack_escape(note.text), "blocks": blocks}  # it starts with the title


def teams_escape(text: str) -> str:
    """A TextBlock reads markdown: "[Fix](https://x)" in an offer's name would be a link.
    An invisible space between "]" and "(" keeps it text."""
    return text.replace("](", "]\u200b(")


def teams_payload(note: Notification) -> dict[str, Any]:
    """The Workflows webhook's envelope around an Adaptive Card."""
    color = "Attention" if note.severity is Severity.WARNING else "Good"
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": teams_escape(note.title), "weight": "Bolder",
         "size": "Medium",
         "color": color, "wrap": True},
    ]  # fmt: skip
    body += [{"type": "TextBlock", "text": teams_escape(line), "wrap": True}
             for line in _sentences(note)]  # fmt: skip
    body.append({"type": "TextBlock", "text": f"Sent by {PRODUCT}", "isSubtle": True,
                 "size": "Small"})  # fmt: skip
    card = {"type": "AdaptiveCard", "version": CARD_VERSION, "body": body,
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json"}  # fmt: skip
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}


def email_message(note: Notification, sender: str, recipients: list[str]) -> EmailMessage:
    """Plain text, and a simple HTML table of the same lines; the subject says the counts."""
    message = EmailMessage()
    message["Subject"] = f"{PRODUCT}: {note.title}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    lines = _sentences(note)
    message.set_content("\n".join([note.title, "", *lines, "", f"Sent by {PRODUCT}."]))
    rows = "".join(f"<tr><td>{html.escape(line)}</td></tr>" for line in lines)
    message.add_alternative(
        f"<html><body><h3>{html.escape(note.title)}</h3>"
        f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">{rows}</table>"
        f"<p><small>Sent by {PRODUCT}.</small></p></body></html>",
        subtype="html",
    )
    return message
