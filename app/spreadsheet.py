"""Writing .xlsx cells that cannot run code: the one helper every workbook writer uses.

Text from people (an employer, a title, a supplier's name, a comment) ends up in exports opened
in Excel or WPS. openpyxl stores any string that starts with "=" as a formula, and a spreadsheet
program re-evaluates a cell starting with "=", "+", "-" or "@" (or a tab / carriage return
before one) as soon as someone edits it: `=HYPERLINK("http://x","y")` in a profile became a live
link in the roster export. Such text is written as an inline string with Excel's quote prefix
(the text is kept exactly; the program shows it and treats it as text, also when edited).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

#: What a spreadsheet program may read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def needs_text(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def cell(ws: Any, value: Any, font: Font | None = None, align: Alignment | None = None,
         fill: PatternFill | None = None) -> Cell:
    """A cell for `ws.append` (write-only or normal sheets); risky text is forced to stay text."""
    out = WriteOnlyCell(ws, value=value)
    if needs_text(value):
        out.data_type = "s"  # openpyxl chose "f" for a leading "="
        out.quotePrefix = True
    if font is not None:
        out.font = font
    if align is not None:
        out.alignment = align
    if fill is not None:
        out.fill = fill
    return out


def safe(ws: Any, value: Any) -> Any:
    """A value for `ws.append`: plain values stay plain (cheap), risky text becomes a text cell."""
    return cell(ws, value) if needs_text(value) else value


def row(ws: Any, values: Iterable[Any]) -> list[Any]:
    return [safe(ws, v) for v in values]


def csv_text(value: Any) -> Any:
    """A CSV field cannot say "this is text", so risky text gets Excel's own marker, a leading
    apostrophe (OWASP's advice for CSV); everything else is written as it is."""
    return "'" + value if needs_text(value) else value
