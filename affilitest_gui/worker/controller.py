"""WorkerController: the GUI thread's handle on the ApiWorker and its QThread.

Requests go to the worker through queued signals; one-off calls come back as one
CallOutcome each (result or error), awaited with `await controller.call(...)` under
qasync or delivered to a callback. Shutdown is bounded: the app quits within 2 s.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from affilitest_gui.api.errors import UnexpectedError
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.worker.api_worker import ApiWorker
from affilitest_gui.worker.calls import CallKind, CallOutcome, CallRequest

SHUTDOWN_WAIT_MS = 1500
log = logging.getLogger(__name__)


class WorkerController(QObject):
    """Owns the worker thread; lives on the GUI thread."""

    _submit = Signal(object)
    _pause = Signal()
    _resume = Signal()
    _cancel = Signal(object)
    _set_key = Signal(object)
    _set_base_url = Signal(str)
    _run_call = Signal(object)
    _shutdown = Signal()

    def __init__(self, worker: ApiWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("affilitest-worker")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.start)
        queued = Qt.ConnectionType.QueuedConnection
        self._submit.connect(worker.submit, queued)
        self._pause.connect(worker.pause, queued)
        self._resume.connect(worker.resume, queued)
        self._cancel.connect(worker.cancel, queued)
        self._set_key.connect(worker.set_api_key, queued)
        self._set_base_url.connect(worker.set_base_url, queued)
        self._run_call.connect(worker.run_call, queued)
        self._shutdown.connect(worker.shutdown, queued)
        # Direct: the GUI thread is blocked in wait() when this fires, so a queued quit
        # would only arrive after the timeout. QThread.quit() is thread-safe.
        worker.stopped.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        worker.call_finished.connect(self._on_call_finished, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[CallKind, Callable[[CallOutcome], None]]] = {}
        self._running = True
        self.thread.start()

    # --- batch control ---------------------------------------------------------------

    def submit(self, requests: Iterable[CheckRequest]) -> None:
        self._submit.emit(list(requests))

    def pause(self) -> None:
        self._pause.emit()

    def resume(self) -> None:
        self._resume.emit()

    def cancel(self, item_ids: list[int] | None = None) -> None:
        self._cancel.emit(item_ids)

    def set_api_key(self, key: str | None) -> None:
        self._set_key.emit(key)

    def set_base_url(self, base_url: str) -> None:
        self._set_base_url.emit(base_url)

    # --- one-off calls ---------------------------------------------------------------

    def request(
        self, kind: CallKind, on_outcome: Callable[[CallOutcome], None], **params: Any
    ) -> None:
        """Run a one-off call; `on_outcome` gets its result-or-error on the GUI thread."""
        call_id = next(self._ids)
        if not self._running:
            on_outcome(CallOutcome(call_id, kind, error=UnexpectedError("the app is closing")))
            return
        self._waiting[call_id] = (kind, on_outcome)
        self._run_call.emit(CallRequest(call_id, kind, params))

    async def call(self, kind: CallKind, **params: Any) -> Any:
        """Await a one-off call: returns its value or raises its AffiliTestError."""
        future: asyncio.Future[CallOutcome] = asyncio.get_event_loop().create_future()

        def settle(outcome: CallOutcome) -> None:
            if not future.done():
                future.set_result(outcome)

        self.request(kind, settle, **params)
        outcome = await future
        if outcome.error is not None:
            raise outcome.error
        return outcome.value

    @Slot(object)
    def _on_call_finished(self, outcome: CallOutcome) -> None:
        waiting = self._waiting.pop(outcome.call_id, None)
        if waiting is not None:
            waiting[1](outcome)

    # --- lifetime --------------------------------------------------------------------

    def shutdown(self) -> bool:
        """Cancel everything and stop the thread; True if the worker stopped by itself."""
        if not self._running:
            return True
        self._running = False
        self._shutdown.emit()
        stopped = self.thread.wait(SHUTDOWN_WAIT_MS)
        if not stopped:  # the worker did not answer in time: stop its event loop anyway
            log.warning("The worker did not stop within %d ms; stopping it.", SHUTDOWN_WAIT_MS)
            self.thread.quit()
            self.thread.wait(SHUTDOWN_WAIT_MS)
        for call_id, (kind, callback) in list(self._waiting.items()):
            callback(CallOutcome(call_id, kind, error=UnexpectedError("the app is closing")))
        self._waiting.clear()
        return stopped
