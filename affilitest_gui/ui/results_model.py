"""The results log as a table model over the history store, fetched page by page."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from affilitest_gui.history.records import CANCELLED, FAILED, HistoryRecord
from affilitest_gui.history.store import HistoryStore, matches
from affilitest_gui.ui.style import BROKEN_COLOR, ERROR_COLOR, MUTED_COLOR

PAGE_SIZE = 500
Index = QModelIndex | QPersistentModelIndex

# (header, sort key in the store, how to show a record)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Time", "time"),
    ("Offer URL", "url"),
    ("Country", "country"),
    ("Device", "device"),
    ("Verdict", "verdict"),
    ("Hops", None),
    ("Final URL", "final_url"),
    ("Codes", None),
    ("Attempts", "attempts"),
    ("Duration", "duration"),
)
VERDICT_COLUMN = 4
_FAILED_BRUSH = QBrush(QColor(ERROR_COLOR))
_MUTED_BRUSH = QBrush(QColor(MUTED_COLOR))
_BROKEN_BRUSH = QBrush(QColor(BROKEN_COLOR))


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def cell_text(record: HistoryRecord, column: int) -> str:
    if column == 0:
        return _local_time(record.checked_at)
    if column == VERDICT_COLUMN:
        return ("[sandbox] " if record.sandbox else "") + record.verdict
    if column == 5:
        return str(len(record.hops)) if record.hops else ""
    if column == 9:
        return "" if record.duration_s is None else f"{record.duration_s:.1f} s"
    plain = {1: record.url, 2: record.country.upper(), 3: record.device, 6: record.final_url,
             7: record.codes, 8: str(record.attempts)}  # fmt: skip
    return plain[column]


class ResultsModel(QAbstractTableModel):
    """Newest first; new results appear at the top the moment they are stored."""

    def __init__(self, store: HistoryStore) -> None:
        super().__init__()
        self._store = store
        self._rows: list[HistoryRecord] = []
        self._total = 0
        self.filter_text = ""
        self.sort_key = "time"
        self.descending = True
        self.reload()

    # --- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._page(0)
        # A short first page is the whole answer: no second scan to count it.
        short = len(self._rows) < PAGE_SIZE
        self._total = len(self._rows) if short else self._store.count(self.filter_text)
        self.endResetModel()

    def _page(self, offset: int) -> list[HistoryRecord]:
        return self._store.page(
            filter_text=self.filter_text,
            sort=self.sort_key,
            descending=self.descending,
            offset=offset,
            limit=PAGE_SIZE,
        )

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
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
        shown = [r for r in records if matches(r, self.filter_text)]
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
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(record, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == VERDICT_COLUMN:
            if record.outcome == FAILED:
                return _FAILED_BRUSH
            if record.outcome == CANCELLED:
                return _MUTED_BRUSH
            if record.verdict.startswith(("Broken", "Redirect loop", "Too many", "Misses")):
                return _BROKEN_BRUSH
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def record(self, row: int) -> HistoryRecord:
        return self._rows[row]

    @property
    def total(self) -> int:
        return self._total
