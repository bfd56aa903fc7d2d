"""The health of a check, from rules kept as data, each with a plain-language reason.

*Broken* means the offer loses clicks (ends in an error, a loop, the wrong app or
place); *Warning* means it works but something deserves a look (many hops, plain
http, a slow chain, a destination that blocked the checker); *Not checked* means the
API failed (never counted as broken); *Cancelled* means it was never checked.
The single-check log, the offers view and both command-line twins use this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from urllib.parse import urlsplit

from affilitest_gui.chains.params import Survival, follow
from affilitest_gui.chains.places import STORES_WITHOUT_APP, place, store_of
from affilitest_gui.judging.expectations import Expectation, ExpectKind, applies_to
from affilitest_gui.judging.verdict import BOT_BLOCK_CODES, HOP_LIMIT

MANY_HOPS = 10
SLOW_CHECK_S = 15.0


class Health(str, Enum):
    OK = "ok"
    WARNING = "warning"
    BROKEN = "broken"
    NOT_CHECKED = "not_checked"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return HEALTH_LABELS[self]

    @property
    def severity(self) -> int:
        """Higher is worse: an offer's health is the worst of its checks."""
        return SEVERITY.index(self)


HEALTH_LABELS = {
    Health.OK: "OK",
    Health.WARNING: "Warning",
    Health.BROKEN: "Broken",
    Health.NOT_CHECKED: "Not checked",
    Health.CANCELLED: "Cancelled",
}
SEVERITY = (Health.CANCELLED, Health.OK, Health.NOT_CHECKED, Health.WARNING, Health.BROKEN)


def worst(healths: Sequence[Health]) -> Health | None:
    return max(healths, key=lambda health: health.severity) if healths else None


@dataclass(frozen=True)
class Chain:
    """What the rules look at: one check's chain and what it was expected to reach."""

    hops: tuple[tuple[str, int | None], ...]
    device: str = ""
    preview_match: bool | None = None
    duration_s: float | None = None
    expects: tuple[Expectation, ...] = ()

    @property
    def last_url(self) -> str:
        return self.hops[-1][0] if self.hops else ""

    @property
    def last_code(self) -> int | None:
        return self.hops[-1][1] if self.hops else None

    @property
    def blocked_by_site(self) -> bool:
        return len(self.hops) > 1 and self.last_code in BOT_BLOCK_CODES

    @property
    def applicable(self) -> tuple[Expectation, ...]:
        return tuple(e for e in self.expects if applies_to(e, self.device))

    @cached_property
    def survival(self) -> Survival:
        """What happens to the first hop's click ID along the chain."""
        return follow([url for url, _ in self.hops])


@dataclass(frozen=True)
class Rule:
    """When `test` returns a reason, the check has at least `health`."""

    key: str
    health: Health
    test: Callable[[Chain], str | None]


@dataclass(frozen=True)
class Judgement:
    health: Health
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        if not self.reasons:
            return self.health.label
        return f"{self.health.label}: {'; '.join(self.reasons)}"


def _loop(chain: Chain) -> str | None:
    urls = [url for url, _ in chain.hops]
    if chain.hops and chain.last_url in urls[:-1]:
        return f"redirect loop: hop {len(urls)} goes back to hop {urls.index(chain.last_url) + 1}"
    return None


def _too_many(chain: Chain) -> str | None:
    code = chain.last_code
    if len(chain.hops) >= HOP_LIMIT and code is not None and 300 <= code < 400:
        return f"too many redirects: still redirecting after {HOP_LIMIT} hops"
    return None


def _ends_in_error(chain: Chain) -> str | None:
    code = chain.last_code
    if code is not None and code >= 400 and not chain.blocked_by_site:
        return f"ends in HTTP {code} at {place(chain.last_url)}"
    return None


def _no_chain(chain: Chain) -> str | None:
    return None if chain.hops else "AffiliTest returned no redirect chain"


def _store_without_app(chain: Chain) -> str | None:
    store = store_of(chain.last_url) if chain.hops else None
    if store in STORES_WITHOUT_APP:
        return f"lands on a {store} page that names no app (the app may be gone)"
    return None


def _wrong_destination(chain: Chain) -> str | None:
    """Each expectation for this device: the right store app, or the right domain."""
    if not chain.hops:
        return None
    store = store_of(chain.last_url)
    host = (urlsplit(chain.last_url).hostname or "").lower()
    for expect in chain.applicable:
        if expect.kind is ExpectKind.PLAY and store != f"Play Store: {expect.value}":
            return f"expected {expect.description}, {_landed(store, chain.last_url)}"
        if expect.kind is ExpectKind.APP_STORE and store != f"App Store: id{expect.value}":
            return f"expected {expect.description}, {_landed(store, chain.last_url)}"
        if expect.kind is ExpectKind.DOMAIN and not (
            host == expect.value or host.endswith("." + expect.value)
        ):
            return f"expected {expect.description}, {_landed(store, chain.last_url)}"
    return None


def _landed(store: str | None, url: str) -> str:
    return f"lands on {store}" if store else f"ends on {place(url)}"


