"""Each health rule, on a realistic chain, with its plain-language reason."""

from __future__ import annotations

import pytest

from affilitest_gui.judging.expectations import Expectation, ExpectKind
from affilitest_gui.judging.health import RULES, Chain, Health, judge, worst

TRACK = "https://track.example/aff_c?offer_id=1&aff_id=2"
PLAY = "https://play.google.com/store/apps/details?id=com.example.game"
APPLE = "https://apps.apple.com/us/app/id310633997"
GAME = Expectation(ExpectKind.PLAY, "com.example.game")
IOS_GAME = Expectation(ExpectKind.APP_STORE, "310633997")


def chain(*hops, **facts) -> Chain:
    return Chain(tuple(hops), facts.pop("device", "android"), **facts)


CASES = [
    ("no_chain", chain(), Health.BROKEN, "no redirect chain"),
    ("loop", chain((TRACK, 302), ("https://a.example/x", 302), (TRACK, 302)), Health.BROKEN,
     "redirect loop: hop 3 goes back to hop 1"),
    ("too_many_redirects", chain(*[(f"https://r.example/{n}", 302) for n in range(20)]),
     Health.BROKEN, "still redirecting after 20 hops"),
    ("ends_in_error", chain((TRACK, 302), ("https://adv.example/gone", 404)), Health.BROKEN,
     "ends in HTTP 404 at adv.example/gone"),
    ("store_without_app", chain((TRACK, 302), ("https://play.google.com/store/apps", None)),
     Health.BROKEN, "names no app"),
    ("wrong_destination", chain((TRACK, 302), (PLAY.replace("game", "other"), None),
                                expects=(GAME,)),
     Health.BROKEN, "expected Play Store app com.example.game, lands on Play Store: "
                    "com.example.other"),
    ("misses_preview", chain((TRACK, 302), ("https://adv.example/lp", 200), preview_match=False),
     Health.BROKEN, "does not reach the preview page"),
    ("offer_gone", chain((TRACK, 302), ("https://adv.example/offer-expired", 200)),
     Health.WARNING, "the offer has expired"),
    ("blocked_by_site", chain((TRACK, 302), ("https://adv.example/lp", 403)), Health.WARNING,
     "the site blocked the checker (HTTP 403"),
    ("many_hops", chain(*[(f"https://r.example/{n}", 302) for n in range(11)], (PLAY, None)),
     Health.WARNING, "12 hops (more than 10)"),
    ("plain_http", chain((TRACK, 302), ("http://adv.example/lp", 200)), Health.WARNING,
     "hop 2 is plain http"),
    ("error_on_the_way", chain((TRACK, 302), ("https://mmp.example/c", 500), (PLAY, None)),
     Health.WARNING, "hop 2 answered HTTP 500"),
    ("slow", chain((TRACK, 302), (PLAY, None), duration_s=21.0), Health.WARNING,
     "slow: the check took 21 s"),
    ("click_id_lost", chain(("https://t.example/c?oid=1&affid=2&clickid=abc123def456", 302),
                            ("https://app.adjust.com/abc123?campaign=x", 302), (PLAY, None)),
     Health.WARNING, "click ID clickid lost at hop 2 (Adjust): attribution will fail"),
    ("unexpanded_macro", chain(("https://t.example/c?sub1={clickid}", 302), (PLAY, None)),
     Health.WARNING, "unexpanded macro {clickid} reaches hop 1"),
]  # fmt: skip


def test_every_rule_has_a_case():
    assert {rule.key for rule in RULES} == {key for key, *_ in CASES}


@pytest.mark.parametrize(("key", "checked", "health", "reason"), CASES,
                         ids=[case[0] for case in CASES])  # fmt: skip
def test_each_rule_says_why(key, checked, health, reason):
    [rule] = [rule for rule in RULES if rule.key == key]
    said = rule.test(checked)
    assert said is not None and reason in said
    judged = judge(checked)
    assert judged.health is health and said in judged.reasons


def test_a_chain_that_lands_where_expected_is_ok():
    judged = judge(chain((TRACK, 302), (PLAY, None), expects=(GAME, IOS_GAME)))
    assert judged.health is Health.OK
    assert judged.reasons == ("lands on Play Store app com.example.game, as expected",)


