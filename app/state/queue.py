"""后台任务队列 — background work in the database, run by any server process on any host.

A job is a row in `job`: a task name, JSON arguments and a time not before which it runs. It is
written inside the caller's write transaction when there is one, so a change and the work it
asks for commit together (or neither does), and a job survives restarts: it is in the database,
not in a process. Every server process runs a `Runner` (PINGSHEN_JOB_WORKERS slots): it claims
one due job at a time in one statement — `FOR UPDATE SKIP LOCKED` on PostgreSQL, under
BEGIN IMMEDIATE on SQLite — with a lease it renews while the job runs. A process that dies stops
renewing; when the lease ends another runner takes the job again. Failed jobs are retried with
a growing delay, then marked failed with their error.

Periodic tasks (invitation deadlines, scheduled status restores, clean-up) are jobs too: each
runner offers the current time slot's job with a `dedupe` key (`<task>@<slot>`), and the unique
index lets exactly one of them in, however many processes offer it.

Why not procrastinate: it talks to PostgreSQL through psycopg and its own connection pool, so a
job could not be written inside the app's Piccolo/asyncpg transaction, SQLite would need a
second code path anyway, and its pool is bound to one event loop (the in-process test client
runs the app in another). This queue is one table and the same SQL on both engines.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from app.db import is_sqlite, write_tx
from app.state.tables import Job, JobStatus

log = logging.getLogger("pingshen.jobs")

TaskFn = Callable[..., Awaitable[Any]]
TASKS: dict[str, TaskFn] = {}


@dataclass(frozen=True)
class Periodic:
    task: str
    every_seconds: int


PERIODIC: list[Periodic] = []
LEASE_MS = 60_000
"""A claim lasts a minute; the runner renews it every 20 s while the job runs."""
_wakeups: set[asyncio.Event] = set()


def task(name: str, *, every_seconds: int | None = None) -> Callable[[TaskFn], TaskFn]:
    """Register an async function as a task (optionally also run every `every_seconds`)."""

    def register(fn: TaskFn) -> TaskFn:
        TASKS[name] = fn
        if every_seconds:
            PERIODIC.append(Periodic(name, every_seconds))
        return fn

    return register


def now_ms() -> int:
    return int(time.time() * 1000)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def enqueue(name: str, *, run_at_ms: int | None = None, dedupe: str | None = None, owner: int | None = None,
                  progress: dict[str, Any] | None = None, max_attempts: int = 5, **kwargs: Any) -> int | None:
    """Queue a job; its id, or None when a job with the same `dedupe` key already exists.

    Call inside the write transaction of the change that asks for the work when there is one.
    """
    load_tasks()
    if name not in TASKS:
        raise KeyError(f"unknown task {name!r}")
    job = Job(task=name, args=json.dumps(kwargs, ensure_ascii=False, sort_keys=True), status=JobStatus.TODO,
              run_at=run_at_ms if run_at_ms is not None else now_ms(), dedupe=dedupe, owner=owner,
              progress=json.dumps(progress or {}, ensure_ascii=False), max_attempts=max_attempts)
    async with write_tx():
        rows = await Job.insert(job).on_conflict(action="DO NOTHING").returning(Job.id)
    for event in list(_wakeups):
        event.set()  # a runner in this process starts at once instead of at its next poll
    return rows[0]["id"] if rows else None


async def report(job_id: int, progress: dict[str, Any]) -> None:
    """Store what a running job wants its progress page to show."""
    async with write_tx():
        await Job.update({Job.progress: json.dumps(progress, ensure_ascii=False)}).where(Job.id == job_id)


_CLAIM = (
    "UPDATE job SET status = 'doing', attempts = attempts + 1, worker = {}, locked_until = {} "
    "WHERE id = (SELECT id FROM job WHERE (status = 'todo' AND run_at <= {}) "
    "OR (status = 'doing' AND locked_until < {}) ORDER BY run_at, id LIMIT 1 %s) "
    "RETURNING id, task, args, attempts, max_attempts"
)


async def claim(worker: str) -> dict[str, Any] | None:
    """Take the next due job (or one whose runner's lease ran out), atomically."""
    now = now_ms()
    lock = "" if is_sqlite() else " FOR UPDATE SKIP LOCKED"
    async with write_tx():
        rows = await Job.raw(_CLAIM % lock, worker, now + LEASE_MS, now, now)
    return rows[0] if rows else None


async def _renew(job_id: int, worker: str) -> None:
    while True:
        await asyncio.sleep(LEASE_MS / 3000)
        async with write_tx():
            await Job.update({Job.locked_until: now_ms() + LEASE_MS}).where(
                (Job.id == job_id) & (Job.worker == worker) & (Job.status == JobStatus.DOING))


def _retry_delay_ms(attempts: int) -> int:
    return min(3600, 5 * 4 ** (attempts - 1)) * 1000  # 5 s, 20 s, 80 s, … at most an hour


async def execute(job: dict[str, Any], worker: str) -> bool:
    """Run one claimed job and record the outcome; True when it succeeded."""
    import datetime as dt

    fn = TASKS.get(job["task"])
    renewing = asyncio.create_task(_renew(job["id"], worker))
    try:
        if fn is None:
            raise KeyError(f"unknown task {job['task']!r}")
        await fn(job_id=job["id"], **json.loads(job["args"]))
    except Exception as exc:
        log.exception("job %s (%s) failed, attempt %s", job["id"], job["task"], job["attempts"])
        final = job["attempts"] >= job["max_attempts"]
        async with write_tx():
            await Job.update({
                Job.status: JobStatus.FAILED if final else JobStatus.TODO,
                Job.run_at: now_ms() + _retry_delay_ms(job["attempts"]), Job.locked_until: 0,
                Job.last_error: f"{type(exc).__name__}: {exc}"[:2000],
                Job.finished_at: dt.datetime.now(dt.UTC) if final else None,
            }).where((Job.id == job["id"]) & (Job.worker == worker))
        return False
    finally:
        renewing.cancel()
    async with write_tx():
        await Job.update({Job.status: JobStatus.DONE, Job.locked_until: 0, Job.last_error: "",
                          Job.finished_at: dt.datetime.now(dt.UTC)}).where(
            (Job.id == job["id"]) & (Job.worker == worker))
    return True


async def offer_periodic(now: int | None = None, offered: dict[str, int] | None = None) -> int:
    """Queue the current slot's job of every periodic task (one per slot, whoever offers first)."""
    load_tasks()
    now = now if now is not None else now_ms()
    added = 0
    for spec in PERIODIC:
        slot = now // (spec.every_seconds * 1000)
        if offered is not None and offered.get(spec.task) == slot:
            continue
        if await enqueue(spec.task, run_at_ms=slot * spec.every_seconds * 1000, dedupe=f"{spec.task}@{slot}",
                         max_attempts=1) is not None:
            added += 1
        if offered is not None:
            offered[spec.task] = slot
    return added


async def run_pending(worker: str | None = None, *, limit: int = 100) -> int:
    """Run due jobs until none is left (tests and `pingshen jobs run` use this); how many ran."""
    worker = worker or worker_name()
    ran = 0
    while ran < limit and (job := await claim(worker)) is not None:
        await execute(job, worker)
        ran += 1
    return ran


class Runner:
    """The job runner of one server process: `slots` jobs at a time, polling every `poll` seconds."""

    def __init__(self, slots: int = 1, poll: float = 1.0) -> None:
        self.slots = slots
        self.poll = poll
        self.worker = worker_name()
        self._tasks: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._offered: dict[str, int] = {}
        self._stopping = False

    async def _loop(self, slot: int) -> None:
        while not self._stopping:
            try:
                if slot == 0:
                    await offer_periodic(offered=self._offered)
                job = await claim(f"{self.worker}/{slot}")
                if job is not None:
                    await execute(job, f"{self.worker}/{slot}")
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be restarting: keep trying, never die
                log.exception("job runner: poll failed")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll)
            except TimeoutError:
                pass

    def start(self) -> None:
        load_tasks()
        _wakeups.add(self._wake)
        self._tasks = [asyncio.create_task(self._loop(n), name=f"pingshen-jobs-{n}") for n in range(self.slots)]

    async def stop(self, grace: float = 10.0) -> None:
        """Let running jobs finish for `grace` seconds, then cancel them; a job cut short keeps
        its lease and is taken again by another runner after the lease ends."""
        _wakeups.discard(self._wake)
        self._stopping = True
        self._wake.set()
        _, pending = await asyncio.wait(self._tasks, timeout=grace) if self._tasks else (set(), set())
        for running in pending:
            running.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []


_loaded = {"done": False}


def load_tasks() -> None:
    """Import the modules that register tasks (lazily: areas import this module, not the reverse)."""
    if not _loaded["done"]:
        _loaded["done"] = True
        import app.state.tasks  # noqa: F401


@asynccontextmanager
async def background_jobs(_app: object = None) -> AsyncIterator[None]:
    """App lifespan: this process's job runner (PINGSHEN_JOB_WORKERS slots; 0 = run none here)."""
    from app.settings import get_settings

    slots = get_settings().job_workers
    runner = Runner(slots) if slots > 0 else None
    if runner is not None:
        runner.start()
    try:
        yield
    finally:
        if runner is not None:
            await runner.stop()
