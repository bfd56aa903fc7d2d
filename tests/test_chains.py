"""Who each hop is, and whether the click ID survives: each table entry with a realistic
URL, renames, encodings, MMP hops that drop the ID, and unexpanded macros."""

from __future__ import annotations

import pytest

from affilitest_gui.chains.params import follow, identifiers
from affilitest_gui.chains.parties import PATTERNS, Role, intent_package, party_of, path_text

URLS = {
    "Play Store": "https://play.google.com/store/apps/details?id=com.example.game&referrer=x",
    "App Store": "https://apps.apple.com/us/app/example-quest/id1234567890",
    "Galaxy Store": "https://galaxystore.samsung.com/detail/com.example.game",
    "Huawei AppGallery": "https://appgallery.huawei.com/app/C101234567",
    "Amazon Appstore": "https://www.amazon.com/gp/mas/dl/android?p=com.example.game",
    "AppsFlyer": "https://app.appsflyer.com/com.example.game?pid=network_int&c=summer&clickid=abc",
    "Adjust": "https://app.adjust.com/abc123?campaign=summer&click_id=abc",
    "Branch": "https://example.app.link/AbCdEf?~channel=network",
    "Kochava": "https://control.kochava.com/v1/cpi/click?campaign_id=koexample123&network_id=1",
    "Singular": "https://example.sng.link/Abcde/fghi?_dl=example",
    "AppMetrica": "https://redirect.appmetrica.yandex.com/serve/1234567890?click_id=abc",
    "Airbridge": "https://abr.ge/abc123?click_id=abc",
    "TUNE (HasOffers)": "https://example.go2cloud.org/aff_c?offer_id=12&aff_id=34&aff_sub=abc",
    "Everflow": "https://www.example-tracker.com/?oid=12&affid=34&sub1=abc",
    "CAKE": "https://track.example.com/?a=12&c=34&s1=abc",
    "Affise": "https://tracking.example.com/click?pid=12&offer_id=34&sub1=abc",
    "Trackier": "https://example.gotrackier.com/click?campaign_id=12&pub_id=34",
    "Voluum": "https://abcd1.voluumtrk.com/click",
    "Binom": "https://track.example.com/click.php?key=abcdef123456",
    "RedTrack": "https://example.rdtk.io/5f1a2b3c4d?sub1=abc",
    "Impact": "https://example.sjv.io/c/12345/67890/1234",
    "Awin": "https://www.awin1.com/cread.php?awinmid=1234&awinaffid=5678",
    "CJ": "https://www.anrdoezrs.net/click-1234567-12345678",
    "Rakuten Advertising": "https://click.linksynergy.com/deeplink?id=abc&mid=123",
    "ShareASale": "https://www.shareasale.com/r.cfm?b=123&u=456&m=789",
    "Partnerize": "https://prf.hn/click/camref:1011l3abc",
    "Link shortener": "https://bit.ly/3AbCdEf",
}


def test_every_entry_of_the_table_has_a_realistic_url():
    assert {pattern.party.name for pattern in PATTERNS} == set(URLS)


@pytest.mark.parametrize(("name", "url"), URLS.items(), ids=list(URLS))
def test_each_party_is_recognised(name, url):
    party = party_of(url)
    assert party is not None and party.name == name


def test_store_schemes_and_intent_links():
    assert party_of("market://details?id=com.example.game").name == "Play Store"
    assert party_of("itms-apps://itunes.apple.com/app/id1234567890").name == "App Store"
    intent = ("intent://open?x=1#Intent;scheme=example;package=com.example.game;"
              "S.browser_fallback_url=https%3A%2F%2Fexample.com;end")  # fmt: skip
    assert intent_package(intent) == "com.example.game"
    assert party_of(intent).role is Role.STORE
    assert party_of("https://www.example.com/landing") is None


def test_the_path_names_the_parties_in_order():
    chain = [URLS["Everflow"], URLS["Everflow"], URLS["AppsFlyer"], URLS["Play Store"]]
    assert path_text(chain) == "Everflow \u2192 AppsFlyer \u2192 Play Store"


