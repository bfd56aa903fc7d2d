"""The AffiliTest HTTP client: one requests.Session, typed results, typed errors.

It sends one request per call and never retries or waits: throttling and retrying
belong to the engine, so that every attempt passes through the same throttle.
"""

from __future__ import annotations

import copy
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from affilitest_gui.api.catalog import entry_for_message
from affilitest_gui.api.errors import (
    AffiliTestError,
    AuthError,
    BadRequestError,
    ForbiddenError,
    HTTPStatusError,
    MalformedResponseError,
    NetworkError,
    RateLimitedError,
    ServerError,
    ServiceError,
    TLSError,
)
from affilitest_gui.api.limits import DEFAULT_CONCURRENCY, TIMEOUTS, Timeouts
from affilitest_gui.api.models import (
    AppInfo,
    CheckRequest,
    CheckResult,
    parse_app_info,
    parse_calls_left,
    parse_chain,
    parse_preview_match,
)
from affilitest_gui.api.validation import validate_api_key, validate_country
from affilitest_gui.api.vendor import WEBSITE
from affilitest_gui.loopback import is_loopback_url

DEFAULT_BASE_URL = WEBSITE

_ERROR_BY_STATUS: dict[int, type[AffiliTestError]] = {
    400: BadRequestError,
    401: AuthError,
    403: ForbiddenError,
    429: RateLimitedError,
}


class AffiliTestClient:
    """A thread-safe client of one AffiliTest account (API key or login session)."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        pool_size: int = DEFAULT_CONCURRENCY,
        timeouts: Timeouts = TIMEOUTS,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._api_key: str | None = validate_api_key(api_key) if api_key else None
        self._session = session or requests.Session()
        # One pooled connection per thread that may call at once: a smaller pool makes
        # urllib3 discard connections ("Connection pool is full") and reconnect.
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        # Proxies come from the environment, except for the loopback sandbox: its
        # traffic must never leave this machine through a proxy.
        self._session.trust_env = not is_loopback_url(self.base_url)
        self._session.headers["User-Agent"] = "AffiliTest-GUI"

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def __enter__(self) -> AffiliTestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def with_base_url(self, base_url: str) -> AffiliTestClient:
        """A client for another address that keeps this one's key and login cookies."""
        moved = AffiliTestClient(base_url, pool_size=self.pool_size, timeouts=self.timeouts)
        with self._lock:
            moved._api_key = self._api_key
            for cookie in self._session.cookies:
                moved._session.cookies.set_cookie(copy.copy(cookie))
        return moved

    def with_credentials(self, *, api_key: str, base_url: str | None = None) -> AffiliTestClient:
        """A separate client with another key (to try a candidate), at `base_url` or here."""
        return AffiliTestClient(
            base_url or self.base_url, api_key, pool_size=1, timeouts=self.timeouts
        )

    # --- authentication -------------------------------------------------------------

    def set_api_key(self, api_key: str | None) -> None:
        """Use this key from now on (None: none); drops any login session."""
        key = validate_api_key(api_key) if api_key else None
        with self._lock:
            self._api_key = key
            self._session.cookies.clear()

    def login(self, email: str, password: str) -> None:
        """Open a login session (its cookie lives in memory only) instead of a key."""
        with self._lock:
            self._api_key = None
            self._session.cookies.clear()
        self._call("POST", "/user/login", "login", data={"email": email, "password": password})

    def logout(self) -> None:
        """End the server's session: POST, or GET where the server wants that (the
        vendor's own Python client sends GET). The cookie is dropped either way."""
        try:
            try:
                self._call("POST", "/user/logout", "logout")
            except (HTTPStatusError, BadRequestError, MalformedResponseError):
                self._call("GET", "/user/logout", "logout")
        finally:
            self._session.cookies.clear()

    # --- endpoints ------------------------------------------------------------------

    def check(self, request: CheckRequest) -> CheckResult:
        """Run one test or compareToPreview check and return its redirect chain."""
        data = {"url": request.url, "country": request.country, "device": request.device}
        if request.preview_url:
            data["previewURL"] = request.preview_url
        path = f"/api/v1/{request.endpoint}" + ("?codes" if request.codes else "")
        started = time.monotonic()
        envelope = self._call("POST", path, request.endpoint, data=data)
        return CheckResult(
            request=request,
            hops=parse_chain(envelope, request.endpoint),
            elapsed_s=time.monotonic() - started,
            preview_match=parse_preview_match(envelope) if request.preview_url else None,
            envelope=envelope,
        )

    def calls_left(self) -> int | None:
        """The calls left in the account's budget (None if the answer had no number)."""
        return parse_calls_left(self._call("GET", "/api/v1/callsLeft", "callsLeft"))

    def app_info(
        self, *, url: str | None = None, package: str | None = None, country: str | None = None
    ) -> AppInfo:
        """App details by store URL, or by package / App Store id (+ country)."""
        params: dict[str, str] = {}
        if url:
            params["url"] = url.strip()
        if package:
            params["package"] = package.strip()
        if country:
            params["country"] = validate_country(country)
        return parse_app_info(self._call("GET", "/api/v1/appInfo", "appInfo", params=params))

    # --- transport ------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        data: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {}
        with self._lock:
            if self._api_key:
                headers["Authorization"] = f"AT-API {self._api_key}"
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                data=data,
                params=params,
                headers=headers,
                timeout=self.timeouts.as_tuple(),
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise TLSError(_first_line(exc), endpoint=endpoint, sent=False) from None
        except requests.exceptions.RequestException as exc:
            before = _failed_before_sending(exc)
            raise NetworkError(
                _network_message(exc, before, self.base_url), endpoint=endpoint, sent=not before
            ) from None
        return _read_envelope(response, endpoint)


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def _network_message(exc: requests.exceptions.RequestException, before: bool, base_url: str) -> str:
    """What went wrong with the connection, in a sentence a user can act on."""
    host = urlsplit(base_url).hostname or base_url
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"{host} did not answer within the connect time limit"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"{host} accepted the request but sent no answer in time"
    if before:
        return f"could not connect to {host}"
    return "the connection was cut before the answer arrived"


