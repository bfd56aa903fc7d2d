"""Which offers a run, a view's filter or an export takes: one choice for the app and the
command line (`--only`)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Protocol, TypeVar

from affilitest_gui.judging.health import Health


class Judged(Protocol):
    """An offer with its latest health (None: never checked) and whether it changed."""

    @property
    def health(self) -> Health | None: ...

    @property
    def changed(self) -> bool: ...


JudgedOffer = TypeVar("JudgedOffer", bound=Judged)


class OfferChoice(str, Enum):
    """The value is the command line's word; `label` is what the app shows."""

    ALL = "all"
    BROKEN = "broken"
    CHANGED = "changed"
    UNFINISHED = "unfinished"  # no offer: only the checks a stopped run left

    @property
    def label(self) -> str:
        return _LABELS[self]

    def takes(self, health: Health | None, *, changed: bool) -> bool:
        """Whether an offer whose latest health is `health` (None: never checked), and
        which `changed` at its last run, is one of this choice's."""
        if self is OfferChoice.BROKEN:
            return health is Health.BROKEN
        if self is OfferChoice.CHANGED:
            return changed
        return self is OfferChoice.ALL

    def pick(self, offers: Iterable[JudgedOffer]) -> list[JudgedOffer]:
        """The offers of this choice, in their order."""
        return [offer for offer in offers if self.takes(offer.health, changed=offer.changed)]


_LABELS = {
    OfferChoice.ALL: "All offers",
    OfferChoice.BROKEN: "Broken now",
    OfferChoice.CHANGED: "Changed since last run",
    OfferChoice.UNFINISHED: "Unfinished checks",
}
# What a view's filter or an export can show: the offers themselves.
OFFER_FILTERS = (OfferChoice.ALL, OfferChoice.BROKEN, OfferChoice.CHANGED)
