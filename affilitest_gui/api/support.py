"""'Copy details for support': a plain-text report of one failure, with secrets removed."""

from __future__ import annotations

import platform
from collections.abc import Iterable

from affilitest_gui import __version__
from affilitest_gui.api.catalog import describe
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.redaction import redact
from affilitest_gui.api.vendor import SUPPORT_CONTACT


def support_report(
    error: AffiliTestError,
    *,
    context: str = "",
    secrets: Iterable[str] = (),
) -> str:
    """Time, endpoint, status, the server's message and the app version, redacted."""
    explained = describe(error)
    lines = [
        "AffiliTest GUI - details for support",
        f"Support contact: {SUPPORT_CONTACT}",
        f"Time (UTC):      {error.at.isoformat(timespec='seconds')}",
        f"Endpoint:        {error.endpoint or '-'}",
        f"HTTP status:     {error.status if error.status is not None else '-'}",
        f"Failure:         {error.kind} / {explained.entry.key}",
        f"Server message:  {error.server_message}",
        f"Request sent:    {'yes' if error.sent else 'no'}",
        f"App version:     {__version__}",
        f"System:          {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "Authorization:   [redacted]",
    ]
    if context:
        lines.append(f"Context:         {context}")
    return redact("\n".join(lines), secrets)
