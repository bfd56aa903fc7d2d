"""ApiWorker: a QObject living on its own QThread that owns the client and the batch runner.

It re-emits every engine event as a Qt signal carrying the engine's plain dataclasses.
The runner keeps up to C calls in flight on its own threads and one-off calls run on a
small pool; all of them share one throttle, so the account's limit holds for the app.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from affilitest_gui.api.client import AffiliTestClient
from affilitest_gui.api.errors import AffiliTestError, UnexpectedError
from affilitest_gui.api.limits import (
    API_RATE_LIMIT,
    DEFAULT_CONCURRENCY,
    RETRY_LIMITS,
    RateLimit,
    RetryLimits,
)
from affilitest_gui.api.models import CheckRequest, CheckResult
from affilitest_gui.engine.batch import BatchRunner
from affilitest_gui.engine.events import (
    BatchIdle,
    BatchPaused,
    BatchResumed,
    ItemEvent,
    RateLimitPause,
    RunnerEvent,
)
from affilitest_gui.engine.retry import RetryPolicy, call_with_retries
from affilitest_gui.engine.throttle import SlidingWindowThrottle
from affilitest_gui.worker.calls import CallKind, CallOutcome, CallRequest

THROTTLE_POLL_MS = 250


class ApiWorker(QObject):
    """Create it, move it to a QThread, then talk to it through queued signals only."""

    item_event = Signal(object)  # ItemEvent
    batch_paused = Signal(object)  # BatchPaused
    batch_resumed = Signal()
    rate_limited = Signal(object)  # RateLimitPause
    batch_idle = Signal(object)  # BatchIdle
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
    ) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._concurrency = concurrency
        self._client = AffiliTestClient(base_url, pool_size=concurrency)
        self.throttle = SlidingWindowThrottle(rate)
        self._policy = RetryPolicy(retry, rate)
        self._runner = BatchRunner(
            self._check,
            self._forward,
            throttle=self.throttle,
            policy=self._policy,
            concurrency=concurrency,
        )
        self._calls = ThreadPoolExecutor(max_workers=2, thread_name_prefix="affilitest-oneoff")
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
    def submit(self, requests: list[CheckRequest]) -> None:
        with contextlib.suppress(RuntimeError):  # shutting down: everything is cancelled
            self._runner.submit(requests)

    @Slot()
    def pause(self) -> None:
        self._runner.pause()

    @Slot()
    def resume(self) -> None:
        self._runner.resume()

    @Slot(object)
    def cancel(self, item_ids: list[int] | None) -> None:
        self._runner.cancel(item_ids)

    @Slot(object)
    def set_api_key(self, key: str | None) -> None:
        with self._lock:
            self._client.set_api_key(key)

    @Slot(str)
    def set_base_url(self, base_url: str) -> None:
        with self._lock:
            old = self._client
            self._client = AffiliTestClient(base_url, pool_size=self._concurrency)
        old.close()

    @Slot(object)
    def run_call(self, request: CallRequest) -> None:
        future = self._calls.submit(self._one_off, request)
        future.add_done_callback(lambda done: self._deliver(request, done))

    @Slot()
    def shutdown(self) -> None:
        """Cancel everything and stop; emits `stopped` when done (bounded in time)."""
        self._closing.set()
        if self._timer is not None:
            self._timer.stop()
        self._runner.shutdown(timeout=1.0)
        self.throttle.wake_all()
        self._calls.shutdown(wait=False, cancel_futures=True)
        self._client.close()
        self.stopped.emit()

    # --- runner threads ---------------------------------------------------------------

    def _check(self, request: CheckRequest) -> CheckResult:
        with self._lock:
            client = self._client
        return client.check(request)

    def _forward(self, event: RunnerEvent) -> None:
        if isinstance(event, ItemEvent):
            self.item_event.emit(event)
        elif isinstance(event, BatchPaused):
            self.batch_paused.emit(event)
        elif isinstance(event, BatchResumed):
            self.batch_resumed.emit()
        elif isinstance(event, RateLimitPause):
            self.rate_limited.emit(event)
        elif isinstance(event, BatchIdle):
            self.batch_idle.emit(event)

    def _poll_throttle(self) -> None:
        state = self.throttle.state()
        if state != self._last_state:
            self._last_state = state
            self.throttle_changed.emit(state)

    # --- one-off calls (pool threads) ------------------------------------------------

    def _one_off(self, request: CallRequest) -> object:
        with self._lock:
            client = self._client
        params = request.params
        if request.kind is CallKind.VERIFY_KEY:
            with AffiliTestClient(client.base_url, params["key"]) as candidate:
                return self._with_policy(candidate.calls_left)
        if request.kind is CallKind.CALLS_LEFT:
            return self._with_policy(client.calls_left)
        if request.kind is CallKind.APP_INFO:
            return self._with_policy(lambda: client.app_info(**params))
        if request.kind is CallKind.LOGIN:
            return self._with_policy(lambda: client.login(params["email"], params["password"]))
        if request.kind is CallKind.LOGOUT:
            return self._with_policy(client.logout)
        raise ValueError(f"unknown call {request.kind}")

    def _with_policy(self, call: object) -> object:
        return call_with_retries(
            call,  # type: ignore[arg-type]
            self.throttle,
            self._policy,
            interrupted=self._closing.is_set,
            sleep=self._closing.wait,
        )

    def _deliver(self, request: CallRequest, done: Future) -> None:
        if done.cancelled():
            error: AffiliTestError | None = UnexpectedError("cancelled: the app is closing")
            self.call_finished.emit(CallOutcome(request.call_id, request.kind, error=error))
            return
        failure = done.exception()
        if failure is None:
            outcome = CallOutcome(request.call_id, request.kind, value=done.result())
        elif isinstance(failure, AffiliTestError):
            outcome = CallOutcome(request.call_id, request.kind, error=failure)
        else:  # a bug or an interruption: still answer, never leave the caller waiting
            wrapped = UnexpectedError(f"{type(failure).__name__}: {failure}")
            outcome = CallOutcome(request.call_id, request.kind, error=wrapped)
        self.call_finished.emit(outcome)
