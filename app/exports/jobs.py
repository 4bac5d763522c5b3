"""Season export as a background job: every review of an agency (or all, for auditors) in a
date range, as one .zip under var/exports/, with a progress record the page polls.

Phase 1 reads each review's bundle from the database and writes it as a file (one review in
memory at a time); phase 2 renders them with `export_season` in worker processes, in a thread
so the server keeps answering. The progress record is a small JSON file next to the zip, so any
server process can answer the poll. Only the user who started a job sees it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.db import write_tx
from app.exports.bundle import dump_bundle
from app.exports.collect import review_bundle
from app.exports.collect_audit import EXPORT_OBJECT
from app.exports.search import Filters, find_reviews
from app.exports.season import export_season
from app.exports.services import generation_time
from app.settings import get_settings

log = logging.getLogger("pingshen.exports")
_TASKS: set[asyncio.Task[None]] = set()  # keep a reference: a task nobody holds may be collected
JOB_ID = frozenset("0123456789abcdef")
MAX_REVIEWS = 2000


def exports_dir() -> Path:
    return get_settings().data_dir / "exports"


def _folder(job_id: str) -> Path:
    if len(job_id) != 32 or not set(job_id) <= JOB_ID:
        raise NotFoundException("导出任务不存在")
    return exports_dir() / job_id


def _write(folder: Path, record: dict[str, Any]) -> None:
    tmp = folder / "progress.json.tmp"
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tmp.replace(folder / "progress.json")  # atomic: a poll never reads half a record


def read_job(user: Any, job_id: str) -> dict[str, Any]:
    path = _folder(job_id) / "progress.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFoundException("导出任务不存在") from None
    if record.get("user_id") != user.id:
        raise NotFoundException("导出任务不存在")
    return record


def jobs_of(user: Any, limit: int = 10) -> list[dict[str, Any]]:
    root = exports_dir()
    found = []
    for path in root.glob("*/progress.json") if root.exists() else []:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if record.get("user_id") == user.id:
            found.append(record)
    return sorted(found, key=lambda r: r["started_at"], reverse=True)[:limit]


def _workers() -> int:
    try:
        return max(1, int(os.environ.get("PINGSHEN_EXPORT_WORKERS", "2")))
    except ValueError:
        return 2


async def start(user: Any, filters: Filters) -> dict[str, Any]:
    """Create the job and its progress record, then run it in the background."""
    reviews = await find_reviews(user, filters)
    if len(reviews) > MAX_REVIEWS:
        raise ValueError(f"一次最多导出 {MAX_REVIEWS} 个评审，请缩小日期范围")
    job_id = secrets.token_hex(16)
    folder = _folder(job_id)
    folder.mkdir(parents=True)
    generated = generation_time()
    label = f"{filters.date_from or '最早'} 至 {filters.date_to or '今天'}"
    record = {"id": job_id, "user_id": user.id, "state": "running", "phase": "collect", "total": len(reviews),
              "collected": 0, "rendered": 0, "started_at": generated, "finished_at": None, "error": "",
              "range": label, "agency": filters.agency, "filename": f"评审归档-{label.replace(' ', '')}.zip"}
    _write(folder, record)
    async with write_tx():
        await audit.record(actor=user, action="export.season_started", object_type=EXPORT_OBJECT,
                           object_id=f"season-{job_id}",
                           new={"range": label, "agency": filters.agency, "reviews": [r["id"] for r in reviews]})
    task = asyncio.create_task(_run(folder, record, [r["id"] for r in reviews], generated))
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return record


async def _run(folder: Path, record: dict[str, Any], review_ids: list[int], generated: str) -> None:
    bundles = folder / "bundles"
    bundles.mkdir()
    try:
        paths = []
        for n, review_id in enumerate(review_ids, 1):
            path = bundles / f"{review_id:08d}.json"
            path.write_text(dump_bundle(await review_bundle(review_id)), encoding="utf-8")
            paths.append(path)
            record["collected"] = n
            if n % 10 == 0 or n == len(review_ids):
                _write(folder, record)
        record["phase"] = "render"
        _write(folder, record)

        def progress(done: int, total: int | None, review_id: str) -> None:
            record["rendered"] = done
            _write(folder, record)

        await asyncio.to_thread(export_season, paths, folder / "season.zip", generated_at=generated,
                                progress=progress, total=len(paths), workers=_workers(),
                                mp_context=multiprocessing.get_context("forkserver"))
        record.update(state="done", phase="done", finished_at=generation_time())
    except Exception as exc:  # the page must say it failed, not spin forever
        log.exception("exports: season job %s failed", record["id"])
        record.update(state="failed", error=f"{type(exc).__name__}: {exc}", finished_at=generation_time())
    finally:
        shutil.rmtree(bundles, ignore_errors=True)
        _write(folder, record)


async def download(user: Any, job_id: str) -> tuple[Path, str]:
    record = read_job(user, job_id)
    if record["state"] != "done":
        raise NotFoundException("导出尚未完成")
    async with write_tx():
        await audit.record(actor=user, action="export.downloaded", object_type=EXPORT_OBJECT,
                           object_id=f"season-{job_id}",
                           new={"document": "季度归档", "format": "zip", "range": record["range"],
                                "reviews": record["total"]})
    return _folder(job_id) / "season.zip", record["filename"]

