"""The offers watch list: which offers are broken now, what changed, and why.

One row per offer; selecting one shows its country x device matrix (each cell coloured
by health and saying its verdict), and a click on a cell shows that check's chain.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.validation import device_label
from affilitest_gui.history.offer_book import CellResult, MergeCounts, OfferStatus
from affilitest_gui.history.offers_export import export_offers
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.networks.connections import platforms_of
from affilitest_gui.offers.choice import OFFER_FILTERS, OfferChoice
from affilitest_gui.offers.model import Offer
from affilitest_gui.runs.planner import calls_for
from affilitest_gui.ui.compare_dialog import CompareDialog
from affilitest_gui.ui.import_dialog import ImportDialog
from affilitest_gui.ui.msgbox import say_cannot_write, show_message
from affilitest_gui.ui.offer_dialog import OfferDialog
from affilitest_gui.ui.offers_model import (
    NOT_YET,
    OFFER_COLUMNS,
    STRIP_COLUMN,
    OffersFilter,
    OffersModel,
)
from affilitest_gui.ui.results_panel import detail_html
from affilitest_gui.ui.run_strip import RunStripDelegate
from affilitest_gui.ui.style import Tone, set_tone, tint, tone_color, tone_style
from affilitest_gui.ui.widgets import (
    CLICK_MODIFIER,
    data_table,
    delete_keys,
    filter_box,
    native_keys,
)
from affilitest_gui.words import plural

REFRESH_EVERY_MS = 1000

if TYPE_CHECKING:
    from affilitest_gui.session.offers import OffersSession


class OffersView(QWidget):
    """Emits `check_requested(list[Offer])`; everything else it does itself."""

    check_requested = Signal(object)
    schedule_requested = Signal(object)  # list[Offer]
    status_change_requested = Signal(object, str)  # list[Offer], "pause" | "resume"
    message = Signal(str)  # a line for the status bar

    def __init__(self, watch_list: OffersSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watch_list = watch_list
        watch_list.changed.connect(self._refresh_when_seen)
        self.read_only = False
        self.dialog: QWidget | None = None
        self._shortcuts: dict[QPushButton, QShortcut] = {}
        self.model = OffersModel(strips=watch_list.strip)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_EVERY_MS)
        self._refresh_timer.timeout.connect(self._refresh_when_seen)
        # Statuses are read when the view is on screen: with a big watch list that takes
        # a while, and the app opens on the log.
        self._stale = True
        self.proxy = OffersFilter(self.model)

        button = self._button
        self.import_button = button("&Import\u2026", self.show_import, "Ctrl+I",
                                    "Import offers from a CSV, TSV or Excel file")
        self.add_button = button("&Add\u2026", self.show_add, "Ctrl+N", "Add an offer")
        self.edit_button = button("&Edit\u2026", self.show_edit, None,
                                  "Edit the selected offer (or double-click it)")
        self.delete_button = button("&Delete", self.delete_selected, None,
                                    "Delete the selected offers; their checks stay in the log")
        self.check_all_button = button("Check &all", self.check_all, None, "Check every offer")
        self.check_selected_button = button("Check &selected", self.check_selected, None,
                                            "Check the selected offers")
        self.check_broken_button = button("Check &broken", self.check_broken, None,
                                          "Check the offers broken now")
        self.export_button = button("E&xport\u2026", self.export, None,
                                    "Export the offers shown, cell by cell (Excel or CSV)")
        self.schedule_button = button("Sc&hedule\u2026", self.schedule, None,
                                      "Re-check the selected offers (or all) on a schedule")
        self.compare_button = button("Co&mpare", self.compare_cells, None,
                                     "Compare two cells of the matrix "
                                     f"({CLICK_MODIFIER}+click the second)")
        self.show_box = QComboBox()
        self.show_box.setObjectName("offersShow")
        for choice in OFFER_FILTERS:
            self.show_box.addItem(choice.label, choice.value)
        self.show_box.currentIndexChanged.connect(
            lambda: self.proxy.set_show(OfferChoice(self.show_box.currentData()))
        )
        self.filter_edit = filter_box(
            "offersFilter", "Filter offers (ID, name, link, country)\u2026", self.proxy.set_text
        )
        self.count_label = QLabel("")
        self.empty_hint = QLabel(
            "No offers yet. Import your network's export or a spreadsheet "
            f"({native_keys('Ctrl+I')}), or add one by hand ({native_keys('Ctrl+N')})."
        )
        self.empty_hint.setObjectName("offersEmptyHint")
        self.empty_hint.setWordWrap(True)
        # The one number to read before Check all: a line of its own, never elided.
        self.cost_label = QLabel("")
        self.cost_label.setObjectName("offersCost")
        self.cost_label.setWordWrap(True)
        set_tone(self.cost_label, Tone.MUTED)
        self._calls_left: int | None = None

        self.table = data_table("offersTable", self.proxy, [c.width for c in OFFER_COLUMNS],
                                (1, Qt.SortOrder.DescendingOrder))  # the worst first  # fmt: skip
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.strip_delegate = RunStripDelegate(self.table)
        self.table.setItemDelegateForColumn(STRIP_COLUMN, self.strip_delegate)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.read_only or self.show_edit())
        for signal in (self.proxy.modelReset, self.proxy.layoutChanged, self.proxy.rowsInserted,
                       self.proxy.rowsRemoved):  # fmt: skip
            signal.connect(self._counts)
        delete = QShortcut(self.table)
        delete.setKeys(delete_keys())
        delete.activated.connect(self.delete_selected)
        self._shortcuts[self.delete_button] = delete

        self.matrix = QTableWidget()
        self.matrix.setObjectName("offerMatrix")
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matrix.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.matrix.setWordWrap(True)
        self.matrix.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.matrix.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.matrix.currentCellChanged.connect(lambda row, column, *_: self._show_cell(row, column))
        self.matrix.itemSelectionChanged.connect(self._matrix_selection_changed)
        self.compare_dialog: CompareDialog | None = None
        self.why = QLabel("")
        self.why.setObjectName("sinceOk")
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(self.why, Tone.BROKEN)
        self.why.hide()
        self.chain = QTextBrowser()
        self.chain.setObjectName("offerChain")
        self.chain.setPlaceholderText("Click a cell to see that check's chain hop by hop.")
        self._matrix_cells: dict[tuple[int, int], CellResult] = {}
        self._matrix_offer: Offer | None = None
        self.matrix.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.matrix.customContextMenuRequested.connect(self._cell_menu)

        self.platform_button = QPushButton("&Platform")
        self.platform_button.setToolTip("Pause or re-activate the selected offers in the network "
                                        "platform they were synced from")  # fmt: skip
        platform_menu = QMenu(self.platform_button)
        self.pause_action = platform_menu.addAction(
            "Pause in the platform\u2026", lambda: self._ask_status_change("pause"))
        self.resume_action = platform_menu.addAction(
            "Re-activate in the platform\u2026", lambda: self._ask_status_change("resume"))
        platform_menu.aboutToShow.connect(self._name_the_platform)
        self.platform_button.setMenu(platform_menu)
        manage = QHBoxLayout()  # two short rows: the view must fit a 1024-wide window
        for button in (self.import_button, self.add_button, self.edit_button,
                       self.delete_button, self.export_button):  # fmt: skip
            manage.addWidget(button)
        manage.addStretch(1)
        checks = QHBoxLayout()
        for button in (self.check_all_button, self.check_selected_button,
                       self.check_broken_button, self.schedule_button,
                       self.compare_button, self.platform_button):  # fmt: skip
            checks.addWidget(button)
        checks.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(self.show_box)
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.count_label)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.matrix)
        bottom.addWidget(self.chain)
        bottom.setSizes([520, 380])
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.why)
        detail_layout.addWidget(bottom, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setSizes([360, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(manage)
        layout.addLayout(checks)
        layout.addWidget(self.cost_label)
        layout.addLayout(filters)
        layout.addWidget(self.empty_hint)
        layout.addWidget(split, 1)
        self._selection_changed()

    def _button(self, text: str, slot: object, shortcut: str | None, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        if shortcut:
            self._shortcuts[button] = QShortcut(QKeySequence(shortcut), self, activated=slot)
            tip = f"{tip} ({native_keys(shortcut)})"
        button.setToolTip(tip)
        return button

    def set_read_only(self) -> None:
        """A copy of a history that could not be opened: look, filter, compare, export;
        nothing that would change the offers or spend calls."""
        self.read_only = True
        for button in (self.import_button, self.add_button, self.edit_button,
                       self.delete_button, self.check_all_button, self.check_selected_button,
                       self.check_broken_button, self.schedule_button,
                       self.platform_button):  # fmt: skip
            button.hide()
            if button in self._shortcuts:
                self._shortcuts[button].setEnabled(False)
        self.cost_label.setText("")
        self.empty_hint.setText("No offers in this copy of the history.")

    # --- data ------------------------------------------------------------------------

    def _refresh_when_seen(self) -> None:
        """Read now if the view is on screen, else when it is next shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._read_if_stale()

    def _read_if_stale(self) -> None:
        """Read the statuses if they changed while the view was not on screen (also
        for Check all from the tray, with the window hidden)."""
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the offers and their latest results again, keeping the selection."""
        self._stale = False
        kept = {offer.id for offer in self.selected_offers()}
        schedules = {s.offer_ref: s for s in self.watch_list.schedules()}
        self.model.set_statuses(self.watch_list.statuses(), schedules)
        if kept:
            selection = self.table.selectionModel()
            for row in range(self.proxy.rowCount()):
                if self.proxy.status(row).offer.id in kept:
                    selection.select(self.proxy.index(row, 0), selection.SelectionFlag.Select
                                     | selection.SelectionFlag.Rows)  # fmt: skip
        self._selection_changed()

    def results_arrived(self, records: list[HistoryRecord]) -> None:
        """Offers' results came in: read the statuses again, at most once a second (a
        long batch of offers would otherwise re-read them every few results)."""
        offers_came = any(record.offer_ref is not None for record in records)
        if offers_came and not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def batch_finished(self, *_summary: object) -> None:
        """The last results are in: show them now, not at the next coalesced refresh."""
        if self._refresh_timer.isActive():
            self._refresh_timer.stop()
            self._refresh_when_seen()

    def set_calls_left(self, calls_left: int | None) -> None:
        self._calls_left = calls_left
        self._counts()

    # --- selection -------------------------------------------------------------------

    def selected_statuses(self) -> list[OfferStatus]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.proxy.status(row) for row in rows]

    def selected_offers(self) -> list[Offer]:
        return [status.offer for status in self.selected_statuses()]

    def _selection_changed(self, *_args: object) -> None:
        selected = self.selected_statuses()
        self.edit_button.setEnabled(len(selected) == 1)
        self.delete_button.setEnabled(bool(selected))
        self.check_selected_button.setEnabled(bool(selected))
        self.platform_button.setEnabled(any(s.offer.source for s in selected))
        self._show_matrix(selected[0] if len(selected) == 1 else None)
        self._matrix_selection_changed()
        self._counts()

    def _counts(self, *_args: object) -> None:
        statuses = self.model.statuses
        shown = self.proxy.rowCount()
        broken = sum(status.health is Health.BROKEN for status in statuses)
        changed = sum(status.changed for status in statuses)
        self.count_label.setText(
            f"{shown:,} of {plural(len(statuses), 'offer')} \u00b7 {broken:,} broken \u00b7 "
            f"{changed:,} changed"
        )
        cost = self.model.cost
        everything, broken_cost = cost.calls, cost.broken_calls
        selected = calls_for(status.offer for status in self.selected_statuses())
        merged = (f" ({cost.checks:,} checks, identical ones merged)"
                  if cost.checks != everything else "")  # fmt: skip
        self.check_all_button.setEnabled(everything > 0)
        self.schedule_button.setEnabled(bool(statuses))
        self.check_broken_button.setEnabled(broken_cost > 0)
        left = "" if self._calls_left is None else f" \u00b7 {self._calls_left:,} calls left"
        if not self.read_only:  # else nothing can be checked: no cost to show
            self.cost_label.setText(
                f"Calls: all {everything:,}{merged} \u00b7 selected {selected:,} \u00b7 "
                f"broken {broken_cost:,}{left}"
            )
        self.empty_hint.setVisible(not statuses)

    # --- the matrix ------------------------------------------------------------------

    def _show_matrix(self, status: OfferStatus | None) -> None:
        self.matrix.clear()
        self._matrix_cells = {}
        self.chain.clear()
        self._show_why(status)
        if status is None:
            self.matrix.setRowCount(0)
            self.matrix.setColumnCount(0)
            return
        offer = status.offer
        self._matrix_offer = offer
        self.matrix.setRowCount(len(offer.countries))
        self.matrix.setColumnCount(len(offer.devices))
        self.matrix.setVerticalHeaderLabels([country.upper() for country in offer.countries])
        self.matrix.setHorizontalHeaderLabels([device_label(d) for d in offer.devices])
        for row, country in enumerate(offer.countries):
            for column, device in enumerate(offer.devices):
                result = status.latest.get((country, device))
                self.matrix.setItem(row, column, _cell(result, (country, device) in
                                                       status.changed_cells))  # fmt: skip
                if result is not None:
                    self._matrix_cells[(row, column)] = result

    def _show_why(self, status: OfferStatus | None) -> None:
        """Above the matrix: what changed since the offer's first broken cell worked."""
        broken = sorted(cell for cell, result in (status.latest.items() if status else ())
                        if result.health is Health.BROKEN)  # fmt: skip
        found = self.watch_list.since_ok(status.offer, broken) if status and broken else None
        self.why.setText(found.sentence if found else "")
        self.why.setVisible(found is not None)

    def _cell_menu(self, point: QPoint) -> None:
        """Right-click on a cell: check that one country x device again (one call)."""
        item = self.matrix.itemAt(point)
        offer = self._matrix_offer
        if item is None or offer is None or self.read_only:
            return
        country, device = offer.countries[item.row()], offer.devices[item.column()]
        menu = QMenu(self.matrix)
        label = f"{country.upper()}, {device_label(device)}"
        menu.addAction(f"Check again ({label}, 1 call)",
                       lambda: self.check_requested.emit(
                           [replace(offer, countries=(country,), devices=(device,))]))  # fmt: skip
        menu.popup(self.matrix.viewport().mapToGlobal(point))

    def _selected_cells(self) -> list[CellResult]:
        cells = [(index.row(), index.column()) for index in self.matrix.selectedIndexes()]
        return [self._matrix_cells[cell] for cell in sorted(cells) if cell in self._matrix_cells]

    def _matrix_selection_changed(self) -> None:
        self.compare_button.setEnabled(len(self._selected_cells()) == 2)

    def compare_cells(self) -> None:
        cells = self._selected_cells()
        if len(cells) != 2:
            return
        first, second = (self.watch_list.record(cell.id) for cell in cells)
        if first is not None and second is not None:
            self.compare_dialog = CompareDialog(first, second, self)
            self.compare_dialog.show()

    def _show_cell(self, row: int, column: int) -> None:
        result = self._matrix_cells.get((row, column))
        record = self.watch_list.record(result.id) if result else None
        if record is None or self._matrix_offer is None:
            self.chain.setHtml("")
            return
        found = None
        if record.health is Health.BROKEN:
            found = self.watch_list.since_ok(self._matrix_offer, [(record.country, record.device)])
        why = (f"<p style='{tone_style(Tone.BROKEN)}'><b>{escape(found.sentence)}</b></p>"
               if found else "")  # fmt: skip
        self.chain.setHtml(why + detail_html(record))

    # --- actions ---------------------------------------------------------------------

    def _show_dialog(self, dialog: QWidget) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.close()
        self.dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
        dialog.show()

    def show_import(self) -> None:
        dialog = ImportDialog(self.watch_list, parent=self)
        dialog.imported.connect(self._imported)
        self._show_dialog(dialog)

    def _imported(self, counts: MergeCounts) -> None:
        self.message.emit(
            f"Imported {plural(counts.imported, 'new offer')}, updated {counts.updated:,}."
        )

    def show_add(self) -> None:
        self.show_draft(None)

    def show_draft(self, draft: Offer | None) -> None:
        """The offer editor for a new offer (`draft`: filled in, from checks of the log)."""
        dialog = OfferDialog(draft, parent=self)
        dialog.saved.connect(self._save)
        self._show_dialog(dialog)

    def show_edit(self) -> None:
        offers = self.selected_offers()
        if len(offers) != 1:
            return
        dialog = OfferDialog(offers[0], audit=self.watch_list.audit(offers[0]), parent=self)
        dialog.saved.connect(self._save)
        self._show_dialog(dialog)

    def _save(self, offer: Offer) -> None:
        saved = self.watch_list.save(offer)  # the list is read again: `changed`
        self.select(saved.id)
        self.message.emit(f"Saved {saved.label}.")

    def show_only(self, choice: OfferChoice) -> None:
        """Filter the list to `choice`'s offers, as picking it in the box does."""
        self.show_box.setCurrentIndex(self.show_box.findData(choice.value))

    def select(self, offer_ref: int | None) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.status(row).offer.id == offer_ref:
                self.table.selectRow(row)
                return

    def delete_selected(self) -> None:
        offers = self.selected_offers()
        if not offers:
            return
        names = offers[0].label if len(offers) == 1 else plural(len(offers), "offer")
        show_message(
            self, "Delete offers?", f"Delete {names} from the watch list?",
            informative="Their past checks stay in the results log.",
            confirm="Delete", on_confirm=lambda: self._delete(offers),
        )  # fmt: skip

    def _delete(self, offers: list[Offer]) -> None:
        self.watch_list.delete(offers)
        self.message.emit(f"Deleted {plural(len(offers), 'offer')}.")

    def _name_the_platform(self) -> None:
        """"Pause in Everflow…" when the selection comes from one platform."""
        where = platforms_of([offer for offer in self.selected_offers() if offer.source])
        self.pause_action.setText(f"Pause in {where}\u2026")
        self.resume_action.setText(f"Re-activate in {where}\u2026")

    def _ask_status_change(self, action: str) -> None:
        offers = [offer for offer in self.selected_offers() if offer.source]
        if offers:
            self.status_change_requested.emit(offers, action)

    def check_all(self) -> None:
        self._read_if_stale()
        self._check([status.offer for status in self.model.statuses])

    def check_selected(self) -> None:
        self._check(self.selected_offers())

    def check_broken(self) -> None:
        self._read_if_stale()
        self._check([status.offer for status in OfferChoice.BROKEN.pick(self.model.statuses)])

    def schedule(self) -> None:
        """The selected offers, or every offer shown when none is selected."""
        self._read_if_stale()
        offers = self.selected_offers() or [
            self.proxy.status(row).offer for row in range(self.proxy.rowCount())
        ]
        if offers:
            self.schedule_requested.emit(offers)

    def _check(self, offers: list[Offer]) -> None:
        if offers:
            self.check_requested.emit(offers)

    def _shown_of_all(self) -> str:
        """"1 of 6 offers": what a filtered view exports."""
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            return plural(total, "offer")
        return f"{shown:,} of {plural(total, 'offer')}"

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {self._shown_of_all()}", str(Path.home() / "affilitest-offers.xlsx"),
            "Excel (*.xlsx);;CSV (*.csv)",
        )  # fmt: skip
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        statuses = [self.proxy.status(row) for row in range(self.proxy.rowCount())]
        try:
            count = export_offers(statuses, path)
        except OSError as error:  # open in Excel, a read-only folder, a full disk
            say_cannot_write(self, path, error)
            return 0
        self.message.emit(f"Exported {plural(count, 'row')} ({self._shown_of_all()}) to {path}")
        return count


def _cell(record: CellResult | None, changed: bool) -> QTableWidgetItem:
    if record is None:
        item = QTableWidgetItem(NOT_YET)
        item.setForeground(QBrush(QColor(tone_color(Tone.MUTED))))
        return item
    mark = " (changed)" if changed else ""
    item = QTableWidgetItem(f"{record.health.label}{mark}\n{record.verdict}")
    background, text = tint(record.health)
    item.setBackground(QBrush(background))
    item.setForeground(QBrush(text))
    item.setToolTip("\n".join(record.reasons))
    return item
