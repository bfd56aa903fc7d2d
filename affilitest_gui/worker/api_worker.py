"""ApiWorker: a QObject living on its own QThread that owns the client and the batch runner.

It re-emits every engine event, as the engine's own dataclass, through one `event`
signal; a finished check's event is first recorded (judged and committed, by the run
planner) on the thread that received its answer, and comes as a `RecordedEvent`, so
the GUI thread only shows it. The runner keeps up to C calls in flight on its own
threads and one-off calls run on a small pool; all of them share one throttle, so the
account's limit holds.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from affilitest_gui.api.errors import AffiliTestError, UnexpectedError
from affilitest_gui.api.limits import (
    API_RATE_LIMIT,
    DEFAULT_CONCURRENCY,
    RETRY_LIMITS,
    TIMEOUTS,
    RateLimit,
    RetryLimits,
)
from affilitest_gui.api.models import CheckRequest, CheckResult
from affilitest_gui.engine.batch import BatchRunner
from affilitest_gui.engine.events import ItemEvent, ItemState, RunnerEvent
from affilitest_gui.engine.retry import RetryPolicy, call_with_retries
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from affilitest_gui.history.problems import STORAGE_ERRORS
from affilitest_gui.history.send_log import SharedSendLog
from affilitest_gui.networks.connections import UnusableConnection
from affilitest_gui.networks.http import NetworkError
from affilitest_gui.runs.planner import Recorded
from affilitest_gui.worker.calls import CallOutcome, CallsLeft, PendingCall, PlatformTask

if TYPE_CHECKING:
    from affilitest_gui.api.client import AffiliTestClient

THROTTLE_POLL_MS = 250
ONE_OFF_THREADS = 2


@dataclass(frozen=True)
class RecordedEvent:
    """A finished (or cancelled) check's event and what recording it gave: its row, or
    the storage error a damaged history raised (`failure`; `recorded` is then None)."""

    event: ItemEvent
    recorded: Recorded | None
    failure: BaseException | None = None


@dataclass(frozen=True)
class Submission:
    """Checks to queue; `front`: before the ones already waiting."""

    requests: list[CheckRequest]
    front: bool = False


class ApiWorker(QObject):
    """Create it, move it to a QThread, then talk to it through queued signals only."""

    event = Signal(object)  # an engine RunnerEvent: ItemEvent, BatchPaused, BatchIdle...
    throttle_changed = Signal(object)  # ThrottleState
    call_finished = Signal(object)  # CallOutcome
    stopped = Signal()

    def __init__(
        self,
        base_url: str,
        *,
        rate: RateLimit = API_RATE_LIMIT,
        retry: RetryLimits = RETRY_LIMITS,
        concurrency: int = DEFAULT_CONCURRENCY,
        drain_s: float = TIMEOUTS.quit_drain_s,
        before_send: Callable[[CheckRequest], None] | None = None,
        record: Callable[[ItemEvent], Recorded] | None = None,
        send_log: SharedSendLog | None = None,
    ) -> None:
        """`before_send`: the run planner's journal, told just before each request
        leaves; `record`: the run planner's, for each finished check; `send_log`: the
        rate limit shared with the command-line twins."""
        super().__init__()
        self._record = record
        self._lock = threading.Lock()
        self.drain_s = drain_s
        # Every thread that may call at once gets its own pooled connection. The client
        # (and requests with it) is made on first use, after the window is on screen.
        self._client_made_with = (base_url, concurrency + ONE_OFF_THREADS)
        self._client_instance: AffiliTestClient | None = None
        self.throttle = SlidingWindowThrottle(rate, shared=send_log, keeper=send_log)
        self._send_log = send_log
        self._policy = RetryPolicy(retry, rate)
        self._runner = BatchRunner(
            self._check,
            self._on_runner_event,
            throttle=self.throttle,
            policy=self._policy,
            concurrency=concurrency,
            before_send=before_send,
        )
        self._calls = ThreadPoolExecutor(
            max_workers=ONE_OFF_THREADS, thread_name_prefix="affilitest-oneoff"
        )
        self._closing = threading.Event()
        self._timer: QTimer | None = None
        self._last_state: object = None

    # --- slots (run on the worker thread) --------------------------------------------

    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setInterval(THROTTLE_POLL_MS)
        self._timer.timeout.connect(self._poll_throttle)
        self._timer.start()

    @Slot(object)
    def submit(self, submission: Submission) -> None:
        with contextlib.suppress(RuntimeError):  # shutting down: nothing new is sent
            self._runner.submit(submission.requests, front=submission.front)

    @Slot()
    def pause(self) -> None:
        self._runner.pause()

    @Slot()
    def resume(self) -> None:
        self._runner.resume()

    @Slot(object)
    def cancel(self, item_ids: list[int] | None) -> None:
        self._runner.cancel(item_ids)

    @property
    def _client(self) -> AffiliTestClient:
        """The client; callers hold `_lock`."""
        if self._client_instance is None:
            # Here, not at the top: requests loads after the first paint.
            from affilitest_gui.api.client import AffiliTestClient  # noqa: PLC0415

            base_url, pool_size = self._client_made_with
            self._client_instance = AffiliTestClient(base_url, pool_size=pool_size)
        return self._client_instance

    @Slot(object)
    def set_api_key(self, key: str | None) -> None:
        with self._lock:
            self._client.set_api_key(key)

    @Slot(str)
    def set_base_url(self, base_url: str) -> None:
        """Talk to another address from now on, keeping the key or login session."""
        with self._lock:
            old = self._client
            self._client_instance = old.with_base_url(base_url)
        old.close()

    @Slot(object)
    def run_call(self, pending: PendingCall) -> None:
        future = self._calls.submit(self._one_off, pending)
        future.add_done_callback(lambda done: self._deliver(pending, done))

    @Slot()
    def shutdown(self) -> None:
        """Stop sending, keep the answers of the calls in flight (bounded), then stop."""
        self._closing.set()
        if self._timer is not None:
            self._timer.stop()
        self._runner.shutdown(timeout=self.drain_s)
        self.throttle.wake_all()
        self._calls.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            self._client.close()
        self.stopped.emit()

    def release(self) -> None:
        """Close the shared send log, once the worker's thread has stopped: an open file
        keeps a folder from being removed on Windows (the self-test's temporary one)."""
        if self._send_log is not None:
            self._send_log.close()

    # --- runner threads ---------------------------------------------------------------

    def _check(self, request: CheckRequest) -> CheckResult:
        with self._lock:
            client = self._client
        return client.check(request)

    def _on_runner_event(self, event: RunnerEvent) -> None:
        if isinstance(event, ItemEvent) and event.state is ItemState.QUEUED and not event.attempt:
            return  # just submitted: the views count those; 500 at once would stall them
        if self._record is not None and isinstance(event, ItemEvent) and event.state.is_terminal:
            try:
                event = RecordedEvent(event, self._record(event))
            except STORAGE_ERRORS as error:  # a damaged history: said on the GUI thread
                event = RecordedEvent(event, None, error)
        self.event.emit(event)

    def _poll_throttle(self) -> None:
        state = self.throttle.state()
        if state != self._last_state:
            self._last_state = state
            self.throttle_changed.emit(state)

    # --- one-off calls (pool threads) ------------------------------------------------

    def _one_off(self, pending: PendingCall) -> Any:
        if isinstance(pending.call, PlatformTask):
            return pending.call.run()
        with self._lock:
            client = self._client
        value = call_with_retries(
            lambda: pending.call.perform(client),
            self.throttle,
            self._policy,
            interrupted=self._closing.is_set,
            sleep=self._closing.wait,
        )
        if isinstance(pending.call, CallsLeft):  # the key works; can it pay?
            if value:
                self._runner.in_flight.trust(at_once=True)
            else:  # 0 left: a batch run anyway sends one call, and pauses on its refusal
                self._runner.in_flight.distrust()
        return value

    def _deliver(self, pending: PendingCall, done: Future) -> None:
        if done.cancelled():
            closing = UnexpectedError("cancelled: the app is closing")
            self.call_finished.emit(CallOutcome(pending.call_id, pending.call, error=closing))
            return
        failure = done.exception()
        if failure is None:
            outcome = CallOutcome(pending.call_id, pending.call, value=done.result())
        elif isinstance(failure, (AffiliTestError, NetworkError, UnusableConnection)):
            outcome = CallOutcome(pending.call_id, pending.call, error=failure)
        else:  # a bug or an interruption: still answer, never leave the caller waiting
            wrapped = UnexpectedError(f"{type(failure).__name__}: {failure}")
            outcome = CallOutcome(pending.call_id, pending.call, error=wrapped)
        self.call_finished.emit(outcome)
