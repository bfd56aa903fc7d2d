"""One-off calls (calls left, app info, key check, login, logout): each a typed request.

A call knows how to perform itself on a client and what it returns, so the worker runs
every kind the same way and the caller awaits a typed value. Plain Python, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from affilitest_gui.api.models import AppInfo

if TYPE_CHECKING:
    from affilitest_gui.api.client import AffiliTestClient

T = TypeVar("T")


class OneOffCall(Generic[T]):
    """Base of the one-off calls: `perform(client)` makes the call and returns its value."""

    def perform(self, client: AffiliTestClient) -> T:
        raise NotImplementedError


class PlatformTask(OneOffCall[T]):
    """Work that is not AffiliTest's (a network platform, an alert channel): it runs on
    the one-off pool with its own connection (a platform's paced by its limit), never on
    AffiliTest's throttle or client."""

    def run(self) -> T:
        raise NotImplementedError


@dataclass(frozen=True)
class CallsLeft(OneOffCall["int | None"]):
    """The calls left in the account's budget (None when the answer had no number)."""

    def perform(self, client: AffiliTestClient) -> int | None:
        return client.calls_left()


@dataclass(frozen=True)
class VerifyKey(OneOffCall["int | None"]):
    """Ask `base_url` for the calls left with a candidate key, without making it the
    client's key (a live key is checked with the live service even in sandbox mode)."""

    key: str = field(repr=False)
    base_url: str

    def perform(self, client: AffiliTestClient) -> int | None:
        with client.with_credentials(api_key=self.key, base_url=self.base_url) as candidate:
            return candidate.calls_left()


@dataclass(frozen=True)
class LookUpApp(OneOffCall[AppInfo]):
    """App details by store URL, or by package / App Store id (+ country)."""

    url: str | None = None
    package: str | None = None
    country: str | None = None

    def perform(self, client: AffiliTestClient) -> AppInfo:
        return client.app_info(url=self.url, package=self.package, country=self.country)


@dataclass(frozen=True)
class LogIn(OneOffCall[None]):
    """Open a login session with email and password (kept in memory only)."""

    email: str
    password: str = field(repr=False)

    def perform(self, client: AffiliTestClient) -> None:
        client.login(self.email, self.password)


@dataclass(frozen=True)
class LogOut(OneOffCall[None]):
    """End the login session."""

    def perform(self, client: AffiliTestClient) -> None:
        client.logout()


@dataclass(frozen=True)
class PendingCall:
    """A call on its way to the worker, with the id its outcome comes back under."""

    call_id: int
    call: OneOffCall[Any]


@dataclass(frozen=True)
class CallOutcome:
    """Exactly one of `value` / `error` is meaningful; `error` None means success."""

    call_id: int
    call: OneOffCall[Any]
    value: Any = None
    error: Exception | None = None  # an AffiliTestError, or a platform's NetworkError
