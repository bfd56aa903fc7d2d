"""A check's outcome in plain words: "Lands on Play Store: com.example", "Broken: ends in 404"."""

from __future__ import annotations

from affilitest_gui.api.catalog import describe
from affilitest_gui.api.errors import AffiliTestError
from affilitest_gui.api.models import CheckResult
from affilitest_gui.chains.places import STORES_WITHOUT_APP, place, store_of

HOP_LIMIT = 20
# A destination that answers these to a checker is usually blocking bots, not broken:
# link checkers are known to cry wolf there, and a false "broken" pauses a working offer.
BOT_BLOCK_CODES = (403, 429)
def verdict_for_result(result: CheckResult) -> str:
    hops = result.hops
    if not hops:
        return "No redirect chain returned"
    urls = [hop.url for hop in hops]
    last = hops[-1]
    if last.url in urls[:-1]:
        return "Redirect loop"
    if len(hops) >= HOP_LIMIT and last.code is not None and 300 <= last.code < 400:
        return f"Too many redirects ({HOP_LIMIT}+)"
    if last.code in BOT_BLOCK_CODES and len(hops) > 1:
        return f"Site blocked the checker: {last.code} at {place(last.url)}"
    if last.code is not None and last.code >= 400:
        return f"Broken: ends in {last.code}"
    if result.preview_match is False:
        return f"Misses the preview page: ends on {place(last.url)}"
    store = store_of(last.url)
    if store in STORES_WITHOUT_APP:
        return f"Lands on {store}, no app named (removed?)"
    if store:
        return f"Lands on {store}"
    if result.preview_match is True:
        return "Lands on the preview page"
    return f"Lands on {place(last.url)}"


def verdict_for_error(error: AffiliTestError) -> str:
    title = describe(error).title
    if not title.startswith("AffiliTest"):  # a proper name keeps its capital
        title = title[0].lower() + title[1:]
    return f"Failed: {title}"


CANCELLED_VERDICT = "Cancelled: not checked"
UNANSWERED_VERDICT = "Not finished: sent, but no answer before the app closed (may be charged)"
