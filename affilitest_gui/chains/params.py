"""Whether the click ID survives: the identifiers of a chain's first hop followed through
every hop, also when renamed (clickid=abc -> af_siteid=abc) or URL-encoded inside
another parameter (redirect=https%3A%2F%2F...%3Fclickid%3Dabc); and macros that were
never filled in ({clickid}, %7Bsub1%7D) reaching a hop."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from affilitest_gui.chains.parties import Party, Role, party_of

# Parameters that carry a click's identity (click ID, transaction ID, sub IDs).
ID_PARAMS = frozenset(
    {"clickid", "click_id", "transaction_id", "tid", "subid", "sub_id", "gclid", "fbclid",
     "irclickid", "clickref", "aff_click_id", "cid"}
    | {f"aff_sub{n}" for n in ("", 1, 2, 3, 4, 5)}
    | {f"sub{n}" for n in range(1, 6)}
    | {f"af_sub{n}" for n in range(1, 6)}
)  # fmt: skip
# A value that looks filled in by a tracker: long, letters and digits mixed.
_TOKEN = re.compile(r"^(?=.*\d)(?=.*[a-zA-Z])[A-Za-z0-9_\-]{12,}$")
_MACRO = re.compile(r"\{\{?[A-Za-z_][\w.]*\}?\}|%7B[A-Za-z_][\w.]*%7D", re.IGNORECASE)
_NESTING_DEPTH = 3  # URLs inside parameters inside parameters


def carried_values(url: str, depth: int = _NESTING_DEPTH) -> dict[str, set[str]]:
    """value -> the parameter names it is carried under, nested URLs included."""
    found: dict[str, set[str]] = {}
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        found.setdefault(value, set()).add(name)
        decoded = unquote(value)
        if depth and ("?" in decoded or "=" in decoded):
            inner = decoded if "?" in decoded else "?" + decoded
            for inner_value, names in carried_values(inner, depth - 1).items():
                found.setdefault(inner_value, set()).update(names)
    if url.lower().startswith("intent:"):  # intent://...;S.referrer=...;end
        for part in unquote(url).split(";"):
            key, _, value = part.partition("=")
            if key.startswith("S.") and value:
                for inner_value, names in carried_values("?" + value, depth - 1).items():
                    found.setdefault(inner_value, set()).update(names)
    return found


def identifiers(url: str) -> dict[str, str]:
    """A hop's identifiers: name -> value."""
    return {
        name: value
        for name, value in parse_qsl(urlsplit(url).query)
        if value and not _MACRO.search(value)
        and (name.lower() in ID_PARAMS or _TOKEN.match(value))
    }  # fmt: skip


@dataclass(frozen=True)
class LostParam:
    name: str
    value: str
    hop: int  # 1-based
    party: Party

    @property
    def text(self) -> str:
        return (
            f"click ID {self.name} lost at hop {self.hop} ({self.party.name}): "
            "attribution will fail"
        )


@dataclass(frozen=True)
class Macro:
    token: str
    hop: int
    party: Party | None

    @property
    def text(self) -> str:
        where = f" ({self.party.name})" if self.party else ""
        return f"unexpanded macro {self.token} reaches hop {self.hop}{where}"


@dataclass(frozen=True)
class Survival:
    """What happens to the first hop's identifiers along the chain."""

    tracked: dict[str, str]  # name -> value, from the first hop that carries any
    renamed: dict[str, set[str]]  # first name -> the other names it travels under
    lost: tuple[LostParam, ...]
    macros: tuple[Macro, ...]


def _needs_click_id(party: Party | None, url: str) -> bool:
    """An MMP hop needs the click ID to attribute; so does a Play Store landing that
    carries a referrer (the install referrer is how it reaches the app)."""
    if party is None:
        return False
    if party.role is Role.MMP:
        return True
    return party.role is Role.STORE and "referrer" in urlsplit(url).query


def follow(urls: Sequence[str]) -> Survival:
    """The identifiers of the first hop that carries any, through the chain `urls`."""
    if not urls:
        return Survival({}, {}, (), ())
    # The first hop that carries an identifier (an offer link may add one on its way).
    tracked = next((found for url in urls if (found := identifiers(url))), {})
    renamed: dict[str, set[str]] = {name: set() for name in tracked}
    lost: list[LostParam] = []
    gone: set[str] = set()
    macros: list[Macro] = []
    for number, url in enumerate(urls, 1):
        party = party_of(url)
        carried = carried_values(url)
        for name, value in tracked.items():
            names = carried.get(value, set())
            renamed[name] |= names - {name}
            if not names and name not in gone and _needs_click_id(party, url):
                gone.add(name)
                lost.append(LostParam(name, value, number, party))  # type: ignore[arg-type]
        seen: set[str] = set()
        for token in _MACRO.findall(url):
            readable = unquote(token)
            if readable not in seen:
                seen.add(readable)
                macros.append(Macro(readable, number, party))
    return Survival(tracked, {n: r for n, r in renamed.items() if r}, tuple(lost),
                    tuple(macros))  # fmt: skip