def test_an_expectation_counts_only_for_its_devices():
    # An App Store expectation says nothing of an Android check, and the reverse.
    assert judge(chain((TRACK, 302), (PLAY, None), expects=(IOS_GAME,))).health is Health.OK
    on_iphone = chain((TRACK, 302), (PLAY, None), device="iphone", expects=(GAME, IOS_GAME))
    judged = judge(on_iphone)
    assert judged.health is Health.BROKEN
    assert judged.reasons[0].startswith("expected App Store app id310633997")


def test_a_domain_expectation_accepts_subdomains():
    site = Expectation(ExpectKind.DOMAIN, "example.com")
    assert judge(chain((TRACK, 302), ("https://www.example.com/lp", 200),
                       expects=(site,))).health is Health.OK  # fmt: skip
    assert judge(chain((TRACK, 302), ("https://notexample.com/lp", 200),
                       expects=(site,))).health is Health.BROKEN  # fmt: skip


def test_bot_blocking_is_a_warning_not_broken():
    blocked = judge(chain((TRACK, 302), ("https://adv.example/lp", 429)))
    assert blocked.health is Health.WARNING
    # The tracking link itself refusing is no bot block: the offer is broken.
    assert judge(chain((TRACK, 403))).health is Health.BROKEN


def test_broken_reasons_come_before_warnings():
    judged = judge(chain(("http://track.example/c", 302), ("https://adv.example/x", 404)))
    assert judged.health is Health.BROKEN
    assert judged.reasons[0].startswith("ends in HTTP 404")
    assert judged.reasons[1].startswith("hop 1 is plain http")


def test_the_worst_health_of_an_offer():
    assert worst([Health.OK, Health.WARNING, Health.NOT_CHECKED]) is Health.WARNING
    assert worst([Health.OK, Health.BROKEN, Health.CANCELLED]) is Health.BROKEN
    assert worst([Health.CANCELLED, Health.NOT_CHECKED]) is Health.NOT_CHECKED
    assert worst([]) is None


def test_the_verdict_words_agree_with_the_health():
    from affilitest_gui.api.models import CheckRequest, CheckResult, Hop
    from affilitest_gui.judging.records import record_for

    request = CheckRequest("https://track.example/c", "us", "android")

    def record(*hops):
        return record_for(request, result=CheckResult(request, tuple(Hop(*h) for h in hops)))

    blocked = record((TRACK, 302), ("https://adv.example/lp", 403))
    assert blocked.verdict == "Site blocked the checker: 403 at adv.example/lp"
    assert blocked.health is Health.WARNING
    gone = record((TRACK, 302), ("https://play.google.com/store/apps", None))
    assert gone.verdict == "Lands on Play Store, no app named (removed?)"
    assert gone.health is Health.BROKEN


@pytest.mark.parametrize(
    ("landing", "said"),
    [("https://net.example/offer_not_available?id=3", "the offer is not available"),
     ("https://net.example/lp/offer-expired", "the offer has expired"),
     ("https://net.example/offer_paused.html", "the offer is paused"),
     ("https://net.example/expired", "the page says expired"),
     ("https://net.example/page/not-available", "the page says not available"),
     ("https://net.example/?r=campaign_ended", "the campaign has ended or is paused"),
     ("https://net.example/no-offers-available", "the page says no offer is available")],
)  # fmt: skip
def test_a_landing_that_says_the_offer_is_gone_is_a_warning_with_the_reason(landing, said):
    found = judge(Chain((("https://t.example/click", 302), (landing, 200))))
    assert found.health is Health.WARNING and found.reasons[0].startswith(said)


@pytest.mark.parametrize(
    "landing",
    ["https://shop.example/offers/available-now", "https://news.example/expired-domains-guide",
     "https://play.google.com/store/apps/details?id=com.example.game"],
)  # fmt: skip
def test_a_page_that_merely_mentions_such_words_is_not_flagged(landing):
    assert judge(Chain((("https://t.example/click", 302), (landing, 200)))).health is Health.OK