def _failed_before_sending(exc: requests.exceptions.RequestException) -> bool:
    """True when the request certainly never reached the server (connect failed)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, (requests.exceptions.ReadTimeout, requests.exceptions.ChunkedEncodingError)):
        return False
    cause: BaseException | None = exc
    while cause is not None:
        reason = getattr(cause, "reason", None)
        if isinstance(cause, (NewConnectionError, NameResolutionError, ConnectTimeoutError)):
            return True
        if isinstance(reason, (NewConnectionError, NameResolutionError, ConnectTimeoutError)):
            return True
        cause = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
    return False


def _read_envelope(response: requests.Response, endpoint: str) -> dict[str, Any]:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    envelope = body if isinstance(body, dict) and ("error" in body or "data" in body) else None
    message, from_server = _message_of(envelope, response)

    if status >= 400 or (envelope is not None and envelope.get("error")):
        raise _error_for(status, message, endpoint, response, from_server)
    if envelope is None:
        raise MalformedResponseError(message, status=status, endpoint=endpoint)
    return envelope


def _message_of(
    envelope: dict[str, Any] | None, response: requests.Response
) -> tuple[str, bool]:
    """The server's error message (True), or what the app saw instead of one (False)."""
    if envelope is not None and envelope.get("error"):
        return str(envelope["error"])[:1000], True
    content_type = response.headers.get("Content-Type", "")
    code = response.status_code
    if not response.content:
        return f"an empty answer (HTTP {code})", False
    if "html" in content_type or response.text.lstrip().startswith("<"):
        return f"a web page (HTTP {code})", False
    if envelope is None:
        return f"an answer in an unknown format (HTTP {code})", False
    return f"an answer with no error message (HTTP {code})", False


def _error_for(
    status: int,
    message: str,
    endpoint: str,
    response: requests.Response,
    from_server: bool,
) -> AffiliTestError:
    if status == 200:
        # An error on a 200: classify by the message where the catalog knows it.
        entry = entry_for_message(message)
        cls = _ERROR_BY_STATUS.get(entry.status or 0, ServiceError) if entry else ServiceError
    elif status >= 500:
        cls = ServerError
    else:
        cls = _ERROR_BY_STATUS.get(status, HTTPStatusError)
    if cls is RateLimitedError:
        return RateLimitedError(
            message,
            retry_after_s=retry_after_seconds(response),
            status=status,
            endpoint=endpoint,
            from_server=from_server,
        )
    return cls(message, status=status, endpoint=endpoint, from_server=from_server)


def retry_after_seconds(response: requests.Response) -> float | None:
    """Retry-After as seconds: a number, or an HTTP-date read against the Date header."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    try:
        now = parsedate_to_datetime(response.headers["Date"])
    except (KeyError, TypeError, ValueError):
        now = datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())
