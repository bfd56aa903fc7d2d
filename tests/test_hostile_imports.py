"""Hostile files are normal input: each import accounts for every data row (imported,
updated, or listed with its reason) or refuses the file with one sentence; never a
traceback, never a row lost without a word, never a laptop's memory exhausted."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from affilitest_gui.history.store import HistoryStore
from affilitest_gui.judging.expectations import ExpectKind
from affilitest_gui.offers.importing import (
    MAX_XLSX_UNPACKED,
    Field,
    ImportFileError,
    guess_mapping,
    plan_import,
    read_table,
)
from affilitest_gui.offers_cli import run
from affilitest_gui.paths import DATA_DIR_VARIABLE

HEADER = "Offer ID,Offer Name,Tracking Link,Geo\n"


def plan_of(path: Path):
    table = read_table(path)
    return plan_import(table, guess_mapping(table[0]))


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def refused(path: Path) -> str:
    with pytest.raises(ImportFileError) as raised:
        read_table(path)
    return str(raised.value)


def test_a_cell_over_128_kb_names_its_row_and_imports_nothing(tmp_path):
    path = write(tmp_path, "big.csv", HEADER + f'1,{"x" * 140_000},https://t.example/1,US\n')
    assert "row 2 holds a cell larger than 128 KB" in refused(path)


def test_a_quote_that_never_closes_before_128_kb_names_the_row_it_opens_on(tmp_path):
    rows = "".join(f"{n},Offer {n},https://t.example/{n},US\n" for n in range(3, 5000))
    path = write(tmp_path, "quote.csv", HEADER + '1,"Broken name,https://t.example/1,US\n'
                 + rows)  # fmt: skip
    said = refused(path)
    assert "row 2 opens a quote that never closes" in said and "Nothing was imported" in said


def test_a_small_unclosed_quote_lists_both_rows_it_ran_together(tmp_path):
    path = write(tmp_path, "merged.csv", HEADER + '1,"Quest,https://t.example/1,US\n'
                 "2,Shop,https://t.example/2,GB\n3,Fine,https://t.example/3,DE\n")  # fmt: skip
    plan = plan_of(path)
    # The quote runs to the end: rows 2 to 4 were read as one, and are all listed.
    [skip] = plan.skipped
    assert skip.row == 2 and skip.rows == 3 and "rows 2 to 4 were read as one" in skip.reason
    assert plan.rows == 3 and plan.offers == ()


def test_every_data_row_is_accounted_for(tmp_path):
    text = (HEADER + "1,A,https://t.example/1,US\n2,B,https://t.example/2,ZZ\n"
            '3,"C,https://t.example/3,US\n4,D,https://t.example/4,US"\n'
            "5,E,https://t.example/5,US\n\n6,F,https://t.example/6,GB\n")  # fmt: skip
    plan = plan_of(write(tmp_path, "mixed.csv", text))
    data_lines = [line for line in text.splitlines()[1:] if line.strip()]
    assert plan.rows == len(data_lines) == 6
    assert len(plan.offers) + sum(skip.rows for skip in plan.skipped) == 6
    assert "6 rows in the file: 3 to import, 3 listed below" in plan.summary(0)


def test_duplicate_offer_ids_with_different_links_are_listed_as_conflicts(tmp_path):
    path = write(tmp_path, "dupes.csv", HEADER + "1,A,https://t.example/a,US\n"
                 "1,A,https://t.example/b,US\n1,A,https://t.example/c,US\n"
                 "2,B,https://t.example/2,US\n2,B,https://t.example/2,US\n")  # fmt: skip
    plan = plan_of(path)
    assert [(row, offer.url) for row, offer in plan.offers] == [
        (4, "https://t.example/c"), (6, "https://t.example/2")]  # fmt: skip
    reasons = {skip.row: skip.reason for skip in plan.skipped}
    conflict = "offer 1 appears on rows 2, 3, 4 with different links: row 4 kept"
    assert reasons[2] == reasons[3] == conflict
    assert reasons[5] == "offer 2 appears again on row 6, which is kept"
    assert plan.rows == 5


def xlsx_with_sheet(path: Path, sheet_xml: bytes) -> Path:
    """A real workbook whose first sheet's XML is replaced."""
    book = Workbook()
    book.active.append(["Offer ID", "Tracking Link"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            target.writestr(info, data)
    return path


def test_an_xlsx_with_an_entity_bomb_is_refused_with_a_sentence(tmp_path):
    lol = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY l0 "lol">{lol}]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
            "</sheetData></worksheet>").encode()  # fmt: skip
    path = xlsx_with_sheet(tmp_path / "bomb.xlsx", bomb)
    said = refused(path)
    assert said.startswith("Cannot read bomb.xlsx as an Excel workbook")