def test_the_click_id_survives_a_rename_and_encoding():
    chain = [
        "https://www.example-tracker.com/?oid=1&affid=2&clickid=f00dcafe1234",
        "https://app.appsflyer.com/com.example.game?pid=n&af_siteid=f00dcafe1234",
        "https://play.google.com/store/apps/details?id=com.example.game&referrer="
        "af_tranid%3Dx%26redirect%3Dhttps%253A%252F%252Fe.com%252F%253Fclickid%253Df00dcafe1234",
    ]
    survival = follow(chain)
    assert survival.tracked == {"clickid": "f00dcafe1234"}
    assert survival.renamed == {"clickid": {"af_siteid"}}
    assert survival.lost == () and survival.macros == ()


def test_an_mmp_hop_that_drops_the_click_id_is_named():
    chain = [
        "https://example.go2cloud.org/aff_c?offer_id=1&aff_id=2&aff_sub=abc123def456",
        "https://www.example-redirect.com/r?go=1",
        "https://app.adjust.com/abc123?campaign=summer",
        "https://play.google.com/store/apps/details?id=com.example.game",
    ]
    [lost] = follow(chain).lost
    assert lost.text == "click ID aff_sub lost at hop 3 (Adjust): attribution will fail"


def test_an_unexpanded_macro_is_found_raw_or_encoded():
    chain = [
        "https://track.example.com/?a=1&c=2&s1={clickid}",
        "https://app.appsflyer.com/com.example.game?pid=n&clickid=%7Btransaction_id%7D",
    ]
    macros = follow(chain).macros
    assert [m.text for m in macros] == [
        "unexpanded macro {clickid} reaches hop 1 (CAKE)",
        "unexpanded macro {transaction_id} reaches hop 2 (AppsFlyer)",
    ]
    assert identifiers(chain[0]) == {}  # a macro is not a click ID


def test_token_looking_values_count_as_identifiers():
    assert identifiers("https://t.example.com/c?x=AbC123dEf456gh&lang=en") == {
        "x": "AbC123dEf456gh"
    }


def test_the_demo_chains_through_the_cli(sandbox):
    """The sandbox's demo network -> MMP -> store chains, as affilitest-check prints them."""
    import io
    import json

    from affilitest_gui.cli import run

    out = io.StringIO()
    offers = [f"{sandbox.base_url}/demo/offer/{name}" for name in ("mmp", "mmpdrop", "macro")]
    run(["--base-url", sandbox.base_url, "--country", "us", "--country", "gb", *offers],
        stdout=out, stderr=io.StringIO(),
        environ={"AFFILITEST_API_KEY": sandbox.keys["valid"]})  # fmt: skip
    lines = {(json.loads(line)["url"].rsplit("/", 1)[1], json.loads(line)["country"]):
             json.loads(line) for line in out.getvalue().splitlines()}  # fmt: skip

    survives = lines[("mmp", "us")]
    assert [hop["party"]["name"] if hop["party"] else None for hop in survives["hops"]] == [
        None, "Everflow", "AppsFlyer", "Play Store"
    ]
    assert survives["health"] == "ok" and survives["lost_params"] == []
    split = lines[("mmp", "gb")]  # the same offer splits by country
    assert split["final_url"].endswith("/demo/unavailable?country=gb")

    dropped = lines[("mmpdrop", "us")]
    assert dropped["health"] == "warning"
    assert dropped["lost_params"] == [{"name": "clickid", "hop": 3, "party": "Adjust"}]
    assert "click ID clickid lost at hop 3 (Adjust)" in dropped["reasons"][0]

    macro = lines[("macro", "us")]
    assert macro["macros"][0] == {"token": "{clickid}", "hop": 2}
    assert macro["health"] == "warning"


def test_two_chains_compared_in_words():
    from affilitest_gui.chains.compare import compare

    net = ("https://www.example-tracker.com/?oid=1&affid=2&clickid=abc", 302)
    store = ("https://apps.apple.com/us/app/id1234567890", None)
    unavailable = ("http://127.0.0.1:8000/demo/unavailable?country=gb", 200)
    split = compare([net, store], [net, unavailable], "US", "GB")
    assert split.first_difference == 1
    assert split.words == "US goes to the App Store; GB stops at 127.0.0.1/demo/unavailable."
    via = compare([net, ("https://app.appsflyer.com/x?pid=1", 302), store],
                  [net, ("https://app.adjust.com/abc", 302), store], "A", "B")  # fmt: skip
    assert via.words == ("They part at hop 2: A goes through AppsFlyer, B goes through "
                         "Adjust; both end at the App Store.")  # fmt: skip
    same = compare([net, store], [net, store], "US", "CA")
    assert same.first_difference is None and same.words == "US and CA follow the same chain."
