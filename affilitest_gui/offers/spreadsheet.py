"""Cells that a spreadsheet opens: what leaves the app as text stays text.

Offer names, IDs and links arrive from networks' export files, so any of them may start
like a formula (`=HYPERLINK(...)`, `+SUM(1+1)`, `@SUM(1)`, `-2+3`). Every export writes
such a cell with a leading ' (the OWASP rule against CSV injection), and an import takes
it off again, so a round trip changes nothing.
"""

from __future__ import annotations

# A text cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV
# injection"): offer names and links arrive from networks' export files.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def spreadsheet_text(value: object) -> object:
    """A cell as no spreadsheet evaluates it: text that would start a formula gets a
    leading ' (shown as text by Excel, LibreOffice and Sheets); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_MARK + value
    return value


def plain_text(value: str) -> str:
    """`spreadsheet_text` undone: an export read back, or imported again."""
    if value.startswith(TEXT_MARK) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
