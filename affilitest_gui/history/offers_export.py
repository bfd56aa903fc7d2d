"""The offers view as a file: one row per offer and country x device, with its health,
reasons and final URL; CSV (UTF-8 with BOM, for Excel) or XLSX by the file's suffix."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from affilitest_gui.history.export import spreadsheet_text, written_whole
from affilitest_gui.history.offer_book import CellResult, OfferStatus
from affilitest_gui.judging.expectations import expectations_text

OFFER_EXPORT_COLUMNS = (
    "offer_id", "name", "tracking_link", "expected", "offer_health", "country", "device",
    "health", "verdict", "reasons", "final_url", "changed", "checked_at",
)  # fmt: skip


def export_rows(statuses: Iterable[OfferStatus]) -> list[list[object]]:
    rows: list[list[object]] = []
    for status in statuses:
        offer = status.offer
        common = [offer.offer_id, offer.name, offer.url, expectations_text(offer.expects),
                  status.health.value if status.health else ""]  # fmt: skip
        cells = sorted(status.latest.items())
        if not cells:
            rows.append([*common, "", "", "", "", "", "", "", ""])
        for (country, device), record in cells:
            rows.append([*common, country.upper(), device, *_result(record),
                         "yes" if (country, device) in status.changed_cells else "no",
                         record.checked_at])  # fmt: skip
    return rows


def _result(record: CellResult) -> list[object]:
    return [record.health.value, record.verdict, "; ".join(record.reasons), record.final_url]


def export_offers(statuses: Iterable[OfferStatus], path: Path) -> int:
    """Write the file; returns the number of rows under the header."""
    rows = [[spreadsheet_text(cell) for cell in row] for row in export_rows(statuses)]
    with written_whole(path) as part:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook  # noqa: PLC0415 - only for XLSX: keeps start-up light
            from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

            book = Workbook(write_only=True)
            sheet = book.create_sheet("Offers")
            sheet.append(list(OFFER_EXPORT_COLUMNS))
            for row in rows:
                cells = []
                for value in row:
                    cell = WriteOnlyCell(sheet, value=value)
                    if isinstance(value, str):
                        cell.data_type = "s"  # text, never a formula, whatever it starts with
                    cells.append(cell)
                sheet.append(cells)
            book.save(part)
        else:
            with part.open("w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(OFFER_EXPORT_COLUMNS)
                writer.writerows(rows)
    return len(rows)
