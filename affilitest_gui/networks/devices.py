"""The platforms' words for operating systems, as the app's device presets."""

from __future__ import annotations

from collections.abc import Iterable

_DEVICES = {
    "android": ("android",),
    "ios": ("iphone", "ipad"),
    "iphone": ("iphone",),
    "ipad": ("ipad",),
    "windows": ("desktop",),
    "mac os": ("desktop",),
    "macos": ("desktop",),
    "desktop": ("desktop",),
}


def devices_for(names: Iterable[str]) -> tuple[str, ...]:
    """("Android", "iOS") -> ("android", "iphone", "ipad"); unknown names are left out."""
    found: dict[str, None] = {}
    for name in names:
        for device in _DEVICES.get(str(name).strip().lower(), ()):
            found[device] = None
    return tuple(found)


def countries_for(codes: Iterable[object]) -> tuple[str, ...]:
    """Two-letter codes, lower case, in order, once each; anything else is left out."""
    found: dict[str, None] = {}
    for code in codes:
        text = str(code).strip().lower()
        if len(text) == 2 and text.isalpha():
            found[text] = None
    return tuple(found)
