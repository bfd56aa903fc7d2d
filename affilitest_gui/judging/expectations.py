"""Where an offer's chains must end: its expectations, as written in files and judged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.validation import validate_url
from affilitest_gui.chains.places import store_of

_PACKAGE = re.compile(r"^[a-zA-Z][\w]*(\.[a-zA-Z_][\w]*)+$")
_APP_STORE_ID = re.compile(r"^(?:id)?(\d{5,12})$", re.IGNORECASE)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$", re.IGNORECASE)


class ExpectKind(str, Enum):
    """Where an offer's chains must end."""

    PLAY = "play"  # a Play Store package: com.example.game
    APP_STORE = "appstore"  # an App Store id: id310633997
    DOMAIN = "domain"  # a landing domain: example.com (subdomains count)
    PREVIEW = "preview"  # the offer's preview URL, through compareToPreview


@dataclass(frozen=True)
class Expectation:
    """One expectation; `text` is how it is written in files and in the CLI."""

    kind: ExpectKind
    value: str

    @property
    def text(self) -> str:
        return f"{self.kind.value}:{self.value}"

    @property
    def description(self) -> str:
        return {
            ExpectKind.PLAY: f"Play Store app {self.value}",
            ExpectKind.APP_STORE: f"App Store app id{self.value}",
            ExpectKind.DOMAIN: f"a page on {self.value}",
            ExpectKind.PREVIEW: f"the preview page {self.value}",
        }[self.kind]

    @classmethod
    def parse(cls, text: str) -> Expectation:
        """"play:com.x", "appstore:id123", "domain:x.com", "preview:https://..." or the
        bare value, whose form says its kind. Raises InputError."""
        raw = text.strip()
        kind_text, sep, value = raw.partition(":")
        if sep and kind_text.lower() in {kind.value for kind in ExpectKind}:
            return cls._of(ExpectKind(kind_text.lower()), value.strip())
        if raw.lower().startswith(("http://", "https://")):
            return cls._of(ExpectKind.PREVIEW, raw)
        if _APP_STORE_ID.match(raw):
            return cls._of(ExpectKind.APP_STORE, raw)
        first = raw.split(".")[0].lower()
        if _PACKAGE.match(raw) and first in _PACKAGE_ROOTS:
            return cls._of(ExpectKind.PLAY, raw)
        if _DOMAIN.match(raw):
            return cls._of(ExpectKind.DOMAIN, raw)
        if _PACKAGE.match(raw):
            return cls._of(ExpectKind.PLAY, raw)
        raise InputError(
            "expect",
            f"{raw!r} is not a Play package (com.example.app), an App Store id (id123456), "
            "a domain (example.com) or a preview URL.",
        )

    @classmethod
    def _of(cls, kind: ExpectKind, value: str) -> Expectation:
        if kind is ExpectKind.APP_STORE:
            match = _APP_STORE_ID.match(value)
            if not match:
                raise InputError("expect", f"{value!r} is not an App Store id (like id310633997).")
            return cls(kind, match.group(1))
        if kind is ExpectKind.PLAY and not _PACKAGE.match(value):
            raise InputError("expect", f"{value!r} is not a Play package (like com.example.app).")
        if kind is ExpectKind.DOMAIN:
            domain = (urlsplit(value).hostname or "") if "//" in value else value.lower()
            if not _DOMAIN.match(domain):
                raise InputError("expect", f"{value!r} is not a domain (like example.com).")
            return cls(kind, domain)
        if kind is ExpectKind.PREVIEW:
            return cls(kind, validate_url(value, "expect"))
        return cls(kind, value)


# A bare "com.example.game" is a package and a bare "example.com" a domain: packages
# start with a reversed domain, so their first label is a top-level domain. Anything
# else ambiguous can be written with its kind ("domain:…", "play:…").
_PACKAGE_ROOTS = frozenset((
    "com", "net", "org", "io", "co", "me", "tv", "us", "uk", "de", "fr", "it", "es", "nl",
    "ru", "br", "in", "jp", "cn", "au", "ca", "kr", "vn", "tr", "pl", "se",
))  # fmt: skip


def parse_expectations(text: str) -> tuple[Expectation, ...]:
    """"com.example.game; id310633997" -> a Play and an App Store expectation."""
    parts: list[str] = []
    for part in re.split(r"[;|\n]+", text):
        parts += [part] if "://" in part else part.split(",")  # a URL may hold commas
    return tuple(dict.fromkeys(Expectation.parse(part) for part in parts if part.strip()))


def expectations_text(expects: tuple[Expectation, ...]) -> str:
    return "; ".join(expect.text for expect in expects)


def applies_to(expect: Expectation, device: str) -> bool:
    """A Play expectation is for Android, an App Store one for iPhone and iPad; a domain
    or a preview page for every device."""
    if expect.kind is ExpectKind.PLAY:
        return device == "android"
    if expect.kind is ExpectKind.APP_STORE:
        return device in ("iphone", "ipad")
    return True


def expectation_for_landing(final_url: str) -> Expectation | None:
    """Where a check ended, as an offer's expectation: its store app, else its domain."""
    store = store_of(final_url) or ""
    if store.startswith("Play Store: "):
        return Expectation(ExpectKind.PLAY, store.removeprefix("Play Store: "))
    if store.startswith("App Store: id"):
        return Expectation(ExpectKind.APP_STORE, store.removeprefix("App Store: id"))
    host = (urlsplit(final_url).hostname or "").lower().removeprefix("www.")
    return Expectation(ExpectKind.DOMAIN, host) if "." in host else None
