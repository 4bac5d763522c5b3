"""Render a Document to PDF (reportlab, built-in CID font STSong-Light: no font file, no download)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import speedups
from .model import DRAFT_BANNER, DRAFT_MARK, Block, Document, Fields, Heading, Text

speedups.install()

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SIZE = 8.5
BODY = ParagraphStyle("body", fontName=FONT, fontSize=SIZE, leading=SIZE * 1.35, wordWrap="CJK")
CELL = ParagraphStyle("cell", parent=BODY, fontSize=SIZE - 0.5, leading=(SIZE - 0.5) * 1.3)
HEADINGS = {1: ParagraphStyle("h1", parent=BODY, fontSize=15, leading=20, spaceAfter=4),
            2: ParagraphStyle("h2", parent=BODY, fontSize=11.5, leading=16, spaceBefore=6, spaceAfter=2),
            3: ParagraphStyle("h3", parent=BODY, fontSize=10, leading=14, spaceBefore=3)}
GRID_STYLE = [("FONT", (0, 0), (-1, -1), FONT, SIZE - 0.5), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
              ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
FIELD_STYLE = [("FONT", (0, 0), (-1, -1), FONT, SIZE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
               ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#404040"))]


def _width(text: str, size: float) -> float:
    # CJK glyphs are one em wide in STSong-Light; Latin ones about half: cheap, and close enough.
    return sum(size if ord(ch) > 0x2E7F else size * 0.55 for ch in text)


def _fit(text: str, width: float, size: float = SIZE - 0.5) -> str | Paragraph:
    """Plain strings draw fast; only text that would overflow its column becomes a wrapping Paragraph."""
    if "\n" not in text and _width(text, size) <= width - 5:
        return text
    return Paragraph(escape(text).replace("\n", "<br/>"), CELL)


def _flowables(block: Block, frame_width: float) -> list:  # type: ignore[type-arg]
    if isinstance(block, Heading):
        return [Paragraph(escape(block.text), HEADINGS.get(block.level, HEADINGS[3]))]
    if isinstance(block, Text):
        return [Paragraph(escape(block.text).replace("\n", "<br/>"), BODY), Spacer(1, 2)]
    if isinstance(block, Fields):
        label_w = 38 * mm
        rows = [[label, _fit(value, frame_width - label_w, SIZE)] for label, value in block.rows]
        table = Table(rows, colWidths=[label_w, frame_width - label_w], hAlign="LEFT")
        table.setStyle(TableStyle(FIELD_STYLE))
        return [table, Spacer(1, 4)]
    rel = block.widths or [1.0] * len(block.columns)
    widths = [frame_width * w / sum(rel) for w in rel]
    rows = [[_fit(c, w) for c, w in zip(block.columns, widths, strict=True)]]
    rows += [[_fit(v, w) for v, w in zip(row, widths, strict=True)] for row in block.rows]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = list(GRID_STYLE) + [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in block.numeric]
    table.setStyle(TableStyle(style))
    return [table, Spacer(1, 5)]


def render_pdf(doc: Document) -> bytes:
    size = landscape(A4) if doc.landscape else A4
    buf = io.BytesIO()
    template = SimpleDocTemplate(
        buf, pagesize=size, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=16 * mm,
        title=f"{doc.title} {doc.footer.review_id}", author="评审 Pingshen", creator="评审 Pingshen",
        subject=f"评审包 SHA-256 {doc.footer.bundle_sha256}",
        invariant=1,  # no creation time from the clock: the same data gives the same file
    )

    def decorate(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        if doc.draft:
            canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.18))
            canvas.setFont(FONT, 110)
            canvas.translate(size[0] / 2, size[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -40, DRAFT_MARK)
            canvas.rotate(-35)
            canvas.translate(-size[0] / 2, -size[1] / 2)
            canvas.setFillColor(colors.HexColor("#C00000"))
            canvas.setFont(FONT, 8)
            canvas.drawString(14 * mm, size[1] - 9 * mm, DRAFT_BANNER)
        canvas.setFillColor(colors.HexColor("#404040"))
        canvas.setFont(FONT, 6.5)
        canvas.drawString(14 * mm, 8 * mm, doc.footer.text())
        canvas.drawRightString(size[0] - 14 * mm, 8 * mm, f"第 {document.page} 页")
        canvas.restoreState()

    story: list = []  # type: ignore[type-arg]
    for i, part in enumerate(doc.parts):
        if i:
            story.append(PageBreak())
        for block in part.blocks:
            story += _flowables(block, template.width)
    template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
