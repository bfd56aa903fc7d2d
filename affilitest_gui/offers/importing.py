"""Offers from a network's export or a spreadsheet: CSV (any delimiter, UTF-8 with or
without BOM, Excel's cp1252, UTF-16 with a BOM), TSV, XLSX and a paste of copied rows.

Reading gives a table of text cells, each row with the lines of the file it came from;
`guess_mapping` matches its header to the offer's fields (case and spaces ignored);
`plan_import` turns the rows into offers and accounts for every data row: imported,
updated, or listed with its number and reason (bad, a duplicate, or run together with
the next by a quote that does not close), so the good rows still import.

Hostile files are normal input: a file too large, a zip bomb, an XML entity bomb, a cell
over 128 KB, a legacy .xls or random bytes each get a sentence, never a traceback, and
what is read is capped so that no file can exhaust the computer.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import IO

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.validation import (
    DEFAULT_COUNTRIES,
    DEFAULT_DEVICES,
    DEVICE_PRESETS,
    validate_country,
    validate_url,
    without_hidden_characters,
)
from affilitest_gui.judging.expectations import Expectation, ExpectKind, parse_expectations
from affilitest_gui.offers.model import Offer
from affilitest_gui.offers.spreadsheet import plain_text

MAX_FILE_BYTES = 50_000_000  # what is read of a file at most
MAX_ROWS = 100_000
MAX_XLSX_UNPACKED = 200_000_000  # an XLSX's parts, unpacked: more is a zip bomb
CELL_LIMIT_KB = csv.field_size_limit() // 1024
NOT_A_WORKBOOK = (
    "Cannot read {name} as an Excel workbook: save it again from Excel as .xlsx, or as CSV."
)
UNSUPPORTED = "{name} is not a supported format: save it as CSV (UTF-8) or XLSX, then import it."


class Table(list[list[str]]):
    """Rows of text cells (the header first); `lines[i]` are the first and last line of
    the file that row i came from, `delimiter` the text's, `notes` what reading found."""

    def __init__(self, rows: Iterable[list[str]] = (), lines: Iterable[tuple[int, int]] = (),
                 delimiter: str = ",", notes: Iterable[str] = ()) -> None:  # fmt: skip
        super().__init__(rows)
        self.lines = list(lines) or [(number, number) for number in range(1, len(self) + 1)]
        self.delimiter = delimiter
        self.notes = tuple(notes)


class Field(str, Enum):
    """An offer's fields as columns of a file."""

    OFFER_ID = "offer_id"
    NAME = "name"
    URL = "url"
    PREVIEW = "preview"
    COUNTRIES = "countries"
    DEVICES = "devices"
    EXPECT = "expect"

    @property
    def label(self) -> str:
        return FIELD_LABELS[self]


FIELD_LABELS = {
    Field.OFFER_ID: "Offer ID",
    Field.NAME: "Name",
    Field.URL: "Tracking link",
    Field.PREVIEW: "Preview URL",
    Field.COUNTRIES: "Countries",
    Field.DEVICES: "Devices",
    Field.EXPECT: "Expected app or domain",
}

# Header names seen in networks' exports, normalised (lower case, no spaces, _ or -).
HEADER_NAMES: Mapping[Field, tuple[str, ...]] = {
    Field.OFFER_ID: ("offerid", "id", "campaignid", "offer"),
    Field.NAME: ("offername", "name", "campaignname", "campaign", "title", "app", "appname"),
    Field.URL: ("trackinglink", "trackingurl", "url", "link", "offerurl", "clickurl",
                "tracking"),
    Field.PREVIEW: ("previewurl", "preview", "previewlink", "storeurl", "storelink"),
    Field.COUNTRIES: ("countries", "country", "geo", "geos", "targeting", "countrycodes"),
    Field.DEVICES: ("platforms", "platform", "devices", "device", "os"),
    Field.EXPECT: ("expected", "expect", "package", "packagename", "appid", "bundleid",
                   "bundle", "destination"),
}  # fmt: skip

# A cell's words for devices -> the app's device presets.
DEVICE_WORDS: Mapping[str, tuple[str, ...]] = {
    "android": ("android",),
    "ios": ("iphone", "ipad"),
    "iphone": ("iphone",),
    "ipad": ("ipad",),
    "mobile": ("android", "iphone"),
    "desktop": ("desktop",),
    "web": ("desktop",),
    "pc": ("desktop",),
    "windows": ("desktop",),
    "mac": ("desktop",),
    "macos": ("desktop",),
    "windowsphone": ("windows_phone",),
    "blackberry": ("blackberry",),
}
_SPLIT = re.compile(r"[,;|/\s]+")


