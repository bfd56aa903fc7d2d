"""A sync from a network platform and a status written back there, on the repository:
the one path of the app and `affilitest-offers sync | pause | resume`. Pure Python.

A sync reads every page first (a sync cut off half-way saves nothing), asks the
platform for the test affiliate's link only for offers it has none for yet, plans,
and saves only when told to. A pause or a resume is logged in the audit log with the
platform's answer, whatever it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from affilitest_gui.history.platform_book import AuditEntry
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord, now_text
from affilitest_gui.networks.connect import PAUSED_STATUS
from affilitest_gui.networks.connections import PLATFORMS, Connection
from affilitest_gui.networks.connector import (
    ACTIVE,
    Connector,
    NetworkOffer,
    WriteOutcome,
    WriteResult,
    every_offer,
)
from affilitest_gui.networks.http import NetworkError, Problem
from affilitest_gui.networks.sync import SyncPlan, plan_sync
from affilitest_gui.offers.auto_pause import advance
from affilitest_gui.offers.model import Offer

PAUSE, RESUME = "pause", "resume"


def fetch_for_sync(
    connector: Connector, connection: Connection, known_links: Mapping[str, str]
) -> tuple[list[NetworkOffer], dict[str, str]]:
    """Every active offer, and the test affiliate's link for each (asked of the platform
    only for offers without one in `known_links`, by source). Network only: no storage,
    so the app runs it off the GUI thread."""
    fetched = list(every_offer(connector))
    links: dict[str, str] = {}
    if connection.partner:
        for offer in fetched:
            links[offer.source] = known_links.get(offer.source) or _link_or_blank(
                connector, offer, connection.partner
            )
    return fetched, links


def known_links(offers: Iterable[Offer]) -> dict[str, str]:
    """The links the watch list already has for synced offers, by source."""
    return {offer.source: offer.url for offer in offers if offer.source}


def plan_from_platform(
    connector: Connector, connection: Connection, repository: Repository
) -> SyncPlan:
    """Fetch every active offer and plan the sync against the watch list."""
    known = repository.offers.all()
    fetched, links = fetch_for_sync(connector, connection, known_links(known))
    return plan_sync(connection, fetched, known, links, now=now_text())


def _link_or_blank(connector: Connector, offer: NetworkOffer, partner: str) -> str:
    """The affiliate's link, or "" when the platform will not make one for this offer
    (the plan then says so); a refused key or a platform out of reach stops the sync."""
    try:
        return connector.tracking_link(offer, partner)
    except NetworkError as error:
        if error.problem in (Problem.REJECTED, Problem.MALFORMED):
            return ""
        raise


def save_plan(plan: SyncPlan, repository: Repository, connection: Connection, *,
              sandbox: bool = False) -> None:  # fmt: skip
    """The plan accepted: saved in one transaction, and the connection remembered."""
    entries = [(entry.action.value, entry.offer) for entry in plan.entries if entry.offer]
    repository.offers.apply_sync(entries, sandbox=sandbox)
    repository.platforms.save_connection(connection)
    repository.platforms.mark_synced(connection.platform, now_text())


@dataclass(frozen=True)
class StatusChange:
    """What a pause or a resume did to one offer."""

    offer: Offer
    result: str  # "paused" | "resumed" | "already" | "refused" | "not synced" | "would ..."
    message: str


def status_plan(
    offers: Sequence[Offer], action: str, *, dry_run: bool = False
) -> tuple[list[StatusChange], list[tuple[Offer, str]]]:
    """What a pause (or a resume) of `offers` would do: the answers known without asking
    the platform (not synced, already so, or with `dry_run` what would happen), and the
    writes to make, each with the status wanted."""
    said: list[StatusChange] = []
    writes: list[tuple[Offer, str]] = []
    for offer in offers:
        platform = offer.source.partition(":")[0]
        if not offer.source or platform not in PAUSED_STATUS:
            said.append(StatusChange(offer, "not synced",
                                     "not from a network platform: nothing to change"))  # fmt: skip
            continue
        wanted = PAUSED_STATUS[platform] if action == PAUSE else ACTIVE
        if offer.platform_status == wanted:
            said.append(StatusChange(offer, "already", f"already {wanted}"))
        elif dry_run:
            words = f"{offer.platform_status or '?'} -> {wanted}"
            said.append(StatusChange(offer, f"would {action}", words))
        else:
            writes.append((offer, wanted))
    return said, writes


def write_status(connector: Connector, offer: Offer, action: str) -> WriteResult:
    """The platform's answer to one pause or resume. Network only."""
    platform_id = offer.source.partition(":")[2]
    return connector.pause(platform_id) if action == PAUSE else connector.resume(platform_id)


