"""A sync from a network platform and a status written back there, on the repository:
the one path of the app and `affilitest-offers sync | pause | resume`. Pure Python.

A sync reads every page first (a sync cut off half-way saves nothing), asks the
platform for the test affiliate's link only for offers it has none for yet, plans,
and saves only when told to. A pause or a resume is logged in the audit log with the
platform's answer, whatever it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from affilitest_gui.history.platform_book import AuditEntry
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.records import now_text
from affilitest_gui.networks.connections import Connection
from affilitest_gui.networks.connector import Connector, NetworkOffer, WriteOutcome, every_offer
from affilitest_gui.networks.http import NetworkError, Problem
from affilitest_gui.networks.sync import SyncPlan, plan_sync
from affilitest_gui.offers.model import Offer

PAUSE, RESUME = "pause", "resume"
PAUSED_WORDS = {"affise": "suspended", "everflow": "paused", "hasoffers": "paused"}


def plan_from_platform(
    connector: Connector, connection: Connection, repository: Repository
) -> SyncPlan:
    """Fetch every active offer and plan the sync against the watch list."""
    fetched = list(every_offer(connector))
    links: dict[str, str] = {}
    if connection.partner:
        known = repository.offers.by_source(offer.source for offer in fetched)
        links = {source: offer.url for source, offer in known.items()}
        for offer in fetched:
            if offer.source not in links:
                links[offer.source] = _link_or_blank(connector, offer, connection.partner)
    return plan_sync(connection, fetched, repository.offers.all(), links, now=now_text())


def _link_or_blank(connector: Connector, offer: NetworkOffer, partner: str) -> str:
    """The affiliate's link, or "" when the platform will not make one for this offer
    (the plan then says so); a refused key or a platform out of reach stops the sync."""
    try:
        return connector.tracking_link(offer, partner)
    except NetworkError as error:
        if error.problem in (Problem.REJECTED, Problem.MALFORMED):
            return ""
        raise


def save_plan(plan: SyncPlan, repository: Repository, connection: Connection) -> None:
    """The plan accepted: saved in one transaction, and the connection remembered."""
    entries = [(entry.action.value, entry.offer) for entry in plan.entries if entry.offer]
    repository.offers.apply_sync(entries)
    repository.platforms.save_connection(connection)


@dataclass(frozen=True)
class StatusChange:
    """What a pause or a resume did to one offer."""

    offer: Offer
    result: str  # "paused" | "resumed" | "already" | "refused" | "not synced" | "would ..."
    message: str


def change_status(
    offers: Sequence[Offer],
    action: str,
    repository: Repository,
    connect_to: Callable[[str], Connector],
    *,
    by_rule: bool = False,
    dry_run: bool = False,
) -> list[StatusChange]:
    """Pause (or resume) each offer in its platform; `connect_to(platform)` gives the
    connector. Each write is logged with the platform's answer."""
    changes: list[StatusChange] = []
    connectors: dict[str, Connector] = {}
    try:
        for offer in offers:
            platform = offer.source.partition(":")[0]
            if not offer.source or platform not in PAUSED_WORDS:
                said = "not from a network platform: nothing to change"
                changes.append(StatusChange(offer, "not synced", said))
                continue
            wanted = PAUSED_WORDS[platform] if action == PAUSE else "active"
            if offer.platform_status == wanted:
                changes.append(StatusChange(offer, "already", f"already {wanted}"))
                continue
            if dry_run:
                said = f"{offer.platform_status or '?'} -> {wanted}"
                changes.append(StatusChange(offer, f"would {action}", said))
                continue
            if platform not in connectors:
                connectors[platform] = connect_to(platform)
            connector = connectors[platform]
            platform_id = offer.source.partition(":")[2]
            written = connector.pause(platform_id) if action == PAUSE else connector.resume(
                platform_id
            )
            done = written.outcome in (WriteOutcome.DONE, WriteOutcome.ALREADY)
            repository.platforms.log(AuditEntry(
                source=offer.source, action=action, old_status=offer.platform_status,
                new_status=wanted if done else offer.platform_status,
                outcome=written.outcome.value, answer=written.message, offer_ref=offer.id,
                by_rule=by_rule,
            ))  # fmt: skip
            if done and offer.id is not None:
                repository.offers.set_platform_status(offer.id, wanted)
            result = ("paused" if action == PAUSE else "resumed") if done else "refused"
            changes.append(StatusChange(offer, result, written.message))
    finally:
        for connector in connectors.values():
            connector.close()
    return changes
