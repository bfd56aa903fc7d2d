"""The account the app speaks for: the live service or the sandbox, a key or a login,
whether AffiliTest accepted those credentials, and the calls left. Qt core, no widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from affilitest_gui.api.catalog import NO_BUDGET, describe
from affilitest_gui.api.errors import ACCOUNT_ERRORS, AffiliTestError, AuthError
from affilitest_gui.keystore import KeyStore, StorageInfo
from affilitest_gui.worker.calls import (
    CallOutcome,
    CallsLeft,
    LogIn,
    LogOut,
    LookUpApp,
    VerifyKey,
)
from affilitest_gui.worker.controller import WorkerController

if TYPE_CHECKING:
    from affilitest_gui.sandbox import RunningSandbox


class SignIn(str, Enum):
    """How the app signs in to AffiliTest."""

    NONE = "none"
    KEY = "key"
    LOGIN = "login"


@dataclass(frozen=True)
class AccountState:
    """What the views show of the account: where checks go, as whom, what is known."""

    sandbox: bool
    host: str
    sign_in: SignIn
    who: str  # "…1a2b" for a key, the email for a login
    verified: bool  # a call with these credentials was accepted since they were set
    calls_left: int | None
    calls_left_note: str = ""  # why the calls left are unknown, when they are
    refused: bool = False  # AffiliTest refused these very credentials (403) since they were set

    @property
    def signed_in(self) -> bool:
        return self.sign_in is not SignIn.NONE

    @property
    def logged_in(self) -> bool:
        """Signed in with an email and password (not a key): there is a log-out."""
        return self.sign_in is SignIn.LOGIN

    @property
    def summary(self) -> str:
        """One line for the status bar: where checks go and as whom."""
        if self.sandbox:
            return f"SANDBOX (offline demo) \u00b7 {self.host}"
        if self.sign_in is SignIn.KEY:
            return f"Live \u00b7 {self.host} \u00b7 API key {self.who}"
        if self.sign_in is SignIn.LOGIN:
            return f"Live \u00b7 {self.host} \u00b7 logged in as {self.who}"
        return f"Live \u00b7 {self.host} \u00b7 not signed in"


def host_of(url: str) -> str:
    """host[:port] of an address, as the status bar shows it."""
    return urlsplit(url).netloc or url


def key_hint(key: str) -> str:
    """Enough of a key to tell two apart, never enough to use: "…1a2b"."""
    return "\u2026" + key[-4:]


class AccountSession(QObject):
    """Owns the credentials and the mode; every change is announced through `changed`."""

    changed = Signal(object)  # AccountState
    refused = Signal(object)  # AffiliTestError: a background call was refused by the account

    def __init__(
        self,
        controller: WorkerController,
        keystore: KeyStore,
        *,
        live_base_url: str,
        start_sandbox: Callable[[], RunningSandbox],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._keystore = keystore
        self.live_base_url = live_base_url
        self._start_sandbox = start_sandbox
        self._sandbox: RunningSandbox | None = None
        self._key: str | None = None  # the live key in use
        self._email: str | None = None  # the live login in use
        self._verified = False
        self._refused = False
        self._calls_left: int | None = None
        self._calls_left_note = ""
        # Bumps whenever the credentials change or are refused, so that an answer to a
        # call made with older credentials is not taken for the current ones.
        self._epoch = 0

    # --- reading ---------------------------------------------------------------------

    @property
    def state(self) -> AccountState:
        if self._sandbox is not None:
            sign_in, who, host = SignIn.KEY, "(sandbox demo key)", host_of(self._sandbox.base_url)
        else:
            host = host_of(self.live_base_url)
            if self._email is not None:
                sign_in, who = SignIn.LOGIN, self._email
            elif self._key is not None:
                sign_in, who = SignIn.KEY, key_hint(self._key)
            else:
                sign_in, who = SignIn.NONE, ""
        return AccountState(
            sandbox=self._sandbox is not None,
            host=host,
            sign_in=sign_in,
            who=who,
            verified=self._verified,
            calls_left=self._calls_left,
            calls_left_note=self._calls_left_note,
            refused=self._refused,
        )

    @property
    def sandbox(self) -> RunningSandbox | None:
        return self._sandbox

    def secrets(self) -> list[str]:
        """Every key this session knows, for redacting text that leaves the app."""
        keys = [self._key]
        if self._sandbox is not None:
            keys += list(self._sandbox.keys.values())
        return [key for key in keys if key]

    # --- the API key -----------------------------------------------------------------

    @property
    def key_storage(self) -> StorageInfo:
        """Where a saved key is kept (the keyring's name, or memory only), in words."""
        return self._keystore.info

    @property
    def has_saved_key(self) -> bool:
        return self._keystore.get() is not None

    def load_saved_key(self) -> bool:
        """Sign in with the key saved in the keyring, if there is one."""
        key = self._keystore.get()
        if not key:
            return False
        self._use_key(key)
        self._announce()
        self.refresh_calls_left()
        return True

    async def look_up_app(self, **params: str) -> Any:
        """AffiliTest's facts about an app (its appInfo call), with the account in use."""
        return await self._controller.call(LookUpApp(**params))

    async def verify_key(self, key: str) -> int | None:
        """Ask the live service whether a key works (also in sandbox mode); returns its
        calls left or raises the refusal. Changes nothing."""
        return await self._controller.call(VerifyKey(key, self.live_base_url))

    def save_key(self, key: str, *, verified: bool, calls_left: int | None = None) -> StorageInfo:
        """Keep the key in the keyring (or memory) and sign in with it on the live service.

        `verified`: AffiliTest accepted it just now (and said `calls_left`); otherwise
        its calls left are asked for at once, which verifies it.
        """
        info = self._keystore.set(key)
        self._leave_sandbox()
        self._use_key(key)
        self._verified = verified
        self._calls_left = calls_left if verified else None
        self._announce()
        if not verified:
            self.refresh_calls_left()
        return info

    def remove_key(self) -> None:
        """Delete the saved key; stop using it if it is the one in use."""
        self._keystore.delete()
        if self._key is None:
            return
        self._key = None
        if self._email is None and self._sandbox is None:
            self._controller.set_api_key(None)
            self._credentials_changed()
        self._announce()

    def _use_key(self, key: str) -> None:
        self._key = key
        self._email = None
        if self._sandbox is None:
            self._controller.set_api_key(key)
        self._credentials_changed()

    # --- email login -----------------------------------------------------------------

    async def log_in(self, email: str, password: str) -> None:
        """Open a login session on the live service (leaving the sandbox first, so the
        session belongs to the client that goes on working); raises the refusal."""
        self._leave_sandbox()
        self._announce()
        try:
            await self._controller.call(LogIn(email, password))
        except AffiliTestError:
            self._controller.set_api_key(self._key)  # a failed login dropped the key
            raise
        self._email = email
        self._credentials_changed()
        self._verified = True
        self._announce()
        self.refresh_calls_left()

    async def log_out(self) -> None:
        """End the login session; the saved key, if any, takes over."""
        try:
            await self._controller.call(LogOut())
        finally:
            self._email = None
            self._controller.set_api_key(self._key)
            self._credentials_changed()
            self._announce()
            if self._key is not None:
                self.refresh_calls_left()

    # --- the sandbox -----------------------------------------------------------------

    def enable_sandbox(self) -> None:
        """Send every call to the offline demo server, with its demo key."""
        if self._sandbox is None:
            self._sandbox = self._start_sandbox()
        self._controller.set_base_url(self._sandbox.base_url)
        # A key replaces any login session: an email login ends here.
        self._controller.set_api_key(self._sandbox.keys["valid"])
        self._email = None
        self._credentials_changed()
        self._announce()
        self.refresh_calls_left()

    def disable_sandbox(self) -> None:
        """Back to the live service with the live key (if any)."""
        if self._sandbox is None:
            return
        self._leave_sandbox()
        self._announce()
        self.refresh_calls_left()

    def _leave_sandbox(self) -> None:
        if self._sandbox is None:
            return
        self._controller.set_base_url(self.live_base_url)
        self._controller.set_api_key(self._key)
        self._sandbox.stop()
        self._sandbox = None
        self._credentials_changed()

    def stop(self) -> None:
        """At quit: stop the sandbox server if it runs."""
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None

    # --- what AffiliTest says of the account -----------------------------------------

    def refresh_calls_left(self) -> None:
        """Ask for the calls left (which also tells whether the credentials work)."""
        if not self.state.signed_in:
            return
        epoch = self._epoch
        self._controller.request(CallsLeft(), lambda outcome: self._calls_left_came(epoch, outcome))

    def _calls_left_came(self, epoch: int, outcome: CallOutcome) -> None:
        if epoch != self._epoch:
            return  # asked with credentials that have changed since
        if outcome.error is None:
            self._verified = True
            self._calls_left = outcome.value
            self._calls_left_note = "" if outcome.value is not None else "not in the answer"
            self._announce()
            return
        self._calls_left_note = describe(outcome.error).title
        if isinstance(outcome.error, ACCOUNT_ERRORS):
            self.note_refusal(outcome.error)
            self.refused.emit(outcome.error)
        else:
            self._announce()

    def note_refusal(self, error: AffiliTestError) -> None:
        """AffiliTest refused the account: a 401 unverifies the credentials; a 403 for
        an empty budget means 0 calls left, known without asking."""
        if isinstance(error, AuthError):
            self._verified = False
            self._epoch += 1
        elif describe(error).entry.key == NO_BUDGET:
            self._calls_left = 0
        else:  # no permission, and the like: the same credentials would be refused again
            self._refused = True
        self._announce()

    def _credentials_changed(self) -> None:
        self._epoch += 1
        self._verified = False
        self._refused = False
        self._calls_left = None
        self._calls_left_note = ""

    def _announce(self) -> None:
        self.changed.emit(self.state)
