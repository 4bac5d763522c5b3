"""Auditor pages' logic: search, one review's documents, downloads (each one audited).

Every download renders from a bundle built at that moment, with the request time as the
generation time; the footer of every page carries that bundle's SHA-256, so the bundle
downloaded together with a document matches its footer.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.db import write_tx
from app.exports.access import exportable_review
from app.exports.bundle import FINISHED_STATUSES, bundle_sha256, dump_bundle
from app.exports.collect import review_bundle
from app.exports.collect_audit import EXPORT_OBJECT
from app.exports.documents import score_sheets, summary
from app.exports.model import Document
from app.exports.pdf import render_pdf
from app.exports.records import audit_trail, draw_record, sign_in
from app.exports.render import render_review
from app.exports.report import review_report
from app.exports.view import View
from app.exports.xlsx import render_xlsx

SHANGHAI = ZoneInfo("Asia/Shanghai")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"xlsx": XLSX, "pdf": "application/pdf", "json": "application/json", "zip": "application/zip"}


@dataclass(frozen=True)
class DocumentKind:
    slug: str
    title: str
    build: Any


DOCUMENTS = [
    DocumentKind("score-sheets", "个人评分表", score_sheets),
    DocumentKind("summary", "评分汇总表", summary),
    DocumentKind("report", "评审报告", review_report),
    DocumentKind("draw", "抽取记录", draw_record),
    DocumentKind("sign-in", "签到表及承诺书", sign_in),
    DocumentKind("audit", "审计记录", audit_trail),
]
BY_SLUG = {d.slug: d for d in DOCUMENTS}
RENDER = {"xlsx": render_xlsx, "pdf": render_pdf}


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    media_type: str


def generation_time(now: dt.datetime | None = None) -> str:
    """The request time, in Beijing time, as printed in every footer."""
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def is_final(raw: dict[str, Any]) -> bool:
    return raw["review"]["status"] in FINISHED_STATUSES


async def _record(user: Any, review: Any, what: dict[str, Any]) -> None:
    async with write_tx():
        await audit.record(actor=user, action="export.downloaded", object_type=EXPORT_OBJECT, object_id=review.id,
                           agency_id=review.agency, new=what)


def _stem(review_id: int, title: str, final: bool) -> str:
    return f"评审{review_id}-{title}" + ("" if final else "-草稿")


async def document(user: Any, review_id: int, slug: str, fmt: str, now: dt.datetime | None = None) -> Download:
    """One document in one format, rendered from a fresh bundle; the download is audited."""
    kind = BY_SLUG.get(slug)
    if kind is None or fmt not in RENDER:
        raise NotFoundException("没有这种文件")
    review = await exportable_review(user, review_id)
    raw = await review_bundle(review.id)
    generated = generation_time(now)
    content = await anyio.to_thread.run_sync(_render_document, kind, raw, generated, fmt)
    final = is_final(raw)
    await _record(user, review, {"document": kind.title, "format": fmt, "bundle_sha256": bundle_sha256(raw),
                                 "generated_at": generated, "draft": not final})
    return Download(f"{_stem(review.id, kind.title, final)}.{fmt}", content, MEDIA[fmt])


async def bundle_file(user: Any, review_id: int) -> Download:
    review = await exportable_review(user, review_id)
    raw = await review_bundle(review.id)
    await _record(user, review, {"document": "评审包", "format": "json", "bundle_sha256": bundle_sha256(raw),
                                 "draft": not is_final(raw)})
    content = await anyio.to_thread.run_sync(lambda: dump_bundle(raw).encode("utf-8"))
    return Download(f"{_stem(review.id, '评审包', is_final(raw))}.json", content, MEDIA["json"])


async def archive(user: Any, review_id: int, now: dt.datetime | None = None) -> Download:
    """The bundle and every document in both formats as one .zip: one bundle, one hash, all files."""
    review = await exportable_review(user, review_id)
    raw = await review_bundle(review.id)
    generated = generation_time(now)
    content = await anyio.to_thread.run_sync(_zip_review, raw, generated)
    await _record(user, review, {"document": "全部文件", "format": "zip", "bundle_sha256": bundle_sha256(raw),
                                 "generated_at": generated, "draft": not is_final(raw)})
    return Download(f"{_stem(review.id, '全部文件', is_final(raw))}.zip", content, MEDIA["zip"])


# Rendering PDFs and workbooks is CPU work (reportlab, openpyxl): the two helpers below run in a
# worker thread (anyio.to_thread) so a download does not stall every other request meanwhile.
def _render_document(kind: DocumentKind, raw: dict[str, Any], generated: str, fmt: str) -> bytes:
    doc: Document = kind.build(View(raw, generated))
    return RENDER[fmt](doc)


def _zip_review(raw: dict[str, Any], generated: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, content in render_review(raw, generated):
            kind = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
            zf.writestr(name, content, compress_type=kind)
    return buffer.getvalue()


async def review_page(user: Any, review_id: int) -> dict[str, Any]:
    """What the review's page shows: the review, final or draft, the bundle hash right now."""
    review = await exportable_review(user, review_id)
    raw = await review_bundle(review.id)
    return {"review": review, "bundle": raw, "sha256": bundle_sha256(raw), "final": is_final(raw),
            "documents": DOCUMENTS, "counts": {"sheets": len(raw["sheets"]), "draws": len(raw["draws"]),
                                               "audit": len(raw["audit_records"]), "panel": len(raw["panel"])}}
