"""The sandbox's accounts, keys, login sessions and budgets, and how it authenticates."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

DEMO_EMAIL = "demo@sandbox.invalid"
DEMO_PASSWORD = "sandbox-demo"
SESSION_COOKIE = "session"

# The seed's 401 messages, verbatim.
MSG_NEEDS_AUTH = "Authorization is needed to access this feature"
MSG_MISSING_AUTH = "Missing Authorization data"
MSG_BAD_AUTH_TYPE = "Invalid Authorization type"
MSG_BAD_KEY_LENGTH = "Invalid API Key length"
MSG_BAD_KEY = "Invalid API Key"
MSG_BAD_SESSION = "Incorrect session value provided"
MSG_SESSION_EXPIRED = "Login session expired"
MSG_NOT_VERIFIED = "Please verify your account"
# The 403 texts are not public; these are the sandbox's own.
MSG_NO_PERMISSION = "You don't have sufficient permissions to perform this action"
MSG_NO_BUDGET = "You have no calls left in your budget"


class Refused(Exception):
    """A request the sandbox answers with an error status and message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Account:
    name: str
    key: str
    budget: int
    verified: bool = True
    permitted: bool = True
    arrivals: deque[float] = field(default_factory=deque)


@dataclass
class Session:
    account: Account
    expires_at: float


def demo_key(seed: int, name: str) -> str:
    """A stable 64-character key per account name and seed."""
    return hashlib.sha256(f"affilitest-sandbox:{seed}:{name}".encode()).hexdigest()


class Accounts:
    """The four demo accounts, login sessions and the per-account sliding rate window."""

    def __init__(
        self,
        *,
        seed: int,
        budget: int,
        limit: int,
        window_s: float,
        session_ttl_s: float,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.session_ttl_s = session_ttl_s
        self._lock = threading.Lock()
        spec = {
            "valid": {},
            "unverified": {"verified": False},
            "no_budget": {"budget": 0},
            "no_permission": {"permitted": False},
        }
        self.by_name: dict[str, Account] = {}
        for name, overrides in spec.items():
            values = {"budget": budget, **overrides}
            self.by_name[name] = Account(name=name, key=demo_key(seed, name), **values)
        self._by_key = {account.key: account for account in self.by_name.values()}
        self._sessions: dict[str, Session] = {}

    @property
    def keys(self) -> dict[str, str]:
        return {name: account.key for name, account in self.by_name.items()}

    def login(self, email: str, password: str) -> str:
        if email.strip().lower() != DEMO_EMAIL or password != DEMO_PASSWORD:
            raise Refused(401, "Incorrect email or password")
        token = secrets.token_hex(24)
        with self._lock:
            self._sessions[token] = Session(
                self.by_name["valid"], time.monotonic() + self.session_ttl_s
            )
        return token

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def expire_sessions(self) -> None:
        """Make every open login session expired (for tests and demos)."""
        with self._lock:
            for session in self._sessions.values():
                session.expires_at = 0.0

    def authenticate(self, authorization: str | None, session_token: str | None) -> Account:
        """The account a request speaks for, or Refused(401) with the seed's message."""
        if authorization is None and session_token is None:
            raise Refused(401, MSG_NEEDS_AUTH)
        if authorization is not None:
            account = self._by_header(authorization)
        else:
            account = self._by_session(session_token or "")
        if not account.verified:
            raise Refused(401, MSG_NOT_VERIFIED)
        return account

    def _by_header(self, header: str) -> Account:
        if not header.strip():
            raise Refused(401, MSG_MISSING_AUTH)
        scheme, _, key = header.strip().partition(" ")
        if scheme != "AT-API":
            raise Refused(401, MSG_BAD_AUTH_TYPE)
        key = key.strip()
        if not key:
            raise Refused(401, MSG_MISSING_AUTH)
        if len(key) != 64:
            raise Refused(401, MSG_BAD_KEY_LENGTH)
        account = self._by_key.get(key)
        if account is None:
            raise Refused(401, MSG_BAD_KEY)
        return account

    def _by_session(self, token: str) -> Account:
        if not token:
            raise Refused(401, MSG_MISSING_AUTH)
        with self._lock:
            session = self._sessions.get(token)
        if session is None:
            raise Refused(401, MSG_BAD_SESSION)
        if session.expires_at < time.monotonic():
            raise Refused(401, MSG_SESSION_EXPIRED)
        return session.account

    def admit(self, account: Account) -> float:
        """Count one arrival in the account's sliding window (returns its time), or 429.

        The time is taken under the lock so every account's log stays in order even
        when many connection threads admit at once.
        """
        with self._lock:
            now = time.monotonic()
            while account.arrivals and now - account.arrivals[0] >= self.window_s:
                account.arrivals.popleft()
            if len(account.arrivals) >= self.limit:
                free_in = self.window_s - (now - account.arrivals[0])
                raise Refused(
                    429,
                    f"Too many requests per second Limit is {self.limit} requests "
                    f"per {self.window_s:g} seconds",
                    {"Retry-After": str(max(1, int(free_in + 0.999)))},
                )
            account.arrivals.append(now)
            return now

    def charge(self, account: Account) -> None:
        """Take one call from the budget, or Refused(403)."""
        if not account.permitted:
            raise Refused(403, MSG_NO_PERMISSION)
        with self._lock:
            if account.budget <= 0:
                raise Refused(403, MSG_NO_BUDGET)
            account.budget -= 1
