"""The error catalog: what each failure means to a person and what to do about it.

The entries are data; `describe()` picks the one for an error: first by the server's
exact message, then by keywords (the 403 texts are not public), then per status or
failure kind, so an unknown message still gets sensible advice and the server's words.
A text's `{said}` is the server's own words when it sent some ("AffiliTest said: ...")
and otherwise what the app saw ("The app received a web page (HTTP 502).").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.limits import API_RATE_LIMIT
from affilitest_gui.api.vendor import SUPPORT_CONTACT


class Action(str, Enum):
    """What the main button of an error dialog does."""

    ENTER_KEY = "enter_key"
    LOGIN = "login"
    VERIFY_ACCOUNT = "verify_account"
    CHECK_PAYMENT = "check_payment"
    RETRY = "retry"
    CONTACT_SUPPORT = "contact_support"
    FIX_INPUT = "fix_input"


NO_BUDGET = "no_budget"  # the 403 of an account with no calls left: its key


@dataclass(frozen=True)
class CatalogEntry:
    """One failure case; `explanation` may hold `{said}`, `{message}` and `{status}`.

    `action` is the dialog's main button; `other_actions` are offered beside it.
    `sent`, where set, matches only failures that did (or did not) reach the server.
    """

    key: str
    title: str
    explanation: str
    advice: str
    action: Action
    status: int | None = None
    kind: str | None = None
    message: str | None = None
    keywords: tuple[str, ...] = ()
    other_actions: tuple[Action, ...] = ()
    sent: bool | None = None


@dataclass(frozen=True)
class Explanation:
    """A catalog entry applied to one error: ready for a dialog or a log line."""

    entry: CatalogEntry
    title: str
    explanation: str
    advice: str

    @property
    def action(self) -> Action:
        return self.entry.action

    @property
    def actions(self) -> tuple[Action, ...]:
        """The main action first, then the others offered beside it."""
        return (self.entry.action, *self.entry.other_actions)


_KEY_AGAIN = "Copy the key again from your AffiliTest account page and enter it."
_SWITCH_ACCOUNT = (Action.ENTER_KEY, Action.LOGIN)

ENTRIES: tuple[CatalogEntry, ...] = (
    # 401, one entry per message on the vendor's page (verbatim).
    CatalogEntry(
        "not_authorized",
        "Sign-in needed",
        "You are not logged in and no API key was sent with the request.",
        "Enter your API key, or log in with your AffiliTest email and password.",
        Action.ENTER_KEY,
        status=401,
        message="Authorization is needed to access this feature",
    ),
    CatalogEntry(
        "missing_auth_data",
        "The API key is empty",
        "The request carried an empty API key or an empty login session.",
        "Enter your API key again.",
        Action.ENTER_KEY,
        status=401,
        message="Missing Authorization data",
    ),
    CatalogEntry(
        "invalid_auth_type",
        "The key was sent in the wrong format",
        "The service did not accept the way this app sent your key. "
        "This is a fault in AffiliTest GUI, not in your key.",
        "Copy the details for support and send them to us; checks can't run until it is fixed.",
        Action.CONTACT_SUPPORT,
        status=401,
        message="Invalid Authorization type",
    ),
    CatalogEntry(
        "invalid_key_length",
        "The API key is incomplete",
        "A valid AffiliTest key is 64 characters long; the one in use is not.",
        "Part of the key was probably lost when copying. " + _KEY_AGAIN,
        Action.ENTER_KEY,
        status=401,
        message="Invalid API Key length",
    ),
    CatalogEntry(
        "invalid_key",
        "The API key was not accepted",
        "AffiliTest does not know this key. It may be mistyped, or it was replaced by a new one.",
        _KEY_AGAIN + " If it still fails, generate a new key there.",
        Action.ENTER_KEY,
        status=401,
        message="Invalid API Key",
    ),
    CatalogEntry(
        "bad_session",
        "Your login is not valid",
        "The login session this app holds was not accepted by AffiliTest.",
        "Log in again with your email and password.",
        Action.LOGIN,
        status=401,
        message="Incorrect session value provided",
    ),
    CatalogEntry(
        "session_expired",
        "Your login has expired",
        "The login session is too old to be used any more.",
        "Log in again with your email and password.",
        Action.LOGIN,
        status=401,
        message="Login session expired",
    ),
    CatalogEntry(
        "account_not_verified",
        "Your account is not verified yet",
        "AffiliTest only runs checks for verified accounts.",
        "Open the verification mail AffiliTest sent you and follow its link, "
        f"or ask support to verify the account ({SUPPORT_CONTACT}).",
        Action.VERIFY_ACCOUNT,
        status=401,
        message="Please verify your account",
    ),
    CatalogEntry(
        "auth_other",
        "AffiliTest refused the sign-in",
        "{said}",
        "Enter your API key again or log in again. If this keeps happening, contact support.",
        Action.ENTER_KEY,
        status=401,
    ),
    # 403: the texts are not public, so the two cases are told apart by keywords.
    CatalogEntry(
        NO_BUDGET,
        "No calls left",
        "Your AffiliTest account has no calls left in its budget. {said}",
        "Check that your payment has been received and that the account is on a package, "
        "or use another account's key. "
        f"If it is and this persists, contact support ({SUPPORT_CONTACT}).",
        Action.CHECK_PAYMENT,
        status=403,
        keywords=("budget", "calls left", "no calls", "credit", "quota", "balance"),
        other_actions=_SWITCH_ACCOUNT,
    ),
    CatalogEntry(
        "no_permission",
        "This action is not allowed for your account",
        "Your account has no permission for this action. {said}",
        "Check that your payment has been received and that you are on a package that "
        "includes it, or use another account's key. "
        f"If you are and this persists, contact support ({SUPPORT_CONTACT}).",
        Action.CHECK_PAYMENT,
        status=403,
        other_actions=_SWITCH_ACCOUNT,
    ),
    CatalogEntry(
        "bad_request",
        "AffiliTest could not read the request",
        "A parameter was missing or wrongly encoded. {said}",
        "Check the offer URL, the country and the device, then run the check again.",
        Action.FIX_INPUT,
        status=400,
    ),
    CatalogEntry(
        "rate_limited",
        "Waiting for the rate limit",
        f"AffiliTest allows {API_RATE_LIMIT.limit} requests per {API_RATE_LIMIT.window_s:g} "
        "seconds and asked us to slow down.",
        "Nothing to do: the app waits and carries on by itself.",
        Action.RETRY,
        status=429,
        kind="rate_limited",
        message="Too many requests per second Limit is",
    ),
    CatalogEntry(
        "server_error",
        "AffiliTest had a problem",
        "The AffiliTest server failed while handling the check (HTTP {status}), "
        "and it still failed after retries.",
        f"Try again in a few minutes. If it persists, contact support ({SUPPORT_CONTACT}).",
        Action.RETRY,
        kind="server",
    ),
    CatalogEntry(
        "network_after_send",
        "The connection was cut",
        "The check reached AffiliTest, but {message}. AffiliTest may have charged it.",
        "Run the check again. If this keeps happening, a proxy, VPN or unstable network "
        "may be cutting long requests.",
        Action.RETRY,
        kind="network",
        sent=True,
    ),
    CatalogEntry(
        "network",
        "Could not reach AffiliTest",
        "The connection to AffiliTest failed: {message}",
        "Check your internet connection (or VPN/proxy), then retry.",
        Action.RETRY,
        kind="network",
    ),
    CatalogEntry(
        "tls",
        "The connection is not secure",
        "The AffiliTest server's certificate could not be verified, so nothing was sent. "
        "A company proxy that inspects traffic can cause this.",
        "Ask your IT team whether a proxy intercepts HTTPS. Do not work around it; "
        f"contact support ({SUPPORT_CONTACT}) if unsure.",
        Action.CONTACT_SUPPORT,
        kind="tls",
    ),
    CatalogEntry(
        "malformed",
        "AffiliTest sent an unreadable answer",
        "The app received {message} instead of AffiliTest's data. "
        "A proxy or a short outage can cause this.",
        f"Retry in a moment. If it persists, contact support ({SUPPORT_CONTACT}).",
        Action.RETRY,
        kind="malformed",
    ),
    CatalogEntry(
        "http_other",
        "Unexpected answer from AffiliTest",
        "AffiliTest answered with HTTP {status}. {said}",
        f"Retry later. If it persists, contact support ({SUPPORT_CONTACT}).",
        Action.CONTACT_SUPPORT,
        kind="http",
    ),
    CatalogEntry(
        "service",
        "AffiliTest reported a problem",
        "{said}",
        "Check the offer URL, country and device. If the message is unclear, "
        f"contact support ({SUPPORT_CONTACT}).",
        Action.CONTACT_SUPPORT,
        kind="service",
    ),
    CatalogEntry(
        "unexpected",
        "Something went wrong in AffiliTest GUI",
        "The app hit an internal error while handling this check: {message}",
        f"Copy the details for support and send them to us ({SUPPORT_CONTACT}).",
        Action.CONTACT_SUPPORT,
        kind="unexpected",
    ),
)

_BY_KEY = {entry.key: entry for entry in ENTRIES}


def _normalise(text: str) -> str:
    return " ".join(text.split()).rstrip(".!").casefold()


def entry_by_key(key: str) -> CatalogEntry:
    return _BY_KEY[key]


def entry_for_message(message: str, status: int | None = None) -> CatalogEntry | None:
    """The entry whose exact server message (or message prefix, for 429) this is."""
    wanted = _normalise(message)
    for entry in ENTRIES:
        if entry.message is None or (status is not None and entry.status != status):
            continue
        known = _normalise(entry.message)
        if wanted == known or (entry.status == 429 and wanted.startswith(known)):
            return entry
    return None


def entry_for(
    status: int | None, kind: str, message: str, sent: bool = True
) -> CatalogEntry:
    """Exact message, then keywords, then the per-status and per-kind fallback."""
    exact = entry_for_message(message)
    if exact is not None:
        return exact
    folded = message.casefold()
    same_status = [e for e in ENTRIES if status is not None and e.status == status]
    for entry in same_status:
        if any(word in folded for word in entry.keywords):
            return entry
    for entry in same_status:
        if not entry.keywords and (entry.message is None or entry.kind == kind):
            return entry
    for entry in ENTRIES:
        if entry.kind == kind and entry.sent in (None, sent):
            return entry
    return _BY_KEY["http_other"] if status is not None else _BY_KEY["unexpected"]


def explain(
    entry: CatalogEntry, message: str, status: int | None, from_server: bool
) -> Explanation:
    """An entry's texts filled in with one failure's message and status."""
    said = (
        f"AffiliTest said: \u201c{message}\u201d" if from_server else f"The app received {message}."
    )
    fields = {"message": message, "status": status or "-", "said": said}
    return Explanation(
        entry=entry,
        title=entry.title,
        explanation=entry.explanation.format(**fields),
        advice=entry.advice.format(**fields),
    )


def describe(error: AffiliTestError) -> Explanation:
    """The catalog's title, explanation and advice for one error."""
    entry = entry_for(error.status, error.kind, error.server_message, error.sent)
    return explain(entry, error.server_message, error.status, error.from_server)
