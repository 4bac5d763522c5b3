"""Every document of one review, from its bundle, in the formats asked for."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .bundle import dump_bundle
from .documents import score_sheets, summary
from .model import Document
from .pdf import render_pdf
from .records import audit_trail, draw_record, sign_in
from .report import review_report
from .view import View
from .xlsx import render_xlsx

BUILDERS = (score_sheets, summary, review_report, draw_record, sign_in, audit_trail)
RENDERERS = {"xlsx": render_xlsx, "pdf": render_pdf}


def review_documents(raw: dict[str, Any], generated_at: str) -> list[Document]:
    view = View(raw, generated_at)
    return [build(view) for build in BUILDERS]


def render_review(raw: dict[str, Any], generated_at: str,
                  formats: Iterable[str] = ("xlsx", "pdf")) -> list[tuple[str, bytes]]:
    """(file name, content) for the bundle itself and every document; names are per review."""
    files = [("评审包.json", dump_bundle(raw).encode("utf-8"))]
    for doc in review_documents(raw, generated_at):
        for fmt in formats:
            files.append((f"{doc.key}.{fmt}", RENDERERS[fmt](doc)))
    return files
