"""Scrub secrets from any text that may leave the app: logs, support details, crash reports."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable

REDACTED = "[redacted]"

_AUTH_HEADER = re.compile(
    r"(?im)^(\s*['\"]?(?:authorization|cookie|set-cookie)['\"]?\s*[:=]\s*).+$"
)
_AUTH_VALUE = re.compile(r"(?i)\bAT-API\s+\S+")
_PASSWORD_FIELD = re.compile(r"(?i)\b(password|api_key|apikey|session)=([^&\s]+)")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with Authorization/Cookie values, AT-API keys and the given secrets removed."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _AUTH_VALUE.sub("AT-API " + REDACTED, text)
    return _PASSWORD_FIELD.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message, tracebacks included."""

    def __init__(self, secrets: Callable[[], Iterable[str]] = tuple) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = list(self._secrets())
        record.msg = redact(record.getMessage(), secrets)
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), secrets)
            record.exc_info = None
        return True
