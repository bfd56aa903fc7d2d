"""Two chains side by side: aligned hop by hop, where they part, and the difference in
words ("US goes to the App Store; GB stops at 127.0.0.1/demo/unavailable")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

from affilitest_gui.chains.parties import Role, party_of
from affilitest_gui.chains.places import place, store_of

Hop = tuple[str, int | None]


@dataclass(frozen=True)
class Comparison:
    rows: tuple[tuple[Hop | None, Hop | None], ...]  # hop by hop; None past a chain's end
    first_difference: int | None  # 0-based row, None when the chains are alike
    words: str


def _same(a: Hop | None, b: Hop | None) -> bool:
    if a is None or b is None:
        return a is b
    return place(a[0]) == place(b[0]) and a[1] == b[1] and store_of(a[0]) == store_of(b[0])


def _destination(hops: Sequence[Hop]) -> tuple[bool, str]:
    """(reaches a store, where the chain ends, in words)."""
    url, code = hops[-1]
    party = party_of(url)
    if party is not None and party.role is Role.STORE:
        return True, f"the {party.name}"
    return False, f"{place(url)} (HTTP {code})" if code is not None and code >= 400 else place(url)


def _ending(hops: Sequence[Hop]) -> str:
    if not hops:
        return "has no chain"
    store, where = _destination(hops)
    return f"goes to {where}" if store else f"stops at {where}"


def _through(hops: Sequence[Hop], row: int) -> str:
    url = hops[row][0] if row < len(hops) else ""
    party = party_of(url) if url else None
    if not url:
        return "ends there"
    return f"goes through {party.name}" if party else f"goes through {place(url)}"


def first_difference(a: Sequence[Hop], b: Sequence[Hop]) -> int | None:
    """The 0-based hop where two chains part (place or status), None when alike."""
    return next((n for n, (x, y) in enumerate(zip_longest(a, b)) if not _same(x, y)), None)


def compare(a: Sequence[Hop], b: Sequence[Hop], a_label: str, b_label: str) -> Comparison:
    rows = tuple(zip_longest(a, b))
    first = first_difference(a, b)
    if first is None:
        words = f"{a_label} and {b_label} follow the same chain."
    elif _ending(a) != _ending(b):
        words = f"{a_label} {_ending(a)}; {b_label} {_ending(b)}."
    else:
        words = (f"They part at hop {first + 1}: {a_label} {_through(a, first)}, "
                 f"{b_label} {_through(b, first)}; both end at {_destination(a)[1]}.")  # fmt: skip
    return Comparison(rows, first, words)
