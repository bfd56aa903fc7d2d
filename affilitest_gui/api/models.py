"""Typed requests and results of the AffiliTest API, and tolerant parsing of its envelope."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from affilitest_gui.api.errors import MalformedResponseError
from affilitest_gui.api.validation import (
    validate_country,
    validate_device,
    validate_url,
)

_CHAIN_KEYS = ("urls", "redirects", "chain", "hops", "result", "data")
_MATCH_KEYS = ("match", "matches", "isMatch", "same", "result", "ok")
_CALLS_KEYS = ("callsLeft", "calls_left", "calls", "left", "remaining", "budget")


@dataclass(frozen=True)
class CheckRequest:
    """One check: an offer URL opened from one country with one device."""

    url: str
    country: str
    device: str
    preview_url: str | None = None
    codes: bool = True
    # The durable queue's id of this check, once it is written there (not part of what
    # is asked: two requests for the same check are equal whatever their refs).
    ref: int | None = field(default=None, compare=False, repr=False)

    @classmethod
    def create(
        cls,
        url: str,
        country: str,
        device: str,
        preview_url: str | None = None,
        codes: bool = True,
    ) -> CheckRequest:
        """Validate every field (raising `InputError`) and build the request."""
        preview = preview_url.strip() if preview_url else ""
        return cls(
            url=validate_url(url),
            country=validate_country(country),
            device=validate_device(device),
            preview_url=validate_url(preview, "preview_url") if preview else None,
            codes=codes,
        )

    @property
    def endpoint(self) -> str:
        return "compareToPreview" if self.preview_url else "test"


def expand_checks(
    urls: Iterable[str],
    countries: Iterable[str],
    devices: Iterable[str],
    preview_url: str | None = None,
    codes: bool = True,
) -> list[CheckRequest]:
    """Every URL x country x device as one validated check, duplicates dropped, in order.

    The one expansion the check form, the offers and the command-line twins share.
    Raises `InputError` for the first bad value.
    """
    combos = itertools.product(
        dict.fromkeys(urls), dict.fromkeys(countries), dict.fromkeys(devices)
    )
    return list(dict.fromkeys(
        CheckRequest.create(url, country, device, preview_url, codes)
        for url, country, device in combos
    ))  # fmt: skip


@dataclass(frozen=True)
class Hop:
    """One step of a redirect chain; `code` is None where the service gave no status."""

    url: str
    code: int | None = None


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a successful check."""

    request: CheckRequest
    hops: tuple[Hop, ...]
    elapsed_s: float = 0.0
    attempts: int = 1
    preview_match: bool | None = None
    envelope: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def final_url(self) -> str | None:
        return self.hops[-1].url if self.hops else None


@dataclass(frozen=True)
class AppInfo:
    """App details from appInfo; the shape is undocumented, so `raw` keeps everything."""

    title: str | None
    package: str | None
    raw: Any


def _as_code(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _find_list(data: dict[str, Any]) -> list[Any] | None:
    for key in _CHAIN_KEYS:
        if isinstance(data.get(key), list):
            return data[key]
    return None


def parse_chain(envelope: dict[str, Any], endpoint: str = "test") -> tuple[Hop, ...]:
    """The hops of a test/compareToPreview answer, codes from `meta.codes` where given."""
    data = envelope.get("data")
    if isinstance(data, dict):
        data = _find_list(data)
    elif isinstance(data, str):
        data = [data]
    if not isinstance(data, list):
        raise MalformedResponseError(
            "an answer without a redirect chain", status=200, endpoint=endpoint
        )
    meta = envelope.get("meta")
    codes = meta.get("codes") if isinstance(meta, dict) else None
    codes = codes if isinstance(codes, list) else []
    hops = []
    for index, entry in enumerate(data):
        if isinstance(entry, dict):
            url = str(entry.get("url", ""))
            code = _as_code(entry.get("code", entry.get("status")))
        else:
            url = str(entry)
            code = _as_code(codes[index]) if index < len(codes) else None
        hops.append(Hop(url=url, code=code))
    return tuple(hops)


def parse_preview_match(envelope: dict[str, Any]) -> bool | None:
    """Whether compareToPreview says the chain ends on the preview page (None: not said)."""
    data = envelope.get("data")
    if isinstance(data, bool):
        return data
    if isinstance(data, dict):
        for key in _MATCH_KEYS:
            if isinstance(data.get(key), bool):
                return data[key]
    return None


def parse_calls_left(envelope: dict[str, Any]) -> int | None:
    """calls left as a number; the data may be a number, a numeric string or an object."""
    data = envelope.get("data")
    if isinstance(data, dict):
        data = next((data[k] for k in _CALLS_KEYS if k in data), None)
    if isinstance(data, bool):
        return None
    if isinstance(data, (int, float)):
        return int(data)
    if isinstance(data, str) and data.strip().lstrip("-").isdigit():
        return int(data.strip())
    return None


def parse_app_info(envelope: dict[str, Any]) -> AppInfo:
    """Whatever appInfo returned, with the title and package picked out where present."""
    data = envelope.get("data")
    if isinstance(data, dict):
        title = data.get("title") or data.get("name")
        package = data.get("package") or data.get("appId") or data.get("id")
        return AppInfo(
            title=str(title) if title else None,
            package=str(package) if package else None,
            raw=data,
        )
    return AppInfo(title=str(data) if data else None, package=None, raw=data)
