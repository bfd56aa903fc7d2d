"""The batch runner: a queue of checks, C calls in flight, pause / resume / cancel.

Every state change is reported through one callback (from worker threads, under the
runner's lock, so each item's events arrive in order). Every item ends in exactly one
terminal state. A 401 or 403 pauses the whole runner with ONE BatchPaused event; the
checks still waiting stay queued, untouched, for `resume()`. A runner with nothing left
to do is never paused, so a cancelled batch cannot hold back the next one.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from affilitest_gui.api.errors import (
    ACCOUNT_ERRORS,
    AffiliTestError,
    RateLimitedError,
    UnexpectedError,
)
from affilitest_gui.api.limits import DEFAULT_CONCURRENCY
from affilitest_gui.api.models import CheckRequest, CheckResult
from affilitest_gui.engine.adaptive import InFlightLimit
from affilitest_gui.engine.events import (
    BatchIdle,
    BatchPaused,
    BatchResumed,
    ItemEvent,
    ItemState,
    RateLimitPause,
    RunnerEvent,
)
from affilitest_gui.engine.retry import AttemptLog, RetryPolicy
from affilitest_gui.engine.throttle import SlidingWindowThrottle, ThrottleInterrupted

Perform = Callable[[CheckRequest], CheckResult]
EventSink = Callable[[RunnerEvent], None]

LIMIT_RECHECK_S = 0.05  # a thread held back by the in-flight limit looks again this often

UNANSWERED = "sent, but no answer came before the shutdown"
"""The `reason` of a CANCELLED event for a call that was in flight when time ran out."""


@dataclass
class _Item:
    id: int
    request: CheckRequest
    state: ItemState = ItemState.QUEUED
    tries: AttemptLog = field(default_factory=AttemptLog)
    cancel_requested: bool = False


class BatchRunner:
    """Runs checks through `perform` with a shared throttle and retry policy."""

    def __init__(
        self,
        perform: Perform,
        on_event: EventSink,
        *,
        throttle: SlidingWindowThrottle | None = None,
        policy: RetryPolicy | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], float] = time.monotonic,
        before_send: Callable[[CheckRequest], None] | None = None,
    ) -> None:
        """`before_send`: told just before each request leaves, on its sending thread
        (the durable queue's journal); if it raises, that attempt fails as a bug would."""
        self._perform = perform
        self._before_send = before_send
        self._emit = on_event
        self.throttle = throttle or SlidingWindowThrottle()
        self.policy = policy or RetryPolicy(rate=self.throttle.rate)
        self.concurrency = max(1, concurrency)
        self._clock = clock
        self._cond = threading.Condition(threading.RLock())
        self._ids = itertools.count(1)
        self._ready: deque[_Item] = deque()
        self._delayed: list[tuple[float, int, _Item]] = []
        self._live: dict[int, _Item] = {}
        self._counts = {ItemState.DONE: 0, ItemState.FAILED: 0, ItemState.CANCELLED: 0}
        self._paused = False
        self._cause_reported = False
        self._closed = False
        self._threads: list[threading.Thread] = []
        self.in_flight = InFlightLimit(self.throttle.rate, self.concurrency)
        self._sending = 0  # items taken by a thread, until their attempt ends
        self._awaiting_slot = 0  # of those, the ones still waiting for the throttle

    # --- control (any thread) -------------------------------------------------------

    def submit(self, requests: Iterable[CheckRequest], *, front: bool = False) -> list[int]:
        """Queue checks; returns their ids in order. `front`: before the checks already
        waiting (a person's checks before a scheduled run's)."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the runner is shut down")
            items = [_Item(id=next(self._ids), request=request) for request in requests]
            if front:
                self._ready.extendleft(reversed(items))
            else:
                self._ready.extend(items)
            ids = []
            for item in items:
                self._live[item.id] = item
                ids.append(item.id)
                self._report(item)
            self._start_threads()
            self._cond.notify_all()
            return ids

    @property
    def paused(self) -> bool:
        with self._cond:
            return self._paused

    @property
    def pending(self) -> int:
        """Checks not yet in a terminal state."""
        with self._cond:
            return len(self._live)

    def pause(self) -> None:
        """Stop sending; calls in flight finish, the rest wait. Nothing to run: no-op."""
        with self._cond:
            if self._live and not self._paused:
                self._paused = True
                self._emit(BatchPaused(cause=None))
        self.throttle.wake_all()

    def resume(self) -> None:
        with self._cond:
            if self._paused:
                self._paused = False
                self._cause_reported = False
                self._emit(BatchResumed())
                self._cond.notify_all()

    def cancel(self, item_ids: Iterable[int] | None = None) -> None:
        """Cancel the given checks (all if None). Calls in flight finish and are kept."""
        with self._cond:
            wanted = set(self._live) if item_ids is None else set(item_ids) & set(self._live)
            for item_id in wanted:
                item = self._live[item_id]
                item.cancel_requested = True
                if item.state in (ItemState.QUEUED, ItemState.RETRYING):
                    self._finish(item, ItemState.CANCELLED)
            self._ready = deque(i for i in self._ready if i.id in self._live)
            self._delayed = [d for d in self._delayed if d[2].id in self._live]
            heapq.heapify(self._delayed)
        self.throttle.wake_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted check is terminal; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._live, timeout)

    def shutdown(self, timeout: float = 1.0) -> None:
        """Stop sending and stop the threads, keeping every answer that still arrives.

        Checks not sent yet are cancelled at once. Calls in flight get up to `timeout`
        seconds to come back and end as they would have (their answers are reported);
        those still out after that end CANCELLED with reason `UNANSWERED`.
        """
        with self._cond:
            self._closed = True
            for item in list(self._live.values()):
                if item.state is not ItemState.SENDING:
                    self._finish(item, ItemState.CANCELLED)
            self._ready.clear()
            self._delayed.clear()
            self._cond.notify_all()
        self.throttle.wake_all()
        deadline = self._clock() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - self._clock()))
        with self._cond:
            for item in list(self._live.values()):
                self._finish(item, ItemState.CANCELLED, reason=UNANSWERED)

    # --- worker threads -------------------------------------------------------------

    def _start_threads(self) -> None:
        """As many threads as checks are live, up to the maximum in flight."""
        while len(self._threads) < min(self.concurrency, len(self._live)):
            thread = threading.Thread(
                target=self._work, name=f"affilitest-call-{len(self._threads) + 1}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _work(self) -> None:
        while True:
            item = self._next_item()
            if item is None:
                return
            try:
                self._attempt(item)
            finally:
                with self._cond:
                    self._sending -= 1
                    self._cond.notify_all()

    def _next_item(self) -> _Item | None:
        with self._cond:
            while not self._closed:
                timeout = None
                if not self._paused:
                    now = self._clock()
                    due = []
                    while self._delayed and self._delayed[0][0] <= now:
                        due.append(heapq.heappop(self._delayed)[2])
                    self._ready.extendleft(reversed(due))
                    if self._ready and self.in_flight.may_take(
                        self._sending, self._awaiting_slot, self.throttle.free_slots()
                    ):
                        item = self._ready.popleft()
                        item.state = ItemState.SENDING
                        self._sending += 1
                        self._awaiting_slot += 1
                        return item
                    if self._ready:  # held back by the in-flight limit: look again soon
                        timeout = LIMIT_RECHECK_S
                    elif self._delayed:
                        timeout = self._delayed[0][0] - now
                self._cond.wait(timeout)
            return None

    def _slot_settled(self) -> None:
        with self._cond:
            self._awaiting_slot -= 1
            self._cond.notify_all()

    def _interrupted(self, item: _Item) -> Callable[[], bool]:
        return lambda: self._paused or self._closed or item.cancel_requested

    def _attempt(self, item: _Item) -> None:
        try:
            self.throttle.acquire(self._interrupted(item))
        except ThrottleInterrupted:
            self._slot_settled()
            with self._cond:
                if item.id not in self._live:
                    return
                if item.cancel_requested or self._closed:
                    self._finish(item, ItemState.CANCELLED)
                else:
                    self._requeue_front(item)
            return
        self._slot_settled()
        with self._cond:
            if item.id not in self._live:
                return
            item.tries.sending(self._clock())
            self._report(item)
        started = self._clock()
        try:
            if self._before_send is not None:
                self._before_send(item.request)
            result = self._perform(item.request)
        except ACCOUNT_ERRORS as error:
            self._on_account_error(item, error)
        except RateLimitedError as error:
            self._on_rate_limited(item, error)
        except AffiliTestError as error:
            self._on_failure(item, error)
        except Exception as error:  # a bug must still end the item, never lose it
            self._on_failure(item, UnexpectedError(f"{type(error).__name__}: {error}"))
        else:
            self.in_flight.observe(self._clock() - started)
            self.in_flight.trust()
            with self._cond:
                # The attempt that answered: no wait for a slot, a pause or a retry in it.
                result = dataclasses.replace(
                    result, attempts=item.tries.sends, elapsed_s=self._clock() - started
                )
                self._finish(item, ItemState.DONE, result=result)

    def _on_account_error(self, item: _Item, error: AffiliTestError) -> None:
        self.in_flight.distrust()
        with self._cond:
            if item.id not in self._live:
                return
            if item.cancel_requested or self._closed:
                self._finish(item, ItemState.CANCELLED)
                return
            self._requeue_front(item)
            self._paused = True
            if not self._cause_reported:
                self._cause_reported = True
                self._emit(BatchPaused(cause=error, item_id=item.id))
        self.throttle.wake_all()

    def _on_rate_limited(self, item: _Item, error: RateLimitedError) -> None:
        with self._cond:
            if item.id not in self._live:
                return
            seconds = item.tries.after_rate_limit(self.policy, error)
            if seconds is None:
                self._finish(item, ItemState.FAILED, error=error)
                return
            if item.cancel_requested or self._closed:
                self._finish(item, ItemState.CANCELLED)
                return
            if self.throttle.free_slots() > 0:  # a 429 below the published limit
                self.throttle.slow_down()
            self.throttle.pause(seconds)
            self._emit(RateLimitPause(seconds=seconds, error=error))
            item.state = ItemState.RETRYING
            self._report(item, wait_s=seconds, reason="rate limited")
            self._ready.appendleft(item)
            self._cond.notify_all()

    def _on_failure(self, item: _Item, error: AffiliTestError) -> None:
        with self._cond:
            if item.id not in self._live:
                return
            wait = item.tries.after_failure(self.policy, error, self._clock())
            if wait is None or self._closed:  # no retry after shutdown: keep the answer
                self._finish(item, ItemState.FAILED, error=error)
                return
            if item.cancel_requested:
                self._finish(item, ItemState.CANCELLED)
                return
            item.state = ItemState.RETRYING
            self._report(item, wait_s=wait, reason=str(error), error=error)
            heapq.heappush(self._delayed, (self._clock() + wait, item.id, item))
            self._cond.notify_all()

    # --- bookkeeping (caller holds the lock) ----------------------------------------

    def _requeue_front(self, item: _Item) -> None:
        item.state = ItemState.QUEUED
        self._ready.appendleft(item)
        self._report(item)
        self._cond.notify_all()

    def _report(
        self,
        item: _Item,
        *,
        wait_s: float | None = None,
        reason: str = "",
        result: CheckResult | None = None,
        error: AffiliTestError | None = None,
    ) -> None:
        self._emit(
            ItemEvent(
                item_id=item.id,
                state=item.state,
                request=item.request,
                attempt=item.tries.sends,
                wait_s=wait_s,
                reason=reason,
                result=result,
                error=error,
            )
        )

    def _finish(
        self,
        item: _Item,
        state: ItemState,
        *,
        result: CheckResult | None = None,
        error: AffiliTestError | None = None,
        reason: str = "",
    ) -> None:
        if self._live.pop(item.id, None) is None:
            return
        item.state = state
        self._counts[state] += 1
        self._report(item, result=result, error=error, reason=reason)
        if not self._live:
            self._paused = False  # nothing left to hold: the next batch runs at once
            self._cause_reported = False
            self._emit(
                BatchIdle(
                    done=self._counts[ItemState.DONE],
                    failed=self._counts[ItemState.FAILED],
                    cancelled=self._counts[ItemState.CANCELLED],
                )
            )
            self._counts = dict.fromkeys(self._counts, 0)
            self._cond.notify_all()
