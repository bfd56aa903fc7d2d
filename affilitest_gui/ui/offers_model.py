"""The offers view's table: one row per offer with its worst health, counts per health,
last checked and whether anything changed since the run before; sortable by every
column, filtered by *Broken now*, *Changed since last run* and text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush

from affilitest_gui.history.offer_book import OfferStatus
from affilitest_gui.history.timeline import RunMark
from affilitest_gui.judging.expectations import expectations_text
from affilitest_gui.judging.health import Health
from affilitest_gui.networks.connections import PLATFORM_NAMES
from affilitest_gui.offers.choice import OfferChoice
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.schedule import Schedule
from affilitest_gui.runs.planner import calls_for
from affilitest_gui.ui.results_model import health_brush, local_time
from affilitest_gui.ui.run_strip import STRIP_ROLE, strip_words

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NOT_YET = "Not checked yet"


@dataclass(frozen=True)
class OfferColumn:
    header: str
    text: Callable[[OfferStatus], str]
    sort: Callable[[OfferStatus], object]
    width: int


def _health_text(status: OfferStatus) -> str:
    return status.health.label if status.health else NOT_YET


def platform_text(status: OfferStatus) -> str:
    """Where a synced offer came from and its status there: "Everflow: paused"."""
    offer = status.offer
    if not offer.source:
        return ""
    name = PLATFORM_NAMES.get(offer.source.partition(":")[0], offer.source)
    return f"{name}: {offer.platform_status}" if offer.platform_status else name


def _count(health: Health) -> Callable[[OfferStatus], str]:
    return lambda status: str(status.counts[health]) if status.latest else ""


OFFER_COLUMNS: tuple[OfferColumn, ...] = (
    OfferColumn("Offer", lambda s: s.offer.label, lambda s: s.offer.label.lower(), 200),
    OfferColumn("Health", _health_text,
                lambda s: s.health.severity if s.health else -1, 95),
    OfferColumn("Recent runs", lambda s: "", lambda s: 0, 200),  # painted from the timeline
    OfferColumn("Changed", lambda s: "Changed" if s.changed else "", lambda s: s.changed, 75),
    OfferColumn("OK", _count(Health.OK), lambda s: s.counts[Health.OK], 40),
    OfferColumn("Warning", _count(Health.WARNING), lambda s: s.counts[Health.WARNING], 65),
    OfferColumn("Broken", _count(Health.BROKEN), lambda s: s.counts[Health.BROKEN], 60),
    OfferColumn("Not checked", _count(Health.NOT_CHECKED),
                lambda s: s.counts[Health.NOT_CHECKED], 90),
    OfferColumn("Schedule", lambda s: "", lambda s: "", 80),  # from the model's schedules
    OfferColumn("Last checked", lambda s: local_time(s.last_checked) if s.last_checked else "",
                lambda s: s.last_checked, 140),
    OfferColumn("Expected", lambda s: expectations_text(s.offer.expects),
                lambda s: expectations_text(s.offer.expects), 200),
    OfferColumn("Tracking link", lambda s: s.offer.url, lambda s: s.offer.url, 300),
    OfferColumn("Platform", platform_text, platform_text, 150),
)  # fmt: skip
HEALTH_COLUMN = 1
STRIP_COLUMN = 2
SCHEDULE_COLUMN = 8


@dataclass(frozen=True)
class ListCost:
    """What checking the whole list, or its broken offers, costs (identical checks are
    one call), and the checks that makes."""

    calls: int = 0
    checks: int = 0
    broken_calls: int = 0

    @classmethod
    def of(cls, statuses: list[OfferStatus]) -> ListCost:
        return cls(
            calls=calls_for(status.offer for status in statuses),
            checks=sum(status.offer.check_count for status in statuses),
            broken_calls=calls_for(s.offer for s in OfferChoice.BROKEN.pick(statuses)),
        )


class OffersModel(QAbstractTableModel):
    """The statuses of the current mode's offers, as the book gives them."""

    def __init__(self, strips: Callable[[Offer], list[RunMark]] = lambda _offer: []) -> None:
        """`strips`: an offer's recent runs, read when its row is first painted."""
        super().__init__()
        self._statuses: list[OfferStatus] = []
        self.cost = ListCost()
        self.schedules: dict[int, Schedule] = {}
        self._strips = strips
        self._strip_cache: dict[int | None, list[RunMark]] = {}

    def set_statuses(self, statuses: list[OfferStatus], schedules: dict[int, Schedule]) -> None:
        self.beginResetModel()
        self._statuses = statuses
        self.schedules = schedules
        self.cost = ListCost.of(statuses)  # once a read, not on every selection change
        self._strip_cache = {}
        self.endResetModel()

    def strip(self, status: OfferStatus) -> list[RunMark]:
        """The offer's recent runs (for the rows on screen only: read once a read)."""
        if status.offer.id not in self._strip_cache:
            self._strip_cache[status.offer.id] = self._strips(status.offer)
        return self._strip_cache[status.offer.id]

    def status(self, row: int) -> OfferStatus:
        return self._statuses[row]

    @property
    def statuses(self) -> list[OfferStatus]:
        return list(self._statuses)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._statuses)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(OFFER_COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return OFFER_COLUMNS[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        status = self._statuses[index.row()]
        if index.column() == SCHEDULE_COLUMN:
            schedule = self.schedules.get(status.offer.id)  # type: ignore[arg-type]
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return f"every {schedule.every_h} h" if schedule else ""
            if role == Qt.ItemDataRole.ToolTipRole and schedule:
                return f"Next: {local_time(schedule.next_due.isoformat())}"
            return None
        if index.column() == STRIP_COLUMN:
            if role == STRIP_ROLE:
                return self.strip(status)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return strip_words(self.strip(status))
            return None
        column = OFFER_COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(status)
        if role == SORT_ROLE:
            return column.sort(status)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == HEALTH_COLUMN:
            return _brush(status)
        return None


def _brush(status: OfferStatus) -> QBrush | None:
    return health_brush(status.health) if status.health else None


class OffersFilter(QSortFilterProxyModel):
    """Sorts by each column's own key; shows the chosen offers whose text has every word."""

    def __init__(self, source: OffersModel) -> None:
        super().__init__()
        self._source = source
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self._show = OfferChoice.ALL
        self._words: list[str] = []

    def set_show(self, show: OfferChoice) -> None:
        self._refilter(lambda: setattr(self, "_show", show))

    def set_text(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_words", text.lower().split()))

    def _refilter(self, change: Callable[[], None]) -> None:
        """Change the filter's state and show its rows again (Qt 6.9's way where it
        exists: invalidateFilter() is deprecated there)."""
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        status = self._source.status(row)
        if not self._show.takes(status.health, changed=status.changed):
            return False
        if not self._words:
            return True
        offer = status.offer
        parts = (offer.offer_id, offer.name, offer.url, _health_text(status), *offer.countries)
        text = " ".join(parts).lower()
        return all(word in text for word in self._words)

    def status(self, row: int) -> OfferStatus:
        return self._source.status(self.mapToSource(self.index(row, 0)).row())
