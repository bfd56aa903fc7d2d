"""A check's outcome judged: the record the results log keeps (history/ only stores it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from affilitest_gui.api.catalog import Explanation, describe, entry_by_key, explain
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.models import CheckRequest, CheckResult
from affilitest_gui.engine.batch import UNANSWERED
from affilitest_gui.judging.expectations import Expectation
from affilitest_gui.judging.health import Chain, Health, judge
from affilitest_gui.judging.verdict import (
    CANCELLED_VERDICT,
    UNANSWERED_VERDICT,
    verdict_for_error,
    verdict_for_result,
)

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
    codes: bool = True  # were status codes asked for (CheckRequest.codes)
    attempts: int = 0
    duration_s: float | None = None
    error_key: str | None = None
    error_status: int | None = None
    error_message: str | None = None
    error_from_server: bool = True
    sandbox: bool = False
    health: Health = Health.OK
    reasons: tuple[str, ...] = ()
    preview_match: bool | None = None  # compareToPreview's answer, when asked
    offer_ref: int | None = None  # the watch list's offer this check was for
    sends: int = 1  # 2: re-sent after the app stopped mid-call (may be charged twice)
    id: int | None = None

    @property
    def final_url(self) -> str:
        return self.hops[-1][0] if self.hops else ""

    @property
    def status_codes(self) -> str:
        """The hops' codes in order, "-" where none was given: "302 -> 302 -> 200"."""
        return " \u2192 ".join("-" if code is None else str(code) for _, code in self.hops)

    @property
    def request(self) -> CheckRequest:
        """The check again, every field as it was first asked."""
        return CheckRequest(self.url, self.country, self.device, self.preview_url, self.codes)

    @property
    def explanation(self) -> Explanation | None:
        """What the catalog says of this row's failure, as it said it then."""
        if self.outcome != FAILED or not self.error_key:
            return None
        return explain(
            entry_by_key(self.error_key),
            self.error_message or "",
            self.error_status,
            self.error_from_server,
        )


def utc_now() -> datetime:
    """Now, in UTC (the schedules' and the alerts' clock)."""
    return datetime.now(timezone.utc)


def now_text() -> str:
    """Now, in UTC, as the log keeps times."""
    return utc_now().isoformat(timespec="seconds")


def record_for(
    request: CheckRequest,
    *,
    result: CheckResult | None = None,
    error: AffiliTestError | None = None,
    attempts: int = 0,
    reason: str = "",
    sandbox: bool = False,
    expects: tuple[Expectation, ...] = (),
    offer_ref: int | None = None,
) -> HistoryRecord:
    """The log row for a done (result), failed (error) or cancelled (neither) check,
    judged against `expects` (an offer's expectations; none: the general rules).

    A cancelled check whose `reason` is the runner's UNANSWERED was sent but not
    answered in time, and says so.
    """
    common = {
        "checked_at": now_text(),
        "url": request.url,
        "country": request.country,
        "device": request.device,
        "preview_url": request.preview_url,
        "codes": request.codes,
        "sandbox": sandbox,
        "offer_ref": offer_ref,
    }
    if result is not None:
        hops = tuple((hop.url, hop.code) for hop in result.hops)
        duration = round(result.elapsed_s, 3)
        judged = judge(Chain(hops, request.device, result.preview_match, duration, expects))
        return HistoryRecord(
            **common,
            outcome=OK,
            verdict=verdict_for_result(result),
            hops=hops,
            attempts=result.attempts,
            duration_s=duration,
            preview_match=result.preview_match,
            health=judged.health,
            reasons=judged.reasons,
        )
    if error is not None:
        return HistoryRecord(
            **common,
            health=Health.NOT_CHECKED,
            reasons=(describe(error).title,),
            outcome=FAILED,
            verdict=verdict_for_error(error),
            attempts=attempts,
            error_key=describe(error).entry.key,
            error_status=error.status,
            error_message=error.server_message,
            error_from_server=error.from_server,
        )
    verdict = UNANSWERED_VERDICT if reason == UNANSWERED else CANCELLED_VERDICT
    return HistoryRecord(
        **common,
        outcome=CANCELLED,
        verdict=verdict,
        attempts=attempts,
        health=Health.CANCELLED,
        reasons=(verdict,),
    )


def judge_stored(
    outcome: str,
    *,
    device: str,
    hops: tuple[tuple[str, int | None], ...],
    duration_s: float | None,
    preview_match: bool | None,
    error_key: str | None,
) -> tuple[Health, tuple[str, ...]]:
    """Health and reasons of a row kept before the health rules existed, by the general
    rules, as a new row of the same check would be judged."""
    if outcome == CANCELLED:
        return Health.CANCELLED, (CANCELLED_VERDICT,)
    if outcome == FAILED:
        return Health.NOT_CHECKED, (entry_by_key(error_key or "unexpected").title,)
    judged = judge(Chain(hops, device, preview_match, duration_s))
    return judged.health, judged.reasons
