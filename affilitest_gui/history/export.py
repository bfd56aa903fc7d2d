"""Export log rows to CSV (what a spreadsheet opens), and read such a file back."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from affilitest_gui.history.records import HistoryRecord

CSV_COLUMNS = (
    "checked_at", "url", "country", "device", "preview_url", "outcome", "verdict",
    "final_url", "codes", "hops", "attempts", "duration_s", "error_key", "error_status",
    "error_message", "sandbox",
)  # fmt: skip
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


def export_csv(records: Iterable[HistoryRecord], path: Path) -> int:
    """Write the rows (UTF-8 with BOM, so Excel reads accents); returns how many."""
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for record in records:
            writer.writerow(
                [
                    record.checked_at, record.url, record.country, record.device,
                    record.preview_url or "", record.outcome, record.verdict,
                    record.final_url, record.status_codes, hops_text(record.hops),
                    record.attempts, "" if record.duration_s is None else record.duration_s,
                    record.error_key or "", record.error_status or "",
                    record.error_message or "", "yes" if record.sandbox else "no",
                ]
            )  # fmt: skip
            count += 1
    return count


def read_csv(path: Path) -> list[HistoryRecord]:
    """The rows of a file written by `export_csv` (used to check round trips)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return [
        HistoryRecord(
            checked_at=row["checked_at"],
            url=row["url"],
            country=row["country"],
            device=row["device"],
            preview_url=row["preview_url"] or None,
            outcome=row["outcome"],
            verdict=row["verdict"],
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
