"""One row of the results log, built from a check's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from affilitest_gui.api.catalog import describe
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.models import CheckRequest, CheckResult
from affilitest_gui.api.verdict import CANCELLED_VERDICT, verdict_for_error, verdict_for_result

OK, FAILED, CANCELLED = "ok", "failed", "cancelled"


@dataclass(frozen=True)
class HistoryRecord:
    """A finished (or cancelled) check as the log keeps it. `id` is None until stored."""

    checked_at: str
    url: str
    country: str
    device: str
    outcome: str
    verdict: str
    hops: tuple[tuple[str, int | None], ...] = ()
    preview_url: str | None = None
    attempts: int = 0
    duration_s: float | None = None
    error_key: str | None = None
    error_status: int | None = None
    error_message: str | None = None
    sandbox: bool = False
    id: int | None = None

    @property
    def final_url(self) -> str:
        return self.hops[-1][0] if self.hops else ""

    @property
    def codes(self) -> str:
        return " \u2192 ".join("-" if code is None else str(code) for _, code in self.hops)

    @property
    def request(self) -> CheckRequest:
        return CheckRequest(self.url, self.country, self.device, self.preview_url)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def record_for(
    request: CheckRequest,
    *,
    result: CheckResult | None = None,
    error: AffiliTestError | None = None,
    attempts: int = 0,
    sandbox: bool = False,
) -> HistoryRecord:
    """The log row for a done (result), failed (error) or cancelled (neither) check."""
    common = {
        "checked_at": _now(),
        "url": request.url,
        "country": request.country,
        "device": request.device,
        "preview_url": request.preview_url,
        "sandbox": sandbox,
    }
    if result is not None:
        return HistoryRecord(
            **common,
            outcome=OK,
            verdict=verdict_for_result(result),
            hops=tuple((hop.url, hop.code) for hop in result.hops),
            attempts=result.attempts,
            duration_s=round(result.elapsed_s, 3),
        )
    if error is not None:
        return HistoryRecord(
            **common,
            outcome=FAILED,
            verdict=verdict_for_error(error),
            attempts=attempts,
            error_key=describe(error).entry.key,
            error_status=error.status,
            error_message=error.server_message,
        )
    return HistoryRecord(**common, outcome=CANCELLED, verdict=CANCELLED_VERDICT, attempts=attempts)
