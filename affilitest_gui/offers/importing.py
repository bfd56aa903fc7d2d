"""Offers from a network's export or a spreadsheet: CSV (any delimiter, UTF-8 with or
without BOM, Excel's cp1252), TSV, XLSX and a paste of copied rows.

Reading gives a table of text cells; `guess_mapping` matches its header to the offer's
fields (case and spaces ignored); `plan_import` turns the rows into offers and lists
every bad row with its number and reason, so the good rows still import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from zipfile import BadZipFile

from affilitest_gui.api.errors import InputError
from affilitest_gui.api.validation import (
    DEFAULT_COUNTRIES,
    DEFAULT_DEVICES,
    DEVICE_PRESETS,
    validate_country,
    validate_url,
)
from affilitest_gui.offers.model import Expectation, ExpectKind, Offer, parse_expectations
from affilitest_gui.offers.spreadsheet import plain_text

Table = list[list[str]]


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
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class ImportFileError(Exception):
    """The file cannot be read as a table (the message says why, for the user)."""


@dataclass(frozen=True)
class SkippedRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do, before anything is saved."""

    offers: tuple[tuple[int, Offer], ...]  # (row number, offer)
    skipped: tuple[SkippedRow, ...]
    notes: tuple[str, ...] = field(default=())  # defaults applied, said once


# --- reading ---------------------------------------------------------------------------


def read_table(path: Path) -> Table:
    """The file's cells as text, by its suffix: XLSX, else delimited text."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return _read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"Cannot read {path.name}: {error.strerror}.") from None
    return parse_text(decode(data))


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Excel's Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_text(text: str) -> Table:
    """Delimited text: the delimiter (tab, comma, semicolon, pipe) is found from the
    header line; a paste from a spreadsheet is tab-separated."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return []
    header = next(line for line in lines if line.strip())
    delimiter = max("\t,;|", key=header.count) if any(c in header for c in "\t,;|") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[cell.strip() for cell in row] for row in rows]


def _read_xlsx(path: Path) -> Table:
    # Imported here, only for XLSX: openpyxl would add to every start-up.
    from openpyxl import load_workbook  # noqa: PLC0415
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, BadZipFile, KeyError, ValueError) as error:
        raise ImportFileError(f"Cannot read {path.name} as an Excel workbook ({error}).") from None
    try:
        sheet = book.worksheets[0]
        return [
            ["" if value is None else _cell_text(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
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
    """The offers of every data row (row 2 on), and every row that cannot be one."""
    if mapping.get(Field.URL) is None:
        raise ImportFileError("No column holds the tracking link: choose one for it.")
    offers: list[tuple[int, Offer]] = []
    skipped: list[SkippedRow] = []
    defaults: set[str] = set()
    for number, row in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank rows are not errors

        def cell(field_: Field, row: list[str] = row) -> str:
            column = mapping.get(field_)
            return row[column].strip() if column is not None and column < len(row) else ""

        try:
            offer, used = _offer_from(cell)
        except InputError as error:
            skipped.append(SkippedRow(number, f"{_FIELD_NAMES[error.field]}: {error.message}"))
            continue
        defaults |= used
        offers.append((number, offer))
    notes = tuple(sorted(defaults))
    return ImportPlan(tuple(offers), tuple(skipped), notes)


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
        Offer(url, countries, devices, offer_id=plain_text(cell(Field.OFFER_ID)),
              name=plain_text(cell(Field.NAME)), expects=expects),
        used,
    )  # fmt: skip
