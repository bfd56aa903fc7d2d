"""Why a cell broke, in one sentence: its chain now against the last chain of the same
cell that worked, the first hop where they part, said as a person would ("Broke since
Dec 1, 09:00: hop 3 (AppsFlyer) now ends on a 404; it used to go on to the Play Store").
Pure: the history finds the two chains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from affilitest_gui.chains.compare import Hop, first_difference
from affilitest_gui.chains.parties import Role, party_of
from affilitest_gui.chains.places import place, store_of
from affilitest_gui.words import short_time


@dataclass(frozen=True)
class SinceOk:
    """What changed since a cell last worked; `time`: when it was first seen broken."""

    time: str
    hop: int | None  # 1-based; None when the chains are alike (the expectation changed)
    was: str  # the hop's address when it worked ("" past that chain's end)
    now: str  # and now
    sentence: str

    def as_json(self) -> dict[str, object]:
        return {"time": self.time, "hop": self.hop, "was": self.was, "now": self.now,
                "sentence": self.sentence}  # fmt: skip


def _who(url: str) -> str:
    party = party_of(url)
    return party.name if party is not None else place(url)


def _destination(hops: Sequence[Hop]) -> str:
    """Where a chain that worked ended: the store (and its app), else the page."""
    url = hops[-1][0]
    party = party_of(url)
    if party is not None and party.role is Role.STORE:
        return f"the {party.name}"
    return store_of(url) or place(url)


def _end(hops: Sequence[Hop]) -> str:
    """How a broken chain ends: "on a 404 at host/path", or "at <store app or page>"."""
    url, code = hops[-1]
    if code is not None and code >= 400:
        return f"on a {code} at {place(url)}"
    return f"at {store_of(url) or place(url)}"


def _same_place(was: Sequence[Hop], now: Sequence[Hop], index: int) -> bool:
    return index < len(was) and place(was[index][0]) == place(now[index][0])


def _what(was: Sequence[Hop], now: Sequence[Hop], index: int) -> str:
    """What the broken chain does at the hop where the two part."""
    if index >= len(now):
        url, code = now[-1]
        return f"the chain now stops after hop {index} ({_who(url)}, HTTP {code})"
    url, code = now[index]
    last = index == len(now) - 1
    if not _same_place(was, now, index):
        if last:
            return f"hop {index + 1} now ends {_end(now)}"
        return (f"hop {index + 1} now goes to {_who(url)} instead of {_who(was[index][0])}, "
                f"and ends {_end(now)}") if index < len(was) else (
                f"hop {index + 1} now goes on to {_who(url)}, and ends {_end(now)}")  # fmt: skip
    if last and code is not None and code >= 400:
        return f"hop {index + 1} ({_who(url)}) now ends on a {code}"
    if last:
        store = store_of(url)
        return f"hop {index + 1} ({_who(url)}) now ends {'at ' + store if store else 'there'}"
    return f"hop {index + 1} ({_who(url)}) now answers {code}, and ends {_end(now)}"


def _was(hops: Sequence[Hop], index: int, now_length: int) -> str:
    if index == len(hops) - 1 and index < now_length:  # it ended at that very hop
        return f"it used to end at {store_of(hops[-1][0]) or place(hops[-1][0])}"
    return f"it used to go on to {_destination(hops)}"


def since_ok(was: Sequence[Hop], now: Sequence[Hop], broke_at: str) -> SinceOk:
    """`was`: the last chain that worked; `now`: the broken one; `broke_at`: when the
    cell was first seen broken after it."""
    since = f"Broke since {short_time(broke_at)}"
    index = first_difference(was, now)
    if index is None:
        return SinceOk(broke_at, None, "", "",
                       f"{since}: the chain is the one that used to work; what is expected "
                       "of it (or a rule) changed.")  # fmt: skip
    was_url = was[index][0] if index < len(was) else ""
    now_url = now[index][0] if index < len(now) else ""
    if not now:
        said = f"{since}: the link now gives no chain; it used to go on to {_destination(was)}."
        return SinceOk(broke_at, 1, was_url, "", said)
    sentence = f"{since}: {_what(was, now, index)}; {_was(was, index, len(now))}."
    return SinceOk(broke_at, index + 1, was_url, now_url, sentence)
