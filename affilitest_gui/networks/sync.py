"""A sync from a network platform, planned before anything is saved: which offers are
new, which changed (and in what), which are the same, which are no longer active in the
platform, and which cannot be used (with why). Identity is the platform and its offer
ID ("affise:123"), so a sync is idempotent; an offer imported earlier from a file with
the same offer ID is matched, not doubled. Pure Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.validation import validate_url
from affilitest_gui.networks.connections import Connection
from affilitest_gui.networks.connector import ACTIVE, NetworkOffer
from affilitest_gui.offers.model import Offer

GONE_STATUS = "inactive"  # what a synced offer that left the active list is marked
DELETED_STATUS = "deleted"  # ... that left the whole list (every status was asked for)


class SyncAction(str, Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    GONE = "gone"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class SyncEntry:
    """One offer of the plan: what the sync would do with it, and why."""

    source: str  # "affise:123"
    action: SyncAction
    offer: Offer | None  # what would be saved (None: skipped)
    reason: str = ""  # skipped: why; updated: which fields; gone: the words for it
    url: str = ""


@dataclass(frozen=True)
class SyncPlan:
    platform: str
    entries: tuple[SyncEntry, ...] = field(default_factory=tuple)

    def count(self, action: SyncAction) -> int:
        return sum(entry.action is action for entry in self.entries)

    @property
    def summary(self) -> dict[str, int]:
        return {action.value: self.count(action) for action in SyncAction}

    def said(self, name: str) -> str:
        """What a saved sync did, in one sentence ("Synced from Everflow: 3 new, ...")."""
        counts = self.summary
        return (f"Synced from {name}: {counts['new']:,} new, {counts['updated']:,} updated, "
                f"{counts['gone']:,} no longer active.")  # fmt: skip


def link_for(offer: NetworkOffer, connection: Connection, links: Mapping[str, str]) -> str:
    """The link checked: the test affiliate's tracking link (from `links`, by source)
    when the connection names one, else the offer's destination URL."""
    if connection.partner:
        return links.get(offer.source, "")
    return offer.destination_url


def plan_sync(
    connection: Connection,
    fetched: Sequence[NetworkOffer],
    known: Iterable[Offer],
    links: Mapping[str, str],
    *,
    now: str,
) -> SyncPlan:
    """`fetched`: every active offer of the platform (a whole list, never part of one);
    `known`: the watch list; `links`: the test affiliate's links by source."""
    known = list(known)
    by_source = {offer.source: offer for offer in known if offer.source}
    by_offer_id = {offer.offer_id: offer for offer in known if not offer.source and offer.offer_id}
    entries: list[SyncEntry] = []
    seen: set[str] = set()
    for item in fetched:
        seen.add(item.source)
        existing = by_source.get(item.source) or by_offer_id.get(item.offer_id)
        url = link_for(item, connection, links) or (existing.url if existing else "")
        if not url:
            why = "no tracking link for the test affiliate" if connection.partner else "no URL"
            entries.append(SyncEntry(item.source, SyncAction.SKIPPED, None, why))
            continue
        try:
            url = validate_url(url)
        except InputError as error:
            entries.append(SyncEntry(item.source, SyncAction.SKIPPED, None, error.message, url))
            continue
        wanted = Offer(
            url=url,
            countries=item.countries or connection.countries,
            devices=item.devices or connection.devices,
            offer_id=item.source,
            name=item.name,
            source=item.source,
            platform_status=item.status,
            synced_at=now,
        )
        if existing is None:
            entries.append(SyncEntry(item.source, SyncAction.NEW, wanted, url=url))
            continue
        changed = _changes(existing, wanted)
        kept = replace(wanted, expects=existing.expects, id=existing.id,  # the person's
                       never_auto_pause=existing.never_auto_pause)  # fmt: skip
        action = SyncAction.UPDATED if changed else SyncAction.UNCHANGED
        entries.append(SyncEntry(item.source, action, kept, ", ".join(changed), url))
    for offer in known:
        if not offer.source.startswith(f"{connection.platform}:") or offer.source in seen:
            continue
        if offer.platform_status not in ("", ACTIVE):  # paused here, or gone before
            entries.append(SyncEntry(offer.source, SyncAction.UNCHANGED, None,
                                     f"{offer.platform_status} in {connection.name}"))  # fmt: skip
            continue
        if connection.every_status:  # the whole list came: it is not there at all
            gone = replace(offer, platform_status=DELETED_STATUS, synced_at=now)
            words = f"no longer in {connection.name}"
        else:
            gone = replace(offer, platform_status=GONE_STATUS, synced_at=now)
            words = f"no longer active in {connection.name}"
        entries.append(SyncEntry(offer.source, SyncAction.GONE, gone, words, offer.url))
    return SyncPlan(connection.platform, tuple(entries))


def _changes(existing: Offer, wanted: Offer) -> list[str]:
    """The fields a sync would change, by their names in the offers view."""
    names = (("name", "name"), ("url", "link"), ("countries", "countries"),
             ("devices", "devices"), ("offer_id", "offer ID"), ("source", "source"),
             ("platform_status", "status"))  # fmt: skip
    return [label for attribute, label in names
            if getattr(existing, attribute) != getattr(wanted, attribute)]  # fmt: skip
