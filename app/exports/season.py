"""Season export: many reviews' documents into one .zip, written file by file with progress.

Rendering is CPU-bound (reportlab and openpyxl are pure Python here), so reviews are rendered
in worker processes while this process only writes the zip. At most `2 × workers` reviews are
in flight, so memory does not grow with the season: a review's files are written and dropped
before the next ones are taken.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, BinaryIO

from app import spreadsheet

from .bundle import FINISHED_STATUSES, bundle_sha256, load_bundle
from .render import render_review

Progress = Callable[[int, int | None, str], None]


Source = dict[str, Any] | str | Path


def _render(source: Source, generated_at: str, formats: tuple[str, ...]) -> tuple[list[str], list[tuple[str, bytes]]]:
    # A path is read in the worker: the bundle (pools of experts make it large) never crosses processes.
    raw = load_bundle(source)[0] if isinstance(source, str | Path) else source
    review = raw["review"]
    row = [str(review["id"]), review.get("title", ""), review.get("status", ""),
           "正式" if review.get("status") in FINISHED_STATUSES else "草稿", bundle_sha256(raw)]
    return row, render_review(raw, generated_at, formats)


def _folder(review_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in review_id) or "review"


def export_season(
    bundles: Iterable[Source],
    out: str | Path | BinaryIO,
    *,
    generated_at: str,
    progress: Progress | None = None,
    total: int | None = None,
    formats: tuple[str, ...] = ("xlsx", "pdf"),
    workers: int = 1,
    mp_context: BaseContext | None = None,
) -> int:
    """Write every review's bundle and documents under `<review id>/` plus 清单.csv; return the count.

    `bundles` are bundle dicts or bundle file paths (read by the workers), possibly a generator. `progress(done, total,
    review_id)` is called after each review is written. A server passes `mp_context` (forkserver):
    forking a process that runs threads and an event loop can copy a held lock into the workers.
    """
    index: list[list[str]] = []
    # PDF and xlsx are already compressed; deflating them again costs time and saves little.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        def write(row: list[str], files: list[tuple[str, bytes]]) -> None:
            folder = _folder(row[0])
            for name, content in files:
                kind = zipfile.ZIP_DEFLATED if name.endswith(".json") else zipfile.ZIP_STORED
                zf.writestr(f"{folder}/{name}", content, compress_type=kind)
            index.append(row)
            if progress is not None:
                progress(len(index), total, row[0])

        if workers <= 1:
            for raw in bundles:
                write(*_render(raw, generated_at, formats))
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context) as pool:
                pending: deque[Future[Any]] = deque()
                for raw in bundles:
                    pending.append(pool.submit(_render, raw, generated_at, formats))
                    if len(pending) >= 2 * workers:
                        write(*pending.popleft().result())
                while pending:
                    write(*pending.popleft().result())
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["评审编号", "标题", "状态", "正式/草稿", "评审包 SHA-256"])
        writer.writerows([spreadsheet.csv_text(v) for v in row] for row in index)
        # A BOM so that Excel opens the Chinese index correctly.
        zf.writestr("清单.csv", "\ufeff" + text.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    return len(index)