def record_status(
    repository: Repository,
    offer: Offer,
    action: str,
    wanted: str,
    written: WriteResult,
    *,
    by_rule: bool = False,
) -> StatusChange:
    """A write's answer in the audit log (whatever it was) and, if it applied, the
    offer's status."""
    done = written.outcome in (WriteOutcome.DONE, WriteOutcome.ALREADY)
    repository.platforms.log(AuditEntry(
        source=offer.source, action=action, old_status=offer.platform_status,
        new_status=wanted if done else offer.platform_status, outcome=written.outcome.value,
        answer=written.message, offer_ref=offer.id, by_rule=by_rule,
    ))  # fmt: skip
    if done and offer.id is not None:
        repository.offers.set_platform_status(offer.id, wanted)
    result = ("paused" if action == PAUSE else "resumed") if done else "refused"
    return StatusChange(offer, result, written.message)


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
    changes, writes = status_plan(offers, action, dry_run=dry_run)
    connectors: dict[str, Connector] = {}
    try:
        for offer, wanted in writes:
            platform = offer.source.partition(":")[0]
            if platform not in connectors:
                connectors[platform] = connect_to(platform)
            written = write_status(connectors[platform], offer, action)
            changes.append(record_status(repository, offer, action, wanted, written,
                                         by_rule=by_rule))  # fmt: skip
    finally:
        for connector in connectors.values():
            connector.close()
    return changes


def pause_candidates(
    records: Iterable[HistoryRecord], repository: Repository, *, since: str,
    sandbox: bool = False,
) -> tuple[list[Offer], list[StatusChange]]:
    """After a run, with the rule on: advance each offer's broken runs in a row; the
    offers to pause now, and those over the daily cap (counted `since` the day began),
    said. Storage only: the app writes to the platforms off the GUI thread."""
    rule = repository.platforms.pause_rule()
    if not rule.enabled:
        return [], []
    runs: dict[int, list[Health]] = {}
    for record in records:
        if record.offer_ref is not None:
            runs.setdefault(record.offer_ref, []).append(record.health)
    streaks, due = advance(repository.platforms.pause_streaks(), runs, rule)
    repository.platforms.save_pause_streaks(streaks)
    never = repository.offers.never_auto_pause()
    offers = {offer.id: offer for offer in repository.offers.all(sandbox=sandbox)}
    candidates = [offers[ref] for ref in due
                  if ref in offers and ref not in never and offers[ref].source
                  and offers[ref].platform_status not in PAUSED_STATUS.values()]  # fmt: skip
    room = max(0, rule.daily_cap - repository.platforms.auto_paused_since(since))
    waiting = f"the daily cap of {rule.daily_cap} auto-pauses is reached: it waits for tomorrow"
    return candidates[:room], [StatusChange(offer, "waiting", waiting)
                               for offer in candidates[room:]]  # fmt: skip


def apply_pause_rule(
    records: Iterable[HistoryRecord],
    repository: Repository,
    connect_to: Callable[[str], Connector],
    *,
    since: str,
) -> list[StatusChange]:
    """After a run: the rule's pauses made (`pause_candidates`), each logged."""
    chosen, waiting = pause_candidates(records, repository, since=since)
    return change_status(chosen, PAUSE, repository, connect_to, by_rule=True) + waiting


def due_syncs(repository: Repository, now: datetime) -> list[Connection]:
    """The connections whose scheduled sync is due (never synced, or an interval ago)."""
    due = []
    for platform in PLATFORMS:
        connection = repository.platforms.connection(platform)
        if connection is None or not connection.sync_every_h:
            continue
        last = repository.platforms.last_synced(platform)
        if last and datetime.fromisoformat(last) + timedelta(hours=connection.sync_every_h) > now:
            continue
        due.append(connection)
    return due


def day_start() -> str:
    """Midnight UTC today, as the audit log writes times: where the daily cap counts from."""
    midnight = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.isoformat(timespec="seconds")
