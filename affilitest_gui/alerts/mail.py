"""Email through SMTP: STARTTLS on 587, TLS on 465, or a plain relay on 25 that needs
no login (a password is never sent without TLS). Settings come from the app or from
one URL in the environment:
`smtp+starttls://user:password@host:587?from=a@b.example&to=c@d.example`, `smtps://...`
for TLS on 465, `smtp://host:25?from=...&to=...` for a relay."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from affilitest_gui.alerts.channel import Delivery
from affilitest_gui.alerts.payloads import email_message
from affilitest_gui.offers.alerts import Notification

SECURITY = {"smtp+starttls": "starttls", "smtps": "tls", "smtp": "none"}
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT_S = 20.0


class BadSmtpSettings(ValueError):
    """Settings that cannot work, or would send a password in the clear."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls" | "tls" | "none"
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    password: str = field(default="", repr=False)

    def problems(self) -> list[str]:
        found = []
        if not self.host:
            found.append("the SMTP host is missing")
        if self.security not in DEFAULT_PORTS:
            found.append("the security is STARTTLS, TLS or none")
        if not self.sender or "@" not in self.sender:
            found.append("the sender (from) is an email address")
        if not self.recipients or any("@" not in r for r in self.recipients):
            found.append("the recipients (to) are email addresses")
        if self.security == "none" and (self.user or self.password):
            found.append("a password is never sent without TLS: use STARTTLS or TLS")
        return found


def smtp_from_url(url: str) -> SmtpSettings:
    """AFFILITEST_SMTP_URL as settings; BadSmtpSettings says what is wrong (never the
    password)."""
    parts = urlsplit(url.strip())
    security = SECURITY.get(parts.scheme)
    if security is None:
        raise BadSmtpSettings("the SMTP URL starts with smtp+starttls://, smtps:// or smtp://")
    query = parse_qs(parts.query)
    recipients = tuple(r.strip() for value in query.get("to", []) for r in value.split(","))
    settings = SmtpSettings(
        host=parts.hostname or "", port=parts.port or DEFAULT_PORTS[security],
        security=security, sender=(query.get("from") or [""])[0],
        recipients=tuple(r for r in recipients if r), user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )  # fmt: skip
    problems = settings.problems()
    if problems:
        raise BadSmtpSettings("; ".join(problems))
    return settings


def smtp_url(settings: SmtpSettings) -> str:
    """The settings as one URL (what the keyring keeps, as AFFILITEST_SMTP_URL would be);
    BadSmtpSettings says what is wrong first."""
    problems = settings.problems()
    if problems:
        raise BadSmtpSettings("; ".join(problems))
    scheme = next(name for name, security in SECURITY.items() if security == settings.security)
    login = ""
    if settings.user:
        login = f"{quote(settings.user, safe='')}:{quote(settings.password, safe='')}@"
    query = urlencode({"from": settings.sender, "to": ",".join(settings.recipients)})
    return f"{scheme}://{login}{settings.host}:{settings.port}?{query}"


@dataclass
class EmailChannel:
    settings: SmtpSettings = field(repr=False)
    name: str = "email"

    def deliver(self, note: Notification) -> Delivery:
        s = self.settings
        message = email_message(note, s.sender, list(s.recipients))
        context = ssl.create_default_context()
        try:
            if s.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT_S,
                                                        context=context)  # fmt: skip
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_S)
            with client:
                if s.security == "starttls":
                    client.starttls(context=context)
                if s.user and s.security != "none":
                    client.login(s.user, s.password)
                refused = client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            return Delivery(self.name, False, f"not sent ({_words(error)})")
        if refused:
            return Delivery(self.name, False, f"refused for {', '.join(sorted(refused))}")
        return Delivery(self.name, True, f"accepted by {s.host} for "
                                         f"{', '.join(s.recipients)}")  # fmt: skip


def _words(error: BaseException) -> str:
    """An SMTP error's code and words, without anything we sent."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)  # fmt: skip
        return f"{error.smtp_code} {text}"
    return type(error).__name__
