"""WorkerController: the GUI thread's handle on the ApiWorker and its QThread.

Requests go to the worker through queued signals. The worker's events come back on the
GUI thread through one `event` signal; one-off calls come back as one CallOutcome each
(result or error), awaited with `await controller.call(...)` under qasync or delivered
to a callback. Stopping is bounded: the calls in flight get the worker's drain time.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, Signal, Slot

from affilitest_gui.api.errors import UnexpectedError
from affilitest_gui.api.models import CheckRequest
from affilitest_gui.worker.api_worker import ApiWorker, Submission
from affilitest_gui.worker.calls import CallOutcome, OneOffCall, PendingCall

# Beyond the worker's own drain time: how long stopping may take before the thread is
# told to quit regardless.
STOP_GRACE_MS = 1500
log = logging.getLogger(__name__)
T = TypeVar("T")


class WorkerController(QObject):
    """Owns the worker thread; lives on the GUI thread."""

    event = Signal(object)  # the engine's RunnerEvent dataclasses, on the GUI thread
    throttle_changed = Signal(object)  # ThrottleState
    stopped = Signal()  # the worker thread has ended; every event before it was delivered

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
        # Direct: the GUI thread may be blocked in wait() when this fires, so a queued
        # quit would only arrive after the timeout. QThread.quit() is thread-safe.
        worker.stopped.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        # Worker signals fire on worker threads: always queue them to this thread.
        worker.event.connect(self.event, queued)
        worker.throttle_changed.connect(self.throttle_changed, queued)
        worker.call_finished.connect(self._on_call_finished, queued)
        self.thread.finished.connect(self._on_thread_finished, queued)
        self._ids = itertools.count(1)
        self._waiting: dict[int, tuple[OneOffCall[Any], Callable[[CallOutcome], None]]] = {}
        self._running = True
        self._stopped = False
        self.thread.start()

    # --- batch control ---------------------------------------------------------------

    def submit(self, requests: Iterable[CheckRequest], *, front: bool = False) -> None:
        self._submit.emit(Submission(list(requests), front))

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

    def request(self, call: OneOffCall[Any], on_outcome: Callable[[CallOutcome], None]) -> None:
        """Run a one-off call; `on_outcome` gets its result-or-error on the GUI thread."""
        call_id = next(self._ids)
        if not self._running:
            on_outcome(CallOutcome(call_id, call, error=UnexpectedError("the app is closing")))
            return
        self._waiting[call_id] = (call, on_outcome)
        self._run_call.emit(PendingCall(call_id, call))

    async def call(self, call: OneOffCall[T]) -> T:
        """Await a one-off call: returns its value or raises its AffiliTestError."""
        import asyncio  # noqa: PLC0415 - loaded with the loop, after the first paint

        future: asyncio.Future[CallOutcome] = asyncio.get_event_loop().create_future()

        def settle(outcome: CallOutcome) -> None:
            if not future.done():
                future.set_result(outcome)

        self.request(call, settle)
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

    @property
    def running(self) -> bool:
        """False once stopping has begun."""
        return self._running

    def begin_shutdown(self) -> None:
        """Stop sending and let the calls in flight finish; `stopped` follows."""
        if not self._running:
            return
        self._running = False
        self._shutdown.emit()

    def shutdown(self) -> bool:
        """Stop and wait for it here; True if the worker stopped by itself in time.

        Every event the worker sent before stopping is delivered before this returns.
        """
        self.begin_shutdown()
        if self._stopped:
            return True
        stopped = self.thread.wait(int(self.worker_drain_ms) + STOP_GRACE_MS)
        if not stopped:  # the worker did not answer in time: stop its event loop anyway
            log.warning("The worker did not stop in time; stopping it.")
            self.thread.quit()
            self.thread.wait(STOP_GRACE_MS)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.MetaCall)
        self._on_thread_finished()
        return stopped

    @property
    def worker_drain_ms(self) -> float:
        return self.worker.drain_s * 1000

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.worker.release()
        for call_id, (call, callback) in list(self._waiting.items()):
            callback(CallOutcome(call_id, call, error=UnexpectedError("the app is closing")))
        self._waiting.clear()
        self.stopped.emit()