def _misses_preview(chain: Chain) -> str | None:
    if chain.preview_match is False:
        return f"does not reach the preview page (ends on {place(chain.last_url)})"
    return None


def _blocked(chain: Chain) -> str | None:
    if chain.blocked_by_site:
        return (
            f"the site blocked the checker (HTTP {chain.last_code} at "
            f"{place(chain.last_url)}); people may still get through"
        )
    return None


def _many_hops(chain: Chain) -> str | None:
    count = len(chain.hops)
    if MANY_HOPS < count < HOP_LIMIT or (count >= HOP_LIMIT and not _too_many(chain)):
        return f"{count} hops (more than {MANY_HOPS}): every hop can lose the click"
    return None


def _plain_http(chain: Chain) -> str | None:
    for number, (url, _) in enumerate(chain.hops, 1):
        if url.lower().startswith("http://") and not _is_loopback(url):
            return f"hop {number} is plain http (not encrypted): {place(url)}"
    return None


def _is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in ("127.0.0.1", "localhost", "::1")


def _error_on_the_way(chain: Chain) -> str | None:
    for number, (url, code) in enumerate(chain.hops[:-1], 1):
        if code is not None and code >= 400:
            return f"hop {number} answered HTTP {code} ({place(url)}), yet the chain went on"
    return None


def _click_id_lost(chain: Chain) -> str | None:
    lost = chain.survival.lost
    return lost[0].text if lost else None


def _unexpanded_macro(chain: Chain) -> str | None:
    macros = chain.survival.macros
    return macros[0].text if macros else None


# Landing pages whose address says the offer is gone: networks send expired or paused
# offers' clicks there with a 200. A pattern of the last URL (path or query) -> reason.
OFFER_GONE_PAGES: tuple[tuple[str, str], ...] = (
    (r"offer[_-]?(?:not[_-]?available|unavailable)", "the offer is not available"),
    (r"offer[_-]?(?:expired|ended|finished)", "the offer has expired"),
    (r"offer[_-]?(?:paused|stopped|inactive|disabled)", "the offer is paused"),
    (r"campaign[_-]?(?:expired|ended|paused|inactive)", "the campaign has ended or is paused"),
    (r"(?:^|/)expired(?:[/.?#]|$)", "the page says expired"),
    (r"(?:^|[/_-])not[_-]?available(?:[/.?#_-]|$)", "the page says not available"),
    (r"(?:^|[/_-])no[_-]?offers?[_-]?available", "the page says no offer is available"),
    (r"(?:^|/)(?:offer|link)[_-]?removed", "the offer was removed"),
)
_OFFER_GONE = tuple((re.compile(pattern, re.IGNORECASE), reason)
                    for pattern, reason in OFFER_GONE_PAGES)  # fmt: skip


def _offer_gone(chain: Chain) -> str | None:
    if not chain.hops:
        return None
    parts = urlsplit(chain.last_url)
    address = f"{parts.path}?{parts.query}"
    for pattern, reason in _OFFER_GONE:
        if pattern.search(address):
            return f"{reason} (ends on {place(chain.last_url)})"
    return None


def _slow(chain: Chain) -> str | None:
    if chain.duration_s is not None and chain.duration_s > SLOW_CHECK_S:
        return f"slow: the check took {chain.duration_s:.0f} s"
    return None


# The rules, in the order their reasons are listed.
RULES: tuple[Rule, ...] = (
    Rule("no_chain", Health.BROKEN, _no_chain),
    Rule("loop", Health.BROKEN, _loop),
    Rule("too_many_redirects", Health.BROKEN, _too_many),
    Rule("ends_in_error", Health.BROKEN, _ends_in_error),
    Rule("store_without_app", Health.BROKEN, _store_without_app),
    Rule("wrong_destination", Health.BROKEN, _wrong_destination),
    Rule("misses_preview", Health.BROKEN, _misses_preview),
    Rule("offer_gone", Health.WARNING, _offer_gone),
    Rule("blocked_by_site", Health.WARNING, _blocked),
    Rule("many_hops", Health.WARNING, _many_hops),
    Rule("plain_http", Health.WARNING, _plain_http),
    Rule("error_on_the_way", Health.WARNING, _error_on_the_way),
    Rule("slow", Health.WARNING, _slow),
    Rule("click_id_lost", Health.WARNING, _click_id_lost),
    Rule("unexpanded_macro", Health.WARNING, _unexpanded_macro),
)


def judge(chain: Chain) -> Judgement:
    """The health of a check that was answered, with every reason that applies."""
    found = [(rule.health, reason) for rule in RULES if (reason := rule.test(chain))]
    if not found:
        return Judgement(Health.OK, (_ok_reason(chain),))
    health = worst([health for health, _ in found]) or Health.OK
    ordered = [reason for h, reason in found if h is health] + [
        reason for h, reason in found if h is not health
    ]
    return Judgement(health, tuple(ordered))


def _ok_reason(chain: Chain) -> str:
    if chain.applicable:
        return f"lands on {chain.applicable[0].description}, as expected"
    return _landed(store_of(chain.last_url), chain.last_url)
