"""The results log: filter, table, and the selected check's chain hop by hop."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QTextOption
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.api.validation import device_label
from affilitest_gui.chains.parties import party_of
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.ui.compare_dialog import CompareDialog
from affilitest_gui.ui.msgbox import say_cannot_write
from affilitest_gui.ui.results_model import COLUMNS, TIME_COLUMN, ResultsModel, cell_text
from affilitest_gui.ui.style import Tone, tone_style
from affilitest_gui.ui.widgets import data_table, filter_box
from affilitest_gui.words import plural


def _party_cell(url: str) -> str:
    party = party_of(url)
    if party is None:
        return f"<span style='{tone_style(Tone.MUTED)}'>unknown</span>"
    role = f"<span style='{tone_style(Tone.MUTED)}'>{party.role.value}</span>"
    return f"<b>{html.escape(party.name)}</b><br>{role}"


def detail_html(record: HistoryRecord) -> str:
    """The chain hop by hop with codes; for a failure, the catalog's explanation and advice."""
    esc = html.escape
    parts = [
        f"<h3>{esc(record.verdict)}</h3>",
        f"<p><b>{esc(record.health.label)}:</b> {esc('; '.join(record.reasons))}</p>"
        if record.reasons
        else "",
        f"<p><b>Offer:</b> {esc(record.url)}<br><b>From:</b> {esc(record.country.upper())} "
        f"&middot; <b>Device:</b> {esc(device_label(record.device))}"
        + (f"<br><b>Preview:</b> {esc(record.preview_url)}" if record.preview_url else "")
        + (" <br><i>Sandbox result (not from the live service)</i>" if record.sandbox else "")
        + "</p>",
    ]
    if record.hops:
        rows = "".join(
            f"<tr><td align='right'>{number}.</td>"
            f"<td><b>{'&mdash;' if code is None else code}</b></td>"
            f"<td>{_party_cell(url)}</td><td>{esc(url)}</td></tr>"
            for number, (url, code) in enumerate(record.hops, 1)
        )
        parts.append(f"<p><b>Redirect chain</b></p><table cellspacing='4'>{rows}</table>")
        if any(code is None for _, code in record.hops):
            if not record.codes:
                why = "status codes were not asked for in this check"
            elif record.sandbox:
                why = "the sandbox records pages off this computer without opening them"
            else:
                why = "AffiliTest reported no status for it"
            muted = tone_style(Tone.MUTED)
            parts.append(f"<p style='{muted}'>&mdash; = no status code: {why}.</p>")
    explained = record.explanation
    if explained is not None:
        parts.append(
            f"<p><b>What happened:</b> {esc(explained.title)}. {esc(explained.explanation)}</p>"
            f"<p><b>What to do:</b> {esc(explained.advice)}</p>"
        )
    parts.append(f"<p style='{tone_style(Tone.MUTED)}'>Attempts: {record.attempts}</p>")
    return "".join(parts)


class ResultsPanel(QWidget):
    """Emits `open_url(str)` and `rerun(list[HistoryRecord])` from its context menu."""

    open_url = Signal(str)
    rerun = Signal(object)
    add_to_watch_list = Signal(object)  # list[HistoryRecord]: a new offer made of them
    message = Signal(str)  # a line for the status bar

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.can_rerun = True  # False: a read-only copy of the history
        self.filter_edit = filter_box(
            "filterEdit", "Filter the log (URL, verdict, country, device)\u2026",
            self.model.set_filter,
        )  # fmt: skip
        self.count_label = QLabel("")
        self.table = data_table("resultsTable", model, [spec.width for spec in COLUMNS],
                                (TIME_COLUMN, Qt.SortOrder.DescendingOrder))  # fmt: skip
        self.table.setAlternatingRowColors(True)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        # A reset (filter, sort, mode) drops the selection without selectionChanged.
        model.modelReset.connect(self._show_selected)
        copy = QAction("Copy", self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)
        self.detail = QTextBrowser()
        self.detail.setObjectName("detailPane")
        self.detail.setOpenLinks(False)
        self.detail.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.detail.setPlaceholderText("Select a check to see its redirect chain hop by hop.")

        for signal in (model.modelReset, model.rowsInserted):
            signal.connect(self._count)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([420, 200])
        self.splitter = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._count()

    def export(self, *, visible_only: bool) -> None:
        """File -> Export: the rows shown (`visible_only`) or every row of this mode."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export results", str(Path.home() / "affilitest-results.csv"), "CSV (*.csv)"
        )
        if path:
            self.export_to(Path(path), visible_only=visible_only)

    def export_to(self, path: Path, *, visible_only: bool) -> int:
        """The rows of the current mode (live or sandbox), filtered if `visible_only`."""
        from affilitest_gui.history.export import export_csv  # noqa: PLC0415 - on first use

        try:
            count = export_csv(self.model.rows_to_export(visible_only=visible_only), path)
        except OSError as error:  # open in Excel, a read-only folder, a full disk
            say_cannot_write(self, path, error)
            return 0
        self.message.emit(f"Exported {count:,} rows to {path}")
        return count

    def _count(self, *_args: object) -> None:
        total = self.model.total
        where = " in the sandbox" if self.model.sandbox else ""
        self.count_label.setText(f"{total:,} check{'s' if total != 1 else ''}{where}")

    def selected_records(self) -> list[HistoryRecord]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(row) for row in rows]

    def _show_selected(self, *_args: object) -> None:
        records = self.selected_records()
        self.detail.setHtml(detail_html(records[0]) if records else "")

    def copy_selection(self) -> None:
        lines = ["\t".join(column.header for column in COLUMNS)]
        for record in self.selected_records():
            lines.append("\t".join(cell_text(record, c) for c in range(len(COLUMNS))))
        QGuiApplication.clipboard().setText("\n".join(lines))

    def _menu(self, point: QPoint) -> None:
        index: QModelIndex = self.table.indexAt(point)
        if not index.isValid():
            return
        record = self.model.record(index.row())
        records = self.selected_records() or [record]
        menu = QMenu(self)
        menu.addAction("Open offer URL in browser", lambda: self.open_url.emit(record.url))
        if record.final_url:
            menu.addAction(
                "Open final URL in browser", lambda: self.open_url.emit(record.final_url)
            )
        menu.addSeparator()
        if self.can_rerun:
            menu.addAction(f"Re-run {plural(len(records), 'check')}",
                           lambda: self.rerun.emit(records))  # fmt: skip
        menu.addAction("Copy", self.copy_selection)
        if self.can_rerun:  # a read-only copy changes nothing
            menu.addAction("Add to watch list\u2026", lambda: self.add_to_watch_list.emit(records))
        if len(records) == 2:
            menu.addAction("Compare the 2 checks side by side", lambda: self.compare(*records))
        menu.popup(self.table.viewport().mapToGlobal(point))

    def compare(self, first: HistoryRecord, second: HistoryRecord) -> CompareDialog:
        dialog = CompareDialog(first, second, self)
        self.compare_dialog = dialog
        dialog.show()
        return dialog
