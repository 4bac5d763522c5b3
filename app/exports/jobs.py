"""Season export as a background job: every review of an agency (or all, for auditors) in a
date range, as one .zip under var/exports/, with a progress record the page polls.

The job is queued in the database (`app.state.queue`, task `exports.season`), so any server
process's runner may take it, and one that dies mid-way leaves it to another once its lease
ends; the progress record is the job's `progress` column, so every process answers the poll the
same. Phase 1 reads each review's bundle from the database and writes it as a file (one review
in memory at a time); phase 2 renders them with `export_season` in worker processes, in a thread
so the server keeps answering. The .zip is written under the data folder: with several hosts,
that folder is shared storage (docs/deployment.md). Only the user who started a job sees it.
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
from app.state import queue
from app.state.tables import Job

log = logging.getLogger("pingshen.exports")
TASK = "exports.season"
JOB_ID = frozenset("0123456789abcdef")
MAX_REVIEWS = 2000


def exports_dir() -> Path:
    return get_settings().data_dir / "exports"


def _folder(job_id: str) -> Path:
    if len(job_id) != 32 or not set(job_id) <= JOB_ID:
        raise NotFoundException("导出任务不存在")
    return exports_dir() / job_id


def _dedupe(job_id: str) -> str:
    return f"{TASK}:{job_id}"


async def read_job(user: Any, job_id: str) -> dict[str, Any]:
    _folder(job_id)  # refuses anything but a job id
    row = await Job.select(Job.progress, Job.owner).where(Job.dedupe == _dedupe(job_id)).first()
    if row is None or row["owner"] != user.id:
        raise NotFoundException("导出任务不存在")
    return json.loads(row["progress"])


async def jobs_of(user: Any, limit: int = 10) -> list[dict[str, Any]]:
    rows = await Job.select(Job.progress).where((Job.task == TASK) & (Job.owner == user.id)).order_by(
        Job.id, ascending=False).limit(limit)
    return [json.loads(r["progress"]) for r in rows]


def _workers() -> int:
    try:
        return max(1, int(os.environ.get("PINGSHEN_EXPORT_WORKERS", "2")))
    except ValueError:
        return 2


async def start(user: Any, filters: Filters) -> dict[str, Any]:
    """Queue the job with its progress record (in the same transaction as its audit record)."""
    reviews = await find_reviews(user, filters)
    if len(reviews) > MAX_REVIEWS:
        raise ValueError(f"一次最多导出 {MAX_REVIEWS} 个评审，请缩小日期范围")
    job_id = secrets.token_hex(16)
    generated = generation_time()
    label = f"{filters.date_from or '最早'} 至 {filters.date_to or '今天'}"
    record = {"id": job_id, "user_id": user.id, "state": "running", "phase": "queued", "total": len(reviews),
              "collected": 0, "rendered": 0, "started_at": generated, "finished_at": None, "error": "",
              "range": label, "agency": filters.agency, "filename": f"评审归档-{label.replace(' ', '')}.zip"}
    review_ids = [r["id"] for r in reviews]
    async with write_tx():
        await audit.record(actor=user, action="export.season_started", object_type=EXPORT_OBJECT,
                           object_id=f"season-{job_id}",
                           new={"range": label, "agency": filters.agency, "reviews": review_ids})
        await queue.enqueue(TASK, dedupe=_dedupe(job_id), owner=user.id, progress=record, max_attempts=2,
                            export_id=job_id, review_ids=review_ids, generated=generated)
    return record


async def run_job(job_id: int, *, export_id: str, review_ids: list[int], generated: str) -> None:
    """The queued task: collect the bundles, render them, report progress as it goes."""
    folder = _folder(export_id)
    shutil.rmtree(folder, ignore_errors=True)  # a second attempt starts clean
    folder.mkdir(parents=True)
    row = await Job.select(Job.progress).where(Job.id == job_id).first()
    record = json.loads(row["progress"])
    record.update(phase="collect", collected=0, rendered=0, error="")
    await queue.report(job_id, record)
    reported = dict(record)

    async def report_now() -> None:
        if record != reported:
            reported.clear()
            reported.update(record)
            await queue.report(job_id, dict(record))

    async def keep_reporting() -> None:  # the render thread only sets numbers; this writes them
        while True:
            await asyncio.sleep(0.5)
            await report_now()

    bundles = folder / "bundles"
    bundles.mkdir()
    reporter = asyncio.create_task(keep_reporting())
    try:
        paths = []
        for n, review_id in enumerate(review_ids, 1):
            path = bundles / f"{review_id:08d}.json"
            path.write_text(dump_bundle(await review_bundle(review_id)), encoding="utf-8")
            paths.append(path)
            record["collected"] = n
        record["phase"] = "render"

        def progress(done: int, total: int | None, review_id: str) -> None:
            record["rendered"] = done

        await asyncio.to_thread(export_season, paths, folder / "season.zip", generated_at=generated,
                                progress=progress, total=len(paths), workers=_workers(),
                                mp_context=multiprocessing.get_context("forkserver"))
        record.update(state="done", phase="done", finished_at=generation_time())
    except Exception as exc:  # the page must say it failed, not spin forever
        log.exception("exports: season job %s failed", export_id)
        record.update(state="failed", error=f"{type(exc).__name__}: {exc}", finished_at=generation_time())
    finally:
        reporter.cancel()
        shutil.rmtree(bundles, ignore_errors=True)
        await report_now()


async def download(user: Any, job_id: str) -> tuple[Path, str]:
    record = await read_job(user, job_id)
    if record["state"] != "done":
        raise NotFoundException("导出尚未完成")
    async with write_tx():
        await audit.record(actor=user, action="export.downloaded", object_type=EXPORT_OBJECT,
                           object_id=f"season-{job_id}",
                           new={"document": "季度归档", "format": "zip", "range": record["range"],
                                "reviews": record["total"]})
    return _folder(job_id) / "season.zip", record["filename"]

