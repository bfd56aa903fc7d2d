"""The watch list's one owner for the app's views: they read the offers through it and
ask it for every change (save, delete, import, schedule); `changed` then tells every
view, as does a switch between the live account and the sandbox (their offers are kept
apart). Views never write the history themselves. Qt core, no widgets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone

from PySide6.QtCore import QObject, Signal

from affilitest_gui.chains.since_ok import SinceOk
from affilitest_gui.history.offer_book import MergeCounts, OfferStatus
from affilitest_gui.history.platform_book import AuditEntry
from affilitest_gui.history.repository import (
    OfferRepository,
    PlatformRepository,
    TimelineRepository,
)
from affilitest_gui.history.timeline import RunMark
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.importing import Field
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import Schedule
from affilitest_gui.session.account import AccountSession, AccountState


class OffersSession(QObject):
    """The offers of the mode the account is in (live or sandbox)."""

    changed = Signal()  # the offers, their schedules, or the mode changed: read them again

    def __init__(
        self,
        book: OfferRepository,
        account: AccountSession | None = None,
        parent: QObject | None = None,
        *,
        platforms: PlatformRepository | None = None,
        timeline: TimelineRepository | None = None,
    ) -> None:
        """`account`: follow its mode (none: the live offers, as a benchmark reads them);
        `platforms`: where the audit log of platform writes is read; `timeline`: the
        offers' past (their recent runs, what changed since a cell last worked)."""
        super().__init__(parent)
        self._book = book
        self._platforms = platforms
        self._timeline = timeline
        self.sandbox = account.state.sandbox if account is not None else False
        if account is not None:
            account.changed.connect(self._on_account_changed)

    def _on_account_changed(self, state: AccountState) -> None:
        if state.sandbox != self.sandbox:
            self.sandbox = state.sandbox
            self.changed.emit()

    # --- reading ---------------------------------------------------------------------

    def statuses(self) -> list[OfferStatus]:
        return self._book.statuses(sandbox=self.sandbox)

    def schedules(self) -> list[Schedule]:
        return self._book.schedules(sandbox=self.sandbox)

    def offers(self) -> list[Offer]:
        return self._book.all(sandbox=self.sandbox)

    def record(self, check_id: int) -> HistoryRecord | None:
        """One check of an offer's cell, its whole chain."""
        return self._book.record(check_id)

    def strip(self, offer: Offer) -> list[RunMark]:
        """The offer's last runs, oldest first."""
        if self._timeline is None or offer.id is None:
            return []
        return self._timeline.strip(offer.id, cells=offer.check_count)

    def calls_per_day(self, days: int = 30) -> dict[date, int]:
        """The calls sent each of the last `days` days (UTC), in this mode."""
        if self._timeline is None:
            return {}
        today = datetime.now(timezone.utc).date()
        return self._timeline.calls_per_day(days, today, sandbox=self.sandbox)

    def since_ok(self, offer: Offer, cells: list[tuple[str, str]]) -> SinceOk | None:
        """What changed since the first of `cells` that is broken last worked."""
        if self._timeline is None or offer.id is None:
            return None
        return self._timeline.since_ok_of(offer.id, cells)

    def audit(self, offer: Offer) -> list[AuditEntry]:
        """The writes to a platform made for `offer`, oldest first."""
        if self._platforms is None or offer.id is None:
            return []
        return self._platforms.audit(offer.id)

    def known(self, offers: Iterable[Offer]) -> int:
        """How many of `offers` an import would update (they are on the list already)."""
        return sum(self._book.match(offer, sandbox=self.sandbox) is not None for offer in offers)

    # --- changing --------------------------------------------------------------------

    def reread(self) -> None:
        """The offers changed through another owner (a sync, a platform's status): the
        views read them again."""
        self.changed.emit()

    def save(self, offer: Offer) -> Offer:
        """A new offer, or an edited one; returned with its id."""
        saved = self._book.save(offer, sandbox=self.sandbox)
        self.changed.emit()
        return saved

    def delete(self, offers: Iterable[Offer]) -> None:
        """Off the watch list; their checks stay in the log."""
        self._book.delete([offer.id for offer in offers if offer.id is not None])
        self.changed.emit()

    def merge(self, offers: list[Offer], present: frozenset[Field]) -> MergeCounts:
        """An import: new offers added, known ones updated in the columns the file has."""
        counts = self._book.merge(offers, sandbox=self.sandbox, present=present)
        self.changed.emit()
        return counts

    def set_schedule(self, offers: Iterable[Offer], every_h: int | None, now: datetime) -> None:
        """Check `offers` every `every_h` hours from `now` (None: no longer)."""
        refs = [offer.id for offer in offers if offer.id is not None]
        self._book.set_schedule(refs, every_h, now)
        self.changed.emit()