class ImportFileError(Exception):
    """The file cannot be read as a table (the message says why, for the user)."""


@dataclass(frozen=True)
class SkippedRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    reason: str
    rows: int = 1  # the file's rows it stands for (two run together by a quote: 2)


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do, before anything is saved; every data row is in
    `offers` or in `skipped`."""

    offers: tuple[tuple[int, Offer], ...]  # (row number, offer)
    skipped: tuple[SkippedRow, ...]
    notes: tuple[str, ...] = field(default=())  # defaults applied, said once
    present: frozenset[Field] = frozenset(Field)  # the fields the file has a column for

    @property
    def rows(self) -> int:
        """The data rows of the file (blank ones aside)."""
        return len(self.offers) + sum(skip.rows for skip in self.skipped)

    def summary(self, updated: int) -> str:
        """What the import does, accounting for every row: "7 offers to import: 5 new,
        2 updated. 8 rows in the file: 7 to import, 1 listed below"."""
        count = len(self.offers)
        bad = sum(skip.rows for skip in self.skipped)
        said = f"{count} offers to import: {count - updated} new, {updated} updated."
        if bad:
            said += (f" {self.rows:,} rows in the file: {count:,} to import, {bad:,} listed "
                     "below (they cannot be imported; the rest will).")  # fmt: skip
        return said


# --- reading ---------------------------------------------------------------------------


