"""One exception type per failure class of an AffiliTest call.

Every error carries what support needs: the HTTP status (if any), the server's own
message, the endpoint and the time. None of them ever holds the API key.
"""

from __future__ import annotations

from datetime import datetime, timezone


class InputError(ValueError):
    """A field failed local validation: no call was spent."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class AffiliTestError(Exception):
    """Base of every failure of a call to the AffiliTest API.

    `server_message` is the server's own words when `from_server` is True, else what the
    app observed ("a web page (HTTP 502)", "could not connect to affilitest.com").
    """

    kind = "error"
    from_server_by_default = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        endpoint: str = "",
        sent: bool = True,
        from_server: bool | None = None,
        at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.server_message = message
        self.status = status
        self.endpoint = endpoint
        self.sent = sent
        self.from_server = self.from_server_by_default if from_server is None else from_server
        self.at = at or datetime.now(timezone.utc)

    def __str__(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{status}{self.server_message}{where}"


class BadRequestError(AffiliTestError):
    """400: missing parameters or a wrong encoding."""

    kind = "bad_request"


class AuthError(AffiliTestError):
    """401: the key or the login session was refused (see the catalog for which case)."""

    kind = "auth"


class ForbiddenError(AffiliTestError):
    """403: no permission for the action, or no calls left in the budget."""

    kind = "forbidden"


class RateLimitedError(AffiliTestError):
    """429: too many requests; `retry_after_s` is the server's hint, if it gave one."""

    kind = "rate_limited"

    def __init__(
        self, message: str, *, retry_after_s: float | None = None, **kwargs: object
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after_s = retry_after_s


class ServerError(AffiliTestError):
    """5xx: the service failed; worth retrying."""

    kind = "server"


class HTTPStatusError(AffiliTestError):
    """Any other unexpected HTTP status (404, 405, 418...)."""

    kind = "http"


class ServiceError(AffiliTestError):
    """HTTP 200 with a non-null `error` in the envelope that no other class explains."""

    kind = "service"


class NetworkError(AffiliTestError):
    """The connection failed; `sent` tells whether the request may have reached the server."""

    kind = "network"
    from_server_by_default = False


class TLSError(AffiliTestError):
    """The server's certificate could not be verified: never retried."""

    kind = "tls"
    from_server_by_default = False


class MalformedResponseError(AffiliTestError):
    """The answer was not the JSON envelope the API promises (HTML page, empty body...)."""

    kind = "malformed"
    from_server_by_default = False


class UnexpectedError(AffiliTestError):
    """A bug on our side while handling a call; kept so no outcome is ever lost."""

    kind = "unexpected"
    from_server_by_default = False


ACCOUNT_ERRORS: tuple[type[AffiliTestError], ...] = (AuthError, ForbiddenError)
"""Failures of the account rather than of one check: a batch pauses on them until the
user fixes the key, logs in or tops up, and the checks still waiting are kept."""

