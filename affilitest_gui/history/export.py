"""Log rows as CSV (what a spreadsheet opens), and such a file read back.

One set of columns for the app's export and `affilitest-check --format csv`.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord
from affilitest_gui.offers.spreadsheet import plain_text, spreadsheet_text

CSV_COLUMNS = (
    "checked_at", "url", "country", "device", "preview_url", "outcome", "verdict", "health",
    "reasons", "final_url", "codes", "hops", "attempts", "duration_s", "error_key",
    "error_status", "error_message", "sandbox",
)  # fmt: skip
REASON_SEPARATOR = "; "
HOP_SEPARATOR = " -> "


def hops_text(hops: Iterable[tuple[str, int | None]]) -> str:
    """The chain as a person reads it: "302 https://a.example/x -> 200 https://b.example/"."""
    return HOP_SEPARATOR.join(f"{'-' if code is None else code} {url}" for url, code in hops)


def parse_hops_text(text: str) -> tuple[tuple[str, int | None], ...]:
    """The hops back from `hops_text` (URLs hold no spaces, so each hop splits once)."""
    if not text:
        return ()
    hops = []
    for part in text.split(HOP_SEPARATOR):
        code, _, url = part.partition(" ")
        hops.append((url, None if code == "-" else int(code)))
    return tuple(hops)


def csv_row(record: HistoryRecord) -> list[object]:
    return [
        record.checked_at, record.url, record.country, record.device,
        record.preview_url or "", record.outcome, record.verdict, record.health.value,
        REASON_SEPARATOR.join(record.reasons), record.final_url, record.status_codes,
        hops_text(record.hops), record.attempts,
        "" if record.duration_s is None else record.duration_s, record.error_key or "",
        record.error_status or "", record.error_message or "",
        "yes" if record.sandbox else "no",
    ]  # fmt: skip


class CsvWriter:
    """Writes the header, then one row per record, as they come."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)
        self._writer.writerow(CSV_COLUMNS)

    def write(self, record: HistoryRecord) -> None:
        self._writer.writerow([spreadsheet_text(cell) for cell in csv_row(record)])


@contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A file beside `path` to write to; it takes `path`'s place only once complete, so a
    full disk, or a file that Excel holds open (PermissionError on Windows), leaves the
    old file as it was and no half-written one behind."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield part
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def export_csv(records: Iterable[HistoryRecord], path: Path) -> int:
    """Write the rows (UTF-8 with BOM, so Excel reads accents); returns how many."""
    count = 0
    with written_whole(path) as part, part.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = CsvWriter(handle)
        for record in records:
            writer.write(record)
            count += 1
    return count


def read_csv(path: Path) -> list[HistoryRecord]:
    """The rows of a file written by `export_csv` (used to check round trips)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [{k: plain_text(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    return [
        HistoryRecord(
            checked_at=row["checked_at"],
            url=row["url"],
            country=row["country"],
            device=row["device"],
            preview_url=row["preview_url"] or None,
            outcome=row["outcome"],
            verdict=row["verdict"],
            health=Health(row["health"]),
            reasons=tuple(filter(None, row["reasons"].split(REASON_SEPARATOR))),
            hops=parse_hops_text(row["hops"]),
            attempts=int(row["attempts"]),
            duration_s=float(row["duration_s"]) if row["duration_s"] else None,
            error_key=row["error_key"] or None,
            error_status=int(row["error_status"]) if row["error_status"] else None,
            error_message=row["error_message"] or None,
            sandbox=row["sandbox"] == "yes",
        )
        for row in rows
    ]
