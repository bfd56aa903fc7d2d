"""Import offers: a file (CSV, TSV, XLSX) or pasted rows, the guessed column of each field
(changeable), then what will happen, row by row, before anything is saved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from affilitest_gui.offers.importing import (
    Field,
    ImportFileError,
    ImportPlan,
    Table,
    guess_mapping,
    parse_text,
    plan_import,
    read_table,
)
from affilitest_gui.ui.style import Tone, set_tone

NO_COLUMN = "(none)"
FILE_FILTER = "Offer lists (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)"

if TYPE_CHECKING:
    from affilitest_gui.session.offers import OffersSession


class ImportDialog(QDialog):
    """Non-modal; emits `imported(MergeCounts)` once the offers are saved."""

    imported = Signal(object)

    def __init__(self, watch_list: OffersSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import offers")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._watch_list = watch_list
        self._table = Table()
        self.plan: ImportPlan | None = None

        self.file_button = QPushButton("Choose a &file\u2026")
        self.file_button.clicked.connect(self.choose_file)
        self.source_label = QLabel("CSV, TSV or Excel (.xlsx) with a header row.")
        set_tone(self.source_label, Tone.MUTED)
        self.paste = QPlainTextEdit()
        self.paste.setObjectName("importPaste")
        self.paste.setPlaceholderText(
            "\u2026or paste rows copied from a spreadsheet here, the header row first."
        )
        self.paste.setMaximumHeight(90)
        self.paste.textChanged.connect(self._pasted)

        self.columns: dict[Field, QComboBox] = {}
        mapping_form = QFormLayout()
        for field_ in Field:
            box = QComboBox()
            box.setObjectName(f"column_{field_.value}")
            box.currentIndexChanged.connect(self._replan)
            self.columns[field_] = box
            mapping_form.addRow(field_.label, box)

        self.summary = QLabel("Choose a file or paste rows.")
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.skipped = QListWidget()
        self.skipped.setObjectName("skippedRows")
        self.skipped.setWordWrap(True)  # a reason is read whole, not scrolled to
        self.skipped.hide()
        self.error = QLabel("")
        set_tone(self.error, Tone.ERROR)
        self.error.setWordWrap(True)

        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.save)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.close)

        source = QHBoxLayout()
        source.addWidget(self.file_button)
        source.addWidget(self.source_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(source)
        layout.addWidget(self.paste)
        layout.addWidget(QLabel("<b>Columns</b> (guessed from the header; change any):"))
        layout.addLayout(mapping_form)
        layout.addWidget(self.summary)
        layout.addWidget(self.skipped, 1)
        layout.addWidget(self.error)
        layout.addStretch(0)
        layout.addWidget(buttons)
        self.resize(620, 560)

    # --- the source ------------------------------------------------------------------

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import offers", str(Path.home()), FILE_FILTER)
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        try:
            table = read_table(path)
        except ImportFileError as error:
            self._show_error(str(error))
            return
        self.source_label.setText(path.name)
        self._set_table(table)

    def _pasted(self) -> None:
        text = self.paste.toPlainText()
        if text.strip():
            self.source_label.setText("Pasted rows")
            try:
                table = parse_text(text)
            except ImportFileError as error:  # the same sentence as the command line's
                self._show_error(str(error))
                return
            self._set_table(table)

    def _set_table(self, table: Table) -> None:
        self._table = table
        header = table[0] if table else []
        guess = guess_mapping(header)
        for field_, box in self.columns.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(NO_COLUMN, None)
            for column, name in enumerate(header):
                box.addItem(name or f"Column {column + 1}", column)
            guessed = guess[field_]
            box.setCurrentIndex(0 if guessed is None else guessed + 1)
            box.blockSignals(False)
        self._replan()

    # --- the plan --------------------------------------------------------------------

    def mapping(self) -> dict[Field, int | None]:
        return {field_: box.currentData() for field_, box in self.columns.items()}

    def _replan(self) -> None:
        self.plan = None
        self.import_button.setEnabled(False)
        self.skipped.clear()
        if len(self._table) < 2:
            self._show_error("No rows below the header." if self._table else "")
            return
        try:
            plan = plan_import(self._table, self.mapping())
        except ImportFileError as error:
            self._show_error(str(error))
            return
        self.error.setText("")
        self.plan = plan
        offers = [offer for _, offer in plan.offers]
        updated = self._watch_list.known(offers)
        parts = [plan.summary(updated), *plan.notes]
        self.summary.setText(" ".join(parts))
        for skip in plan.skipped:
            self.skipped.addItem(f"Row {skip.row}: {skip.reason}")
        self.skipped.setVisible(bool(plan.skipped))
        self.import_button.setEnabled(bool(offers))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.summary.setText("")

    def save(self) -> None:
        if self.plan is None:
            return
        counts = self._watch_list.merge([offer for _, offer in self.plan.offers],
                                        self.plan.present)  # fmt: skip
        self.imported.emit(counts)
        self.close()