def read_table(path: Path) -> Table:
    """The file's cells as text. What it is comes from its first bytes, not its name:
    XLSX (a zip), a legacy .xls (refused, with what to do), else delimited text."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ImportFileError(f"Cannot read {path.name}: {error.strerror}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"{path.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB: "
                              "split it into smaller files.")  # fmt: skip
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise ImportFileError(NOT_A_WORKBOOK.format(name=path.name))
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Excel 97-2003 (.xls)
        raise ImportFileError(UNSUPPORTED.format(name=path.name))
    text, bad_lines = decode(data, path.name)
    table = parse_text(text)
    if bad_lines:
        rows = ", ".join(str(line) for line in bad_lines[:10])
        more = f" and {len(bad_lines) - 10} more" if len(bad_lines) > 10 else ""
        table.notes += (f"Lines {rows}{more} hold bytes that are not UTF-8 (shown as \ufffd): "
                        "check their text.",)  # fmt: skip
    return table


def _within_rows(rows: list[list[str]], name: str) -> None:
    """Stop reading past MAX_ROWS data rows (the header aside)."""
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(f"{name} has more than {MAX_ROWS:,} rows: split it into "
                              "smaller files.")  # fmt: skip


def decode(data: bytes, name: str = "The file") -> tuple[str, list[int]]:
    """The text, and the lines that held bytes it could not decode. UTF-16 with a BOM;
    UTF-8 (with or without BOM), also when a few bytes are not (one cp1252 byte must
    not turn every é into Ã©); else Excel's Windows-1252. No text at all (NUL bytes,
    control characters: UTF-16 without a BOM, a binary file): refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    if b"\x00" in data:
        raise ImportFileError(UNSUPPORTED.format(name=name))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", errors="replace")
        bad = text.count("\ufffd")
        good = sum(1 for char in text if ord(char) > 127 and char != "\ufffd")
        if good <= bad:  # not UTF-8 with a stray byte: a Windows-1252 file
            return data.decode("cp1252", errors="replace"), []
        lines = [n for n, line in enumerate(text.splitlines(), 1) if "\ufffd" in line]
        return text, lines
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc"
                   and char not in "\t\r\n")  # fmt: skip
    if controls > max(2, len(text) // 100):
        raise ImportFileError(UNSUPPORTED.format(name=name))
    return text, []


def parse_text(text: str) -> Table:
    """Delimited text: the delimiter (tab, comma, semicolon, pipe) is found from the
    header line; a paste from a spreadsheet is tab-separated. A quote that never closes
    (or a cell over 128 KB) stops the reading with the row where it starts: nothing of
    a file whose structure is broken is imported."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return Table()
    header = next(line for line in lines if line.strip())
    delimiter = max("\t,;|", key=header.count) if any(c in header for c in "\t,;|") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, spans, first = [], [], 1
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            spans.append((first, reader.line_num))
            first = reader.line_num + 1
            _within_rows(rows, "The file")
    except csv.Error:
        opening = lines[first - 1] if first <= len(lines) else ""
        problem = (f"row {first} opens a quote that never closes" if opening.count('"') % 2
                   else f"row {first} holds a cell larger than {CELL_LIMIT_KB} KB")  # fmt: skip
        raise ImportFileError(
            f"The file cannot be read: {problem}. Nothing was imported: fix that row (or "
            "save the file again from your spreadsheet), then import it again."
        ) from None
    return Table(rows, spans, delimiter)


def _read_xlsx(path: Path) -> Table:
    """The first sheet. The zip is checked first (its parts unpacked may not exceed
    200 MB), and XML is read with entities and DTDs refused (defusedxml)."""
    refused = UNSUPPORTED.format(name=path.name)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        raise ImportFileError(refused) from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise ImportFileError(
            f"{path.name} unpacks to more than {MAX_XLSX_UNPACKED // 1_000_000} MB: it is "
            "not an offers list this app can read (split it, or save it as CSV)."
        )
    with path.open("rb") as handle:  # closed here even when openpyxl fails half-way
        return _first_sheet(path.name, handle)


def _first_sheet(name: str, handle: IO[bytes]) -> Table:
    # Imported here, only for XLSX: openpyxl would add to every start-up.
    from openpyxl import load_workbook  # noqa: PLC0415

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl, zipfile and the XML parser each have their own errors
        raise ImportFileError(NOT_A_WORKBOOK.format(name=name)) from None
    try:
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows.append(["" if value is None else _cell_text(value) for value in row])
            _within_rows(rows, name)
        return Table(rows)
    except ImportFileError:
        raise
    except Exception:  # a damaged or hostile sheet, found while reading it
        raise ImportFileError(NOT_A_WORKBOOK.format(name=name)) from None
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number
    return str(value).strip()


# --- the header ------------------------------------------------------------------------


def normalise(name: str) -> str:
    return re.sub(r"[\s_\-.#()]+", "", name).lower()


def guess_mapping(header: Sequence[str]) -> dict[Field, int | None]:
    """Each field's column in `header` (None where none matches); each column used once,
    the most specific name first (so "Offer ID" is the id and "Offer Name" the name)."""
    names = [normalise(cell) for cell in header]
    mapping: dict[Field, int | None] = dict.fromkeys(Field)
    taken: set[int] = set()
    candidates = sorted(
        ((rank, field_, alias) for field_, aliases in HEADER_NAMES.items()
         for rank, alias in enumerate(aliases)),
        key=lambda item: item[0],
    )  # fmt: skip
    for _rank, field_, alias in candidates:
        if mapping[field_] is not None:
            continue
        for column, name in enumerate(names):
            if column not in taken and name == alias:
                mapping[field_] = column
                taken.add(column)
                break
    return mapping


# --- rows -> offers --------------------------------------------------------------------


def split_cell(cell: str) -> list[str]:
    """"US, GB;DE" -> ["US", "GB", "DE"]."""
    return [part for part in _SPLIT.split(cell.strip()) if part]


def parse_countries(cell: str) -> tuple[str, ...]:
    codes = [validate_country(part) for part in split_cell(cell)]
    return tuple(dict.fromkeys(codes))


def parse_devices(cell: str) -> tuple[str, ...]:
    """"Android|iOS" -> android, iphone, ipad; "iOS" means iPhone and iPad unless one
    of them is named too."""
    words = [normalise(part) for part in re.split(r"[,;|/]+", cell) if part.strip()]
    devices: list[str] = []
    for word in words:
        if word not in DEVICE_WORDS:
            raise InputError("devices", f"unknown platform {word!r}")
        devices += DEVICE_WORDS[word]
    if "ios" in words and ({"iphone", "ipad"} & set(words)):
        named = {"iphone", "ipad"} & set(words)
        devices = [d for d in devices if d not in {"iphone", "ipad"} or d in named]
    return tuple(dict.fromkeys(devices))


def plan_import(table: Table, mapping: Mapping[Field, int | None]) -> ImportPlan:
    """The offers of every data row (row 2 on), and every row that cannot be one: bad,
    run together with the next by a quote that does not close, or a duplicate of a
    later row with the same offer (the last one is kept)."""
    if mapping.get(Field.URL) is None:
        raise ImportFileError("No column holds the tracking link: choose one for it.")
    offers: list[tuple[int, Offer]] = []
    skipped: list[SkippedRow] = []
    defaults: set[str] = set()
    for row, (first, last) in zip(table[1:], table.lines[1:], strict=True):
        if not any(cell.strip() for cell in row):
            continue  # blank rows are not errors
        if last > first and any("\n" in cell and table.delimiter in cell for cell in row):
            skipped.append(SkippedRow(first, f"rows {first} to {last} were read as one: a "
                                             f"quote opened in row {first} does not close "
                                             "where it should", rows=last - first + 1))  # fmt: skip
            continue

        def cell(field_: Field, row: list[str] = row) -> str:
            column = mapping.get(field_)
            return row[column].strip() if column is not None and column < len(row) else ""

        try:
            offer, used = _offer_from(cell)
        except InputError as error:
            skipped.append(SkippedRow(first, f"{_FIELD_NAMES[error.field]}: {error.message}"))
            continue
        defaults |= used
        offers.append((first, offer))
    kept, duplicates = _last_of_each(offers)
    notes = (*sorted(defaults), *table.notes)
    present = frozenset(f for f, column in mapping.items() if column is not None)
    return ImportPlan(tuple(kept), tuple(sorted([*skipped, *duplicates], key=lambda s: s.row)),
                      notes, present)  # fmt: skip


def _last_of_each(offers: list[tuple[int, Offer]]) -> tuple[list, list[SkippedRow]]:
    """One row per offer (its offer ID, else its link): the last; the others listed."""
    rows_of: dict[str, list[tuple[int, Offer]]] = defaultdict(list)
    for row, offer in offers:
        rows_of[offer.offer_id or offer.url].append((row, offer))
    kept, dropped = [], []
    for same in rows_of.values():
        last_row, last = same[-1]
        kept.append((last_row, last))
        numbers = ", ".join(str(row) for row, _ in same)
        links = {offer.url for _, offer in same}
        for row, offer in same[:-1]:
            name = f"offer {offer.offer_id}" if offer.offer_id else "this link"
            reason = (f"{name} appears on rows {numbers} with different links: row "
                      f"{last_row} kept" if len(links) > 1
                      else f"{name} appears again on row {last_row}, which is kept")  # fmt: skip
            dropped.append(SkippedRow(row, reason))
    return sorted(kept, key=lambda pair: pair[0]), dropped


_FIELD_NAMES = {
    "url": "tracking link",
    "preview_url": "preview URL",
    "country": "countries",
    "countries": "countries",
    "devices": "devices",
    "expect": "expected",
}


def _offer_from(cell: Callable[[Field], str]) -> tuple[Offer, set[str]]:
    used: set[str] = set()
    url_text = cell(Field.URL)
    if not url_text:
        raise InputError("url", "empty")
    url = validate_url(url_text)
    countries = parse_countries(cell(Field.COUNTRIES))
    if not countries:
        countries = DEFAULT_COUNTRIES
        used.add(f"Rows without countries are checked from {', '.join(DEFAULT_COUNTRIES).upper()}.")
    devices = parse_devices(cell(Field.DEVICES))
    if not devices:
        devices = DEFAULT_DEVICES
        labels = " and ".join(DEVICE_PRESETS[device] for device in DEFAULT_DEVICES)
        used.add(f"Rows without platforms are checked on {labels}.")
    expect_text = cell(Field.EXPECT)
    preview_text = cell(Field.PREVIEW)
    expects = parse_expectations(expect_text)
    if preview_text and not any(e.kind is ExpectKind.PREVIEW for e in expects):
        expects += (Expectation.parse("preview:" + preview_text),)
    return (
        Offer(url, countries, devices,
              offer_id=without_hidden_characters(plain_text(cell(Field.OFFER_ID))),
              name=without_hidden_characters(plain_text(cell(Field.NAME))), expects=expects),
        used,
    )  # fmt: skip


def keep_absent(existing: Offer, new: Offer, present: frozenset[Field]) -> Offer:
    """An import updates what its file has a column for; a column that is absent changes
    nothing (a re-import without a Preview column keeps the preview expectation)."""
    kept = new
    plain = {Field.OFFER_ID: "offer_id", Field.NAME: "name", Field.COUNTRIES: "countries",
             Field.DEVICES: "devices"}  # fmt: skip
    for field_, attribute in plain.items():
        if field_ not in present:
            kept = replace(kept, **{attribute: getattr(existing, attribute)})

    def previews(offer: Offer, wanted: bool) -> tuple[Expectation, ...]:
        return tuple(e for e in offer.expects if (e.kind is ExpectKind.PREVIEW) is wanted)

    expects_from = existing if Field.EXPECT not in present else new
    previews_from = existing if Field.PREVIEW not in present else new
    if Field.EXPECT in present and Field.PREVIEW not in present:
        previews_from = new if previews(new, True) else existing  # "preview:" in Expected
    return replace(kept, expects=previews(expects_from, False) + previews(previews_from, True))
