"""Who each hop of a chain is: affiliate platforms and trackers, mobile measurement
partners (MMPs), app stores and link shorteners, recognised from the hop's URL.

The table is data: one entry per party, with the public link format it is known by.
Only formats the vendors document (or that their own public links show) are listed;
a party whose format could not be confirmed is left out rather than guessed:
Keitaro (campaign links are bare aliases on the customer's domain), Offer18 and
Tenjin are not in the table for that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from urllib.parse import parse_qs, unquote, urlsplit


class Role(str, Enum):
    NETWORK = "affiliate platform"
    MMP = "measurement partner"
    STORE = "app store"
    SHORTENER = "link shortener"


@dataclass(frozen=True)
class Party:
    name: str
    role: Role


@dataclass(frozen=True)
class Pattern:
    """How a party's links look: any of `hosts` (".example.com": any subdomain), or
    any of `paths` (a path prefix, on any host) together with all of `params`; or
    one of `schemes`."""

    party: Party
    source: str
    hosts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()


def _party(name: str, role: Role) -> Party:
    return Party(name, role)


PLAY = _party("Play Store", Role.STORE)
APP_STORE = _party("App Store", Role.STORE)

PATTERNS: tuple[Pattern, ...] = (
    # --- stores ---------------------------------------------------------------------
    Pattern(PLAY, "Google Play app links: play.google.com/store/apps/details?id=<package>, "
            "market://details?id=<package>", hosts=("play.google.com",),
            schemes=("market",)),
    Pattern(APP_STORE, "Apple: apps.apple.com/<country>/app/id<number>; itms-apps:// links",
            hosts=("apps.apple.com", "itunes.apple.com"), schemes=("itms-apps", "itms-appss")),
    Pattern(_party("Galaxy Store", Role.STORE), "Samsung: galaxystore.samsung.com/detail/<pkg>",
            hosts=("galaxystore.samsung.com", "apps.samsung.com")),
    Pattern(_party("Huawei AppGallery", Role.STORE), "Huawei: appgallery.huawei.com/app/C<id>",
            hosts=("appgallery.huawei.com", "appgallery.cloud.huawei.com")),
    Pattern(_party("Amazon Appstore", Role.STORE),
            "Amazon: amazon.com/gp/mas/dl/android?p=<package>; amzn://apps/android?p=",
            paths=("/gp/mas/dl/android",), params=("p",), schemes=("amzn",)),
    # --- mobile measurement partners ------------------------------------------------
    Pattern(_party("AppsFlyer", Role.MMP), "AppsFlyer attribution links: app.appsflyer.com"
            "/<app id>?pid=...; OneLink: <subdomain>.onelink.me",
            hosts=("app.appsflyer.com", ".onelink.me")),
    Pattern(_party("Adjust", Role.MMP), "Adjust tracker links: app.adjust.com/<token>, "
            "<subdomain>.adj.st, adjust.com/...", hosts=("app.adjust.com", ".adj.st",
                                                          ".adjust.com", "adjust.com")),
    Pattern(_party("Branch", Role.MMP), "Branch links: <app>.app.link, bnc.lt",
            hosts=(".app.link", "bnc.lt")),
    Pattern(_party("Kochava", Role.MMP), "Kochava click URLs: control.kochava.com/v1/cpi/click",
            hosts=("control.kochava.com",)),
    Pattern(_party("Singular", Role.MMP), "Singular links: <subdomain>.sng.link",
            hosts=(".sng.link",)),
    Pattern(_party("AppMetrica", Role.MMP), "AppMetrica tracking URLs: "
            "redirect.appmetrica.yandex.com/serve/<id>",
            hosts=("redirect.appmetrica.yandex.com", "redirect.appmetrica.yandex.ru")),
    Pattern(_party("Airbridge", Role.MMP), "Airbridge tracking links: abr.ge/<id>",
            hosts=("abr.ge",)),
    # --- affiliate platforms and trackers -------------------------------------------
    Pattern(_party("TUNE (HasOffers)", Role.NETWORK), "HasOffers tracking links: "
            "<network>.go2cloud.org/aff_c?offer_id=&aff_id=, /serve?action=click",
            hosts=(".go2cloud.org",), paths=("/aff_c", "/serve"), params=("offer_id",)),
    Pattern(_party("Everflow", Role.NETWORK), "Everflow tracking links: ?oid=<offer>&affid=<aff>",
            paths=("/",), params=("oid", "affid")),
    Pattern(_party("CAKE", Role.NETWORK), "CAKE click links: /?a=<affiliate>&c=<campaign>",
            paths=("/",), params=("a", "c")),
    Pattern(_party("Affise", Role.NETWORK), "Affise tracking links: /click?pid=&offer_id=",
            paths=("/click",), params=("pid", "offer_id")),
    Pattern(_party("Trackier", Role.NETWORK), "Trackier tracking domains: <name>.gotrackier.com",
            hosts=(".gotrackier.com",)),
    Pattern(_party("Voluum", Role.NETWORK), "Voluum tracking domains: <id>.voluumtrk.com",
            hosts=(".voluumtrk.com",)),
    Pattern(_party("Binom", Role.NETWORK), "Binom campaign links: /click.php?key=<key>",
            paths=("/click.php",), params=("key",)),
    Pattern(_party("RedTrack", Role.NETWORK), "RedTrack tracking domains: <name>.rdtk.io",
            hosts=(".rdtk.io",)),
    Pattern(_party("Impact", Role.NETWORK), "Impact tracking domains: *.sjv.io, *.pxf.io, "
            "*.7eer.net", hosts=(".sjv.io", ".pxf.io", ".7eer.net")),
    Pattern(_party("Awin", Role.NETWORK), "Awin links: www.awin1.com/cread.php?awinmid=",
            hosts=("www.awin1.com", "awin1.com")),
    Pattern(_party("CJ", Role.NETWORK), "CJ click domains: anrdoezrs.net, tkqlhce.com, "
            "jdoqocy.com, dpbolvw.net, kqzyfj.com", hosts=(".anrdoezrs.net", ".tkqlhce.com",
                                                           ".jdoqocy.com", ".dpbolvw.net",
                                                           ".kqzyfj.com")),
    Pattern(_party("Rakuten Advertising", Role.NETWORK), "Rakuten: click.linksynergy.com",
            hosts=("click.linksynergy.com",)),
    Pattern(_party("ShareASale", Role.NETWORK), "ShareASale links: shareasale.com/r.cfm",
            hosts=("www.shareasale.com", "shareasale.com")),
    Pattern(_party("Partnerize", Role.NETWORK), "Partnerize links: prf.hn/click/camref:",
            hosts=("prf.hn",)),
    # --- shorteners -----------------------------------------------------------------
    Pattern(_party("Link shortener", Role.SHORTENER), "Public shorteners' own domains",
            hosts=("bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly",
                   "rebrand.ly", "cutt.ly", "shorturl.at")),
)  # fmt: skip


def _host_matches(host: str, wanted: str) -> bool:
    if wanted.startswith("."):
        return host.endswith(wanted) or host == wanted[1:]
    return host == wanted


def intent_package(url: str) -> str | None:
    """The package of an Android intent link: intent://...#Intent;package=com.x;end."""
    if not url.lower().startswith("intent:"):
        return None
    for part in unquote(url).split(";"):
        if part.startswith("package="):
            return part.removeprefix("package=") or None
    return None


def party_of(url: str) -> Party | None:
    """The party a hop belongs to, or None (unknown)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "intent":
        return PLAY if intent_package(url) else None
    host = (parts.hostname or "").lower()
    names = set(parse_qs(parts.query))
    for pattern in PATTERNS:
        if scheme in pattern.schemes:
            return pattern.party
        if any(_host_matches(host, wanted) for wanted in pattern.hosts):
            return pattern.party
        if pattern.params and set(pattern.params) <= names and any(
            parts.path.startswith(path) for path in pattern.paths
        ):
            return pattern.party
    return None


def path_text(urls: list[str]) -> str:
    """The parties a chain goes through, in order: "Everflow → AppsFlyer → Play Store"."""
    names: list[str] = []
    for url in urls:
        party = party_of(url)
        if party is not None and (not names or names[-1] != party.name):
            names.append(party.name)
    return " \u2192 ".join(names)
