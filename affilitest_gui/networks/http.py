"""The HTTP side every platform connector shares: one session, paced below the
platform's limit, reads retried on 429 and 5xx with back-off, and every failure turned
into a `NetworkError` whose kind says what to do. Secrets never reach an error text."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import requests

from affilitest_gui.api.limits import PLATFORM_LIMITS, PlatformLimits
from affilitest_gui.networks.connections import PLATFORM_NAMES

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class Problem(Enum):
    """What went wrong with a platform, as a person fixes it."""

    REFUSED = "the platform refused the key"
    WRONG_ADDRESS = "wrong address, tenant or network ID"
    NO_API_ACCESS = "the plan has no API access"
    UNREACHABLE = (
        "the platform cannot be reached (check its address and this computer's connection)"
    )
    RATE_LIMITED = "the platform asks to slow down"
    REJECTED = "the platform rejected the request"
    MALFORMED = "the platform's answer could not be read"


class NetworkError(Exception):
    """A platform call that failed; `str()` is one sentence for a person."""

    def __init__(self, platform: str, problem: Problem, detail: str = "") -> None:
        words = f"{PLATFORM_NAMES.get(platform, platform)}: {problem.value}"
        super().__init__(f"{words} ({detail})" if detail else words)
        self.platform = platform
        self.problem = problem
        self.detail = detail




@dataclass
class Answer:
    status: int
    body: Any  # the decoded JSON
    headers: dict[str, str]


class PlatformHttp:
    """One platform account's session. Thread-safe pacing: requests leave at most
    `requests_per_s` a second."""

    def __init__(
        self,
        platform: str,
        headers: dict[str, str],
        *,
        requests_per_s: float,
        limits: PlatformLimits = PLATFORM_LIMITS,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.platform = platform
        self.limits = limits
        self.calls = 0  # requests sent, retries included (the sync's figure)
        self._session = session or requests.Session()
        self._session.headers.update(headers)
        self._spacing = 1.0 / requests_per_s
        self._next_send = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep

    def close(self) -> None:
        self._session.close()

    def read(self, method: str, url: str, **kwargs: Any) -> Answer:
        """A read: retried on 429 and 5xx (and what `retry_if` says), with back-off."""
        retry_if = kwargs.pop("retry_if", None)
        waits = list(self.limits.backoff_s[: self.limits.read_attempts - 1])
        while True:
            answer = self._send(method, url, **kwargs)
            again = answer.status in RETRYABLE_STATUSES or (retry_if and retry_if(answer))
            if not again or not waits:
                return answer
            wait = waits.pop(0)
            retry_after = answer.headers.get("Retry-After", "")
            if retry_after.isdigit():
                if int(retry_after) > self.limits.max_retry_after_s:
                    return answer
                wait = max(wait, float(retry_after))
            self._sleep(wait)

    def write(self, method: str, url: str, **kwargs: Any) -> Answer:
        """A write: sent once (a retry could apply it twice)."""
        return self._send(method, url, **kwargs)

    def _send(self, method: str, url: str, **kwargs: Any) -> Answer:
        self._pace()
        self.calls += 1
        try:
            response = self._session.request(method, url, timeout=self.limits.timeout_s,
                                             allow_redirects=False, **kwargs)  # fmt: skip
        except requests.RequestException as error:
            raise NetworkError(self.platform, Problem.UNREACHABLE, type(error).__name__) from None
        if response.headers.get("X-RateLimit-Remaining", "").strip() == "0":
            self._hold(self.limits.empty_bucket_wait_s)  # Everflow says the bucket is empty
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        return Answer(response.status_code, body, dict(response.headers))

    def _hold(self, seconds: float) -> None:
        """No request leaves for `seconds` from now."""
        with self._lock:
            self._next_send = max(self._next_send, time.monotonic() + seconds)

    def _pace(self) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._next_send - now
            self._next_send = max(now, self._next_send) + self._spacing
        if wait > 0:
            self._sleep(wait)


def problem_for_status(status: int) -> Problem:
    """The usual meaning of an HTTP status from a platform's API."""
    if status in (401, 403):
        return Problem.REFUSED
    if status == 404:
        return Problem.WRONG_ADDRESS
    if status == 429:
        return Problem.RATE_LIMITED
    if status >= 500:
        return Problem.UNREACHABLE
    return Problem.REJECTED
