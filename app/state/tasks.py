"""The background tasks of every area, registered with the queue.

Each imports its area lazily, so loading the queue does not load the whole app.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from app.state.queue import task

log = logging.getLogger("pingshen.jobs")


@task("panels.expire_invitations", every_seconds=60)
async def expire_invitations(job_id: int) -> None:
    """超时未答复 — overdue invitations end their seats and the next alternates move in, on time,
    whether or not anyone opens a page."""
    from app.audit.services import SYSTEM
    from app.panels.seats import expire_overdue

    count = await expire_overdue(SYSTEM)
    if count:
        log.info("jobs: %d overdue invitations expired", count)


@task("roster.restore_statuses", every_seconds=300)
async def restore_statuses(job_id: int) -> None:
    """暂停/请假 periods that have ended go back to 在库."""
    from app.roster.services import restore_expired

    count = await restore_expired()
    if count:
        log.info("jobs: %d expert statuses restored", count)


@task("panels.deliver_mail", every_seconds=300)
async def deliver_mail(job_id: int) -> None:
    """Retry the outbox (a message whose SMTP delivery failed after its change committed)."""
    from app.panels.mail import deliver_pending

    await deliver_pending()


@task("state.purge", every_seconds=3600)
async def purge(job_id: int) -> None:
    """Expired store entries (sessions) and finished jobs older than a week."""
    from app.db import write_tx
    from app.state.store import purge_expired
    from app.state.tables import Job, JobStatus

    await purge_expired()
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=7)
    async with write_tx():
        await Job.delete().where(Job.status.is_in([JobStatus.DONE, JobStatus.FAILED]) & (Job.finished_at < cutoff)
                                 & (Job.task != "exports.season"))


@task("exports.season")
async def season_export(job_id: int, **kwargs: Any) -> None:
    """季度归档 — every review of a season as one .zip (app/exports/jobs.py)."""
    from app.exports.jobs import run_job

    await run_job(job_id, **kwargs)


@task("plans.solve")
async def solve_plan(job_id: int, **kwargs: Any) -> None:
    """评审计划求解 — a confirmed season plan (app/plans/solving.py)."""
    from app.plans.solving import solve_plan as run

    await run(job_id, **kwargs)
