"""Start an async flow from a Qt slot; its exception goes to the crash handler, never lost."""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

_running: set[asyncio.Task[Any]] = set()


def spawn(flow: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Schedule `flow` on the qasync loop and keep it alive until it ends."""
    import asyncio  # noqa: PLC0415 - loaded with the loop, after the first paint

    task = asyncio.ensure_future(flow)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        error = task.exception()
        sys.excepthook(type(error), error, error.__traceback__)
