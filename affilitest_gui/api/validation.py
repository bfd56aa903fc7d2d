"""Local checks of every field before a call is spent on it.

Each `validate_*` returns the cleaned value or raises `InputError` with a message
written for the person who typed the value.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from urllib.parse import urlsplit

from iso3166 import countries_by_alpha2

from affilitest_gui.api.errors import InputError

MAX_URL_LENGTH = 2048
MAX_USER_AGENT_LENGTH = 512
API_KEY_LENGTH = 64

# The vendor's Python and JS clients spell it `windowsPhone`; PHP and TS send `winPhone`.
# What a check is made from and with when nothing is chosen: the form, the import and
# the command-line twins share them.
DEFAULT_COUNTRIES = ("us",)
DEFAULT_DEVICES = ("android",)
DEVICE_PRESETS: dict[str, str] = {
    "android": "Android phone",
    "iphone": "iPhone",
    "ipad": "iPad",
    "desktop": "Desktop computer",
    "windowsPhone": "Windows Phone",
    "blackberry": "BlackBerry",
}

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s")


_WEB_SCHEME = re.compile(r"(?i)^https?://")
_INNER_SCHEME = re.compile(r"(?i)https?://")


def hidden_character(text: str) -> str | None:
    """The first control, format (bidi override, zero-width) or NUL character in `text`,
    named for a person ("U+202E RIGHT-TO-LEFT OVERRIDE"); None if there is none."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf") and char not in "\t\n\r":
            name = unicodedata.name(char, "CONTROL CHARACTER")
            return f"U+{ord(char):04X} {name}"
    return None


def without_hidden_characters(text: str) -> str:
    """`text` less its control and invisible format characters (for names)."""
    return "".join(
        char for char in text if unicodedata.category(char) not in ("Cc", "Cf") or char == " "
    )


def device_label(device: str) -> str:
    """A device as the form names it: "Android phone", or "Custom: <User-Agent>"."""
    return DEVICE_PRESETS.get(device) or f"Custom: {device}"


def validate_url(value: str, field: str = "url") -> str:
    """An http(s) URL with a host, no whitespace inside, at most 2048 characters."""
    url = value.strip()
    if not url:
        raise InputError(field, "Enter the offer's URL, starting with http:// or https://.")
    if not _WEB_SCHEME.match(url):
        raise InputError(field, "The URL must start with http:// or https://.")
    if _WHITESPACE.search(url):
        raise InputError(field, "The URL contains a space or a line break: remove it.")
    hidden = hidden_character(url)
    if hidden is not None:
        raise InputError(field, f"The URL holds an invisible or control character ({hidden}): "
                                "remove it.")  # fmt: skip
    for inner in _INNER_SCHEME.finditer(url, 1):
        if url[inner.start() - 1] != "=":
            raise InputError(
                field, "Two links run together here: put each on its own line (a link "
                "inside a link must follow = or be %-encoded)."
            )
    if len(url) > MAX_URL_LENGTH:
        raise InputError(field, f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InputError(field, "This is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(field, "The URL must start with http:// or https://.")
    if not host:
        raise InputError(field, "The URL has no host name (like example.com).")
    return url


def validate_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, returned lower case as the API wants it."""
    code = value.strip()
    if not code:
        raise InputError("country", "Choose a country.")
    if len(code) != 2 or code.upper() not in countries_by_alpha2:
        raise InputError("country", f"'{code}' is not a two-letter country code (like us, gb, de).")
    return code.lower()


def validate_device(value: str) -> str:
    """One of the six presets (any letter case), or a custom User-Agent string."""
    device = value.strip()
    if not device:
        raise InputError("device", "Choose a device or enter a User-Agent.")
    for preset in DEVICE_PRESETS:
        if device.lower() == preset.lower():
            return preset
    if not any(char in device for char in "/ "):  # a typo of a device, not a User-Agent
        close = difflib.get_close_matches(device.lower(), [p.lower() for p in DEVICE_PRESETS],
                                          n=1, cutoff=0.5)  # fmt: skip
        hint = f" Did you mean {_preset_named(close[0])}?" if close else ""
        raise InputError("device", f"'{device}' is not a device ({', '.join(DEVICE_PRESETS)}) "
                                   f"nor a User-Agent.{hint}")  # fmt: skip
    return validate_user_agent(device)


def _preset_named(lowered: str) -> str:
    return next(preset for preset in DEVICE_PRESETS if preset.lower() == lowered)


def validate_user_agent(value: str) -> str:
    """A custom User-Agent: printable ASCII (it travels in an HTTP header), one line, at
    most 512 characters."""
    agent = value.strip()
    if not agent:
        raise InputError("device", "The custom User-Agent is empty.")
    if _CONTROL_CHARS.search(agent):
        raise InputError("device", "The User-Agent must be one line with no control characters.")
    foreign = next((char for char in agent if not char.isascii()), None)
    if foreign is not None:
        raise InputError(
            "device", f"The User-Agent may hold plain (ASCII) characters only, not {foreign!r}."
        )
    if len(agent) > MAX_USER_AGENT_LENGTH:
        raise InputError(
            "device", f"The User-Agent is longer than {MAX_USER_AGENT_LENGTH} characters."
        )
    return agent


def validate_api_key(value: str) -> str:
    """64 characters with no whitespace; spaces and line breaks around it are dropped."""
    key = value.strip()
    if not key:
        raise InputError("api_key", "Paste your API key.")
    if _WHITESPACE.search(key):
        raise InputError("api_key", "The key contains a space or a line break: copy it again.")
    if len(key) != API_KEY_LENGTH:
        raise InputError(
            "api_key",
            f"An AffiliTest key has {API_KEY_LENGTH} characters; this one has {len(key)}. "
            "Copy the whole key again.",
        )
    return key
