"""Small helpers for the words the app says."""

from __future__ import annotations

from datetime import datetime


def short_time(moment: datetime | str) -> str:
    """A moment as this computer's clock says it, short: "Dec 1, 09:00" (a stamp that
    cannot be read is said as it is)."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
    local = moment.astimezone()
    return f"{local:%b} {local.day}, {local:%H:%M}"


def plural(count: int, word: str) -> str:
    """"1 check", "1,200 checks"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
