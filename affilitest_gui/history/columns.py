"""The log's columns: each stored field of a HistoryRecord, how it goes into SQLite and
comes back; the SQL of the history and of the queue is derived from this one list."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from affilitest_gui.judging.health import Health
from affilitest_gui.judging.records import HistoryRecord


@dataclass(frozen=True)
class _Column:
    """A record field as a column: its name, and how its value goes in and comes out."""

    name: str
    to_db: Callable[[Any], object] = lambda value: value
    from_db: Callable[[Any], Any] = lambda value: value


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


# The record's stored fields, in the order of HistoryRecord; SQL is derived from it.
COLUMNS: tuple[_Column, ...] = (
    _Column("checked_at"),
    _Column("url"),
    _Column("country"),
    _Column("device"),
    _Column("preview_url"),
    _Column("codes", int, bool),
    _Column("outcome"),
    _Column("verdict"),
    _Column("hops", lambda hops: json.dumps([list(hop) for hop in hops]),
            lambda text: tuple((url, code) for url, code in json.loads(text))),
    _Column("attempts"),
    _Column("duration_s"),
    _Column("error_key"),
    _Column("error_status"),
    _Column("error_message"),
    _Column("error_from_server", int, bool),
    _Column("sandbox", int, bool),
    _Column("health", lambda health: health.value, Health),
    _Column("reasons", lambda reasons: json.dumps(list(reasons)),
            lambda text: tuple(json.loads(text))),
    _Column("preview_match", lambda match: None if match is None else int(match),
            _optional_bool),
    _Column("offer_ref"),
    _Column("sends"),
)  # fmt: skip
SELECT = ", ".join(["id", *(column.name for column in COLUMNS)])
# Stored for the queries, derived from the record: never read back.
DERIVED = ("final_url", "search")
INSERT = (
    f"INSERT INTO checks ({', '.join([c.name for c in COLUMNS] + list(DERIVED))}) "
    f"VALUES ({', '.join('?' * (len(COLUMNS) + len(DERIVED)))})"
)


def values(record: HistoryRecord) -> tuple[object, ...]:
    stored = [column.to_db(getattr(record, column.name)) for column in COLUMNS]
    return (*stored, record.final_url, search_text(record))


def search_text(record: HistoryRecord) -> str:
    """The one lower-case text the filter box searches."""
    return " ".join(
        (record.url, record.final_url, record.verdict, record.country, record.device,
         record.health.label)
    ).lower()  # fmt: skip


def matches(record: HistoryRecord, filter_text: str) -> bool:
    """The filter's rule in Python, for rows not read from the database: every word."""
    text = search_text(record)
    return all(word.lower() in text for word in filter_text.split())


def row_to_record(row: Sequence[object]) -> HistoryRecord:
    """A row selected as `SELECT` (id first)."""
    values = zip(COLUMNS, row[1:], strict=True)
    fields = {column.name: column.from_db(value) for column, value in values}
    return HistoryRecord(id=row[0], **fields)  # type: ignore[arg-type]


