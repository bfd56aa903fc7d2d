"""The results log as a table model over the history store, fetched page by page.

It shows the rows of one mode: live checks, or the sandbox's when the sandbox is on,
so demo results never mix into the real log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from affilitest_gui.api.validation import device_label
from affilitest_gui.chains.parties import path_text
from affilitest_gui.history.columns import matches
from affilitest_gui.history.repository import Repository
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.ui.style import health_text_color

PAGE_SIZE = 500
Index = QModelIndex | QPersistentModelIndex


def local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


@dataclass(frozen=True)
class Column:
    header: str
    sort_key: str | None  # the store's sort key, None: not sortable
    text: Callable[[HistoryRecord], str]
    width: int


# What matters first, so the verdict is on screen in a narrow window.
COLUMNS: tuple[Column, ...] = (
    Column("Offer URL", "url", lambda r: r.url, 220),
    Column("Verdict", "verdict", lambda r: r.verdict, 280),
    Column("Health", "health", lambda r: r.health.label, 85),
    Column("Country", "country", lambda r: r.country.upper(), 60),
    Column("Device", "device", lambda r: device_label(r.device), 135),
    Column("Time", "time", lambda r: local_time(r.checked_at), 140),
    Column("Final URL", "final_url", lambda r: r.final_url, 260),
    Column("Path", None, lambda r: path_text([url for url, _ in r.hops]), 200),
    Column("Hops", None, lambda r: str(len(r.hops)) if r.hops else "", 45),
    Column("Codes", None, lambda r: r.status_codes, 120),
    Column("Attempts", "attempts", lambda r: str(r.attempts), 65),
    Column(
        "Duration",
        "duration",
        lambda r: "" if r.duration_s is None else f"{r.duration_s:.1f} s",
        70,
    ),
)
VERDICT_COLUMN = 1
HEALTH_COLUMN = 2
DEVICE_COLUMN = 4
TIME_COLUMN = 5


def health_brush(health: Health) -> QBrush | None:
    """The colour of a verdict and a health, from the health kind (never from its words),
    for the palette in use (light or dark)."""
    color = health_text_color(health)
    return None if color is None else QBrush(color)


def cell_text(record: HistoryRecord, column: int) -> str:
    return COLUMNS[column].text(record)


def verdict_brush(record: HistoryRecord) -> QBrush | None:
    return health_brush(record.health)


class ResultsModel(QAbstractTableModel):
    """Newest first; new results appear at the top the moment they are stored."""

    def __init__(self, store: Repository) -> None:
        super().__init__()
        self._store = store
        self._rows: list[HistoryRecord] = []
        self._total = 0
        self.filter_text = ""
        self.sandbox = False
        self.sort_key = "time"
        self.descending = True
        self.reload()

    # --- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read first, then reset: a read that fails leaves the rows shown as they were."""
        rows = self._page(0)
        # A short first page is the whole answer: no second scan to count it.
        short = len(rows) < PAGE_SIZE
        total = len(rows) if short else self._store.count(self.filter_text, sandbox=self.sandbox)
        self.beginResetModel()
        self._rows, self._total = rows, total
        self.endResetModel()

    def _page(self, offset: int) -> list[HistoryRecord]:
        return self._store.page(
            filter_text=self.filter_text,
            sandbox=self.sandbox,
            sort=self.sort_key,
            descending=self.descending,
            offset=offset,
            limit=PAGE_SIZE,
        )

    def rows_to_export(self, *, visible_only: bool) -> Iterator[HistoryRecord]:
        """Every row of this mode, newest first; `visible_only`: those the filter shows."""
        text = self.filter_text if visible_only else ""
        return self._store.iter_all(text, sandbox=self.sandbox)

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self.reload()

    def set_sandbox(self, sandbox: bool) -> None:
        """Show the sandbox's rows (True) or the live ones."""
        if sandbox != self.sandbox:
            self.sandbox = sandbox
            self.reload()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802
        more = self._page(len(self._rows))
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def add(self, records: list[HistoryRecord]) -> None:
        """Stored records, oldest first: shown at the top (newest first) if they match."""
        shown = [
            r for r in records if r.sandbox == self.sandbox and matches(r, self.filter_text)
        ]
        if not shown:
            return
        self.beginInsertRows(QModelIndex(), 0, len(shown) - 1)
        self._rows[:0] = reversed(shown)
        self._total += len(shown)
        self.endInsertRows()

    # --- Qt model API ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        judged = index.column() in (VERDICT_COLUMN, HEALTH_COLUMN)
        if role == Qt.ItemDataRole.ToolTipRole and judged and record.reasons:
            return "\n".join(record.reasons)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(record, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and judged:
            return verdict_brush(record)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        if key is None or (key, descending) == (self.sort_key, self.descending):
            return  # already so: no second query
        self.sort_key = key
        self.descending = descending
        self.reload()

    def record(self, row: int) -> HistoryRecord:
        return self._rows[row]

    @property
    def total(self) -> int:
        return self._total