def test_a_zip_bomb_xlsx_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/worksheets/sheet1.xml", "w") as sheet:  # fmt: skip
        chunk = b" " * 1_000_000
        for _ in range(MAX_XLSX_UNPACKED // len(chunk) + 5):
            sheet.write(chunk)
    assert path.stat().st_size < 2_000_000  # small on disk...
    assert "unpacks to more than 200 MB" in refused(path)  # ...refused from its directory


@pytest.mark.parametrize(
    ("name", "data"),
    [("legacy.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
     ("unicode.txt", "Offer ID\tTracking Link\n1\thttps://t.example/1\n".encode("utf-16-le")),
     ("random.csv", random.Random(7).randbytes(4096)),
     ("renamed.csv", bytes(range(1, 32)) * 40)],
)  # fmt: skip
def test_what_is_not_text_or_xlsx_is_named_a_format_to_save_again(tmp_path, name, data):
    said = refused(write(tmp_path, name, data))
    assert said == (f"{name} is not a supported format: save it as CSV (UTF-8) or XLSX, "
                    "then import it.")


def test_utf16_with_a_bom_is_read(tmp_path):
    text = "Offer ID\tOffer Name\tTracking Link\n1\tCaf\u00e9 Qu\u00eate\thttps://t.example/1\n"
    plan = plan_of(write(tmp_path, "excel-unicode.txt", b"\xff\xfe" + text.encode("utf-16-le")))
    [(_, offer)] = plan.offers
    assert offer.name == "Caf\u00e9 Qu\u00eate"


def test_one_cp1252_byte_in_a_utf8_file_spoils_only_its_own_row(tmp_path):
    data = (HEADER + "1,Caf\u00e9,https://t.example/1,US\n2,Na\u00efve,https://t.example/2,US\n"
            "3,Stray,https://t.example/3,US\n4,Cr\u00e8me,https://t.example/4,US\n").encode()
    data = data.replace(b"Stray", b"Str\xe9y")  # one byte of Windows-1252
    plan = plan_of(write(tmp_path, "mostly-utf8.csv", data))
    names = [offer.name for _, offer in plan.offers]
    assert names == ["Caf\u00e9", "Na\u00efve", "Str\ufffdy", "Cr\u00e8me"]  # not "CafÃ©"
    assert any(note.startswith("Lines 4 hold bytes that are not UTF-8") for note in plan.notes)


@pytest.mark.parametrize(
    ("link", "named"),
    [("https://t.example/a\x00b", "U+0000"), ("https://t.example/\u202egnp.exe", "U+202E"),
     ("https://t.example/a\u200bb", "U+200B ZERO WIDTH SPACE")],
)  # fmt: skip
def test_hidden_characters_are_refused_in_links_and_stripped_from_names(tmp_path, link, named):
    text = HEADER + f"1,Na\u200bme\u202e\x07,{link},US\n2,Fine,https://t.example/2,US\n"
    table = read_table(write(tmp_path, "hidden.csv", text.replace("\x00", "")))
    table[1][2] = link  # NUL cannot come through a text file here; a paste or XLSX can
    plan = plan_import(table, guess_mapping(table[0]))
    [skip] = plan.skipped
    assert skip.row == 2 and named in skip.reason
    assert "invisible or control character" in skip.reason
    [(_, offer)] = plan.offers
    assert offer.name == "Fine"
    names = write(tmp_path, "names.csv", HEADER + "1,Na\u200bme\u202e\x07,https://t.example/1,US\n")
    clean = plan_import(read_table(names), guess_mapping(table[0]))
    assert clean.offers[0][1].name == "Name"


def test_a_reimport_without_a_preview_column_keeps_the_preview_expectation(tmp_path):
    store = HistoryStore(tmp_path / "history.sqlite3")
    store_link = "https://play.google.com/store/apps/details?id=a.b"
    first = plan_of(write(tmp_path, "with.csv", "Offer ID,Tracking Link,Preview URL,Geo\n"
                          f"1,https://t.example/1,{store_link},US\n"))  # fmt: skip
    store.offers.merge([offer for _, offer in first.offers], present=first.present)
    again = plan_of(write(tmp_path, "without.csv", "Offer ID,Tracking Link\n1,https://t.example/1\n"))
    assert Field.PREVIEW not in again.present and Field.COUNTRIES not in again.present
    store.offers.merge([offer for _, offer in again.offers], present=again.present)
    [offer] = store.offers.all()
    store.close()
    assert [e.kind for e in offer.expects] == [ExpectKind.PREVIEW]
    assert offer.countries == ("us",)


def test_two_imports_at_once_never_double_an_offer(tmp_path):
    rows = "".join(f"{n},Offer {n},https://t.example/{n},US\n" for n in range(400))
    path = write(tmp_path, "many.csv", HEADER + rows)
    env = {**os.environ, DATA_DIR_VARIABLE: str(tmp_path / "data")}
    code = "from affilitest_gui.offers_cli import main; main()"
    both = [subprocess.Popen([sys.executable, "-c", code, "import", str(path)], env=env,
                             stdout=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    results = [json.loads(process.communicate(timeout=120)[0]) for process in both]
    assert all(process.returncode == 0 for process in both)
    assert sorted(r["imported"] for r in results) == [0, 400]  # one adds, the other updates
    store = HistoryStore(tmp_path / "data" / "history.sqlite3")
    assert len(store.offers.all()) == 400
    store.close()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_importing_an_endless_file_reads_a_capped_amount_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    out, err = io.StringIO(), io.StringIO()
    status = run(["import", "/dev/zero"], stdout=out, stderr=err, environ={})
    assert status == 2 and out.getvalue() == ""
    assert err.getvalue() == ("affilitest-offers: zero is larger than 50 MB: split it into "
                              "smaller files.\n")
