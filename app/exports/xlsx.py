"""Render a Document to .xlsx (openpyxl, write-only: rows stream out, memory stays flat)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app import spreadsheet

from .model import DRAFT_BANNER, DRAFT_MARK, Block, Document, Fields, Grid, Heading, Part, Text

TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
DRAFT = Font(bold=True, size=14, color="C00000")
SMALL = Font(size=8, color="606060")
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
WRAP = Alignment(wrap_text=True, vertical="top")
BAD_NAME = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = BAD_NAME.sub("_", name)[:28] or "Sheet"
    out, i = base, 2
    while out in used:
        out, i = f"{base}_{i}", i + 1
    used.add(out)
    return out


def _cell(ws, value: str, font: Font | None = None, align: Alignment | None = None,  # type: ignore[no-untyped-def]
          fill: PatternFill | None = None) -> Cell:
    return spreadsheet.cell(ws, value, font, align, fill)


def _widths(part: Part) -> list[float]:
    grids = [b for b in part.blocks if isinstance(b, Grid)]
    if not grids:
        return [18, 60]
    grid = max(grids, key=lambda g: len(g.columns))
    rel = grid.widths or [1.0] * len(grid.columns)
    return [max(8.0, min(60.0, w * 11)) for w in rel]


def _block(ws, block: Block) -> None:  # type: ignore[no-untyped-def]
    if isinstance(block, Heading):
        ws.append([_cell(ws, block.text, TITLE if block.level == 1 else BOLD)])
    elif isinstance(block, Text):
        ws.append([_cell(ws, block.text, align=WRAP)])
    elif isinstance(block, Fields):
        for label, value in block.rows:
            ws.append([_cell(ws, label, BOLD), spreadsheet.safe(ws, value)])
    elif isinstance(block, Grid):
        ws.append([_cell(ws, c, BOLD, WRAP, HEAD_FILL) for c in block.columns])
        for row in block.rows:
            # Plain values cost a fraction of styled cells; only multi-line text needs wrapping.
            ws.append([_cell(ws, v, align=WRAP) if "\n" in v else spreadsheet.safe(ws, v) for v in row])
    ws.append([])


def render_xlsx(doc: Document) -> bytes:
    wb = Workbook(write_only=True)
    wb.properties.title = f"{doc.title} {doc.footer.review_id}"
    wb.properties.creator = "评审 Pingshen"
    used: set[str] = set()
    for part in doc.parts:
        ws = wb.create_sheet(_sheet_name(part.name, used))
        for i, width in enumerate(_widths(part), 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.page_setup.orientation = "landscape" if doc.landscape else "portrait"
        ws.page_setup.paperSize = "9"  # A4
        ws.oddFooter.center.text = doc.footer.text()
        ws.oddFooter.center.size = 7
        ws.oddFooter.right.text = "第 &P 页 / 共 &N 页"
        if doc.draft:
            # Excel has no true watermark: a red banner on top, 草稿 in the print header, a red tab.
            ws.oddHeader.center.text = DRAFT_MARK
            ws.oddHeader.center.size = 28
            ws.oddHeader.center.color = "C00000"
            ws.sheet_properties.tabColor = "C00000"
            ws.append([_cell(ws, DRAFT_BANNER, DRAFT)])
        for block in part.blocks:
            _block(ws, block)
        ws.append([_cell(ws, doc.footer.text(), SMALL)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
