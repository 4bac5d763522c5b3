"""Shared state between server processes: the database store (sessions) and the job queue.

Jobs live in the database: one queued before a restart runs after it, one whose runner died is
taken again once its lease ends, and invitation deadlines expire through the queue's periodic
task with no page opened.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from app.audit.tables import AuditRecord
from app.panels.tables import Invitation
from app.state import queue
from app.state.store import DatabaseStore, purge_expired
from app.state.tables import Job, JobStatus, StoreEntry
from tests.app.helpers import sign_in
from tests.app.panels_support import alternates, members, seats

RAN: list[dict[str, object]] = []


@queue.task("test.remember")
async def remember(job_id: int, **kwargs: object) -> None:
    """A test task: it writes what it got to the store (so a later 'process' can read it)."""
    await DatabaseStore("test").set(f"job-{job_id}", json.dumps(kwargs))
    RAN.append({"job": job_id, **kwargs})


@queue.task("test.flaky")
async def flaky(job_id: int) -> None:
    raise RuntimeError("邮件服务器无响应")


async def test_store_values_expire_and_namespaces_stay_apart():
    sessions, other = DatabaseStore("sessions"), DatabaseStore("other")
    await sessions.set("abc", b"one", expires_in=60)
    await other.set("abc", "two")
    assert await DatabaseStore("sessions").get("abc") == b"one"  # any instance, any process: the same row
    assert await other.get("abc") == b"two"
    assert 0 < await sessions.expires_in("abc") <= 60 and await other.expires_in("abc") is None
    await sessions.set("old", b"x", expires_in=-1)
    assert await sessions.get("old") is None and not await sessions.exists("old")
    assert await purge_expired() == 1
    assert [await sessions.incr("tries", 60) for _ in range(3)] == [1, 2, 3]
    await sessions.delete_all()
    assert await sessions.get("abc") is None and await other.get("abc") == b"two"


async def test_sessions_are_in_the_database(world, client):
    response = await sign_in(client, "agency1")
    assert response.status_code == 303
    session_id = client.cookies["pingshen_session"]
    row = await StoreEntry.select().where(StoreEntry.key == f"sessions:{session_id}").first()
    assert row is not None and b"user_id" in bytes(row["value"])
    assert (await client.get("/", follow_redirects=False)).status_code == 200


async def test_a_job_queued_before_a_restart_runs_after_it():
    RAN.clear()
    job_id = await queue.enqueue("test.remember", review=7)
    # Nothing ran it: the process that queued it is gone. A new process's runner starts.
    runner = queue.Runner(slots=1, poll=0.05)
    runner.start()
    try:
        for _ in range(200):
            row = await Job.select(Job.status, Job.worker).where(Job.id == job_id).first()
            if row["status"] == JobStatus.DONE:
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.stop()
    assert row["status"] == JobStatus.DONE and row["worker"].startswith(runner.worker)
    assert RAN == [{"job": job_id, "review": 7}]
    assert json.loads(await DatabaseStore("test").get(f"job-{job_id}")) == {"review": 7}


async def test_a_job_whose_runner_died_is_taken_again_after_its_lease():
    RAN.clear()
    job_id = await queue.enqueue("test.remember", n=1)
    claimed = await queue.claim("host-a:111")  # runner A takes it, then its process is killed
    assert claimed["id"] == job_id
    assert await queue.run_pending("host-b:222") == 0  # the lease still holds: B must not run it twice
    await Job.update({Job.locked_until: queue.now_ms() - 1}).where(Job.id == job_id)  # a minute later
    assert await queue.run_pending("host-b:222") == 1
    row = await Job.select().where(Job.id == job_id).first()
    assert (row["status"], row["worker"], row["attempts"]) == (JobStatus.DONE, "host-b:222", 2)
    assert RAN == [{"job": job_id, "n": 1}]


async def test_a_failing_job_is_retried_later_then_marked_failed():
    job_id = await queue.enqueue("test.flaky", max_attempts=2)
    assert await queue.run_pending() == 1
    row = await Job.select().where(Job.id == job_id).first()
    assert row["status"] == JobStatus.TODO and row["run_at"] > queue.now_ms()
    assert "邮件服务器无响应" in row["last_error"]
    assert await queue.run_pending() == 0  # not before its retry time
    await Job.update({Job.run_at: 0}).where(Job.id == job_id)
    assert await queue.run_pending() == 1
    row = await Job.select().where(Job.id == job_id).first()
    assert row["status"] == JobStatus.FAILED and row["attempts"] == 2 and row["finished_at"] is not None


async def test_a_periodic_slot_is_queued_once_however_many_processes_offer_it():
    now = queue.now_ms()
    first = await queue.offer_periodic(now)
    assert first == len(queue.PERIODIC) >= 3
    assert await queue.offer_periodic(now) == 0  # a second process, same minute
    rows = await Job.select(Job.dedupe).where(Job.task == "panels.expire_invitations")
    assert len(rows) == 1


async def test_an_overdue_invitation_expires_through_the_queue_without_a_page_view(world):
    from tests.app.panels_support import drawn_approval_review

    review_id = await drawn_approval_review(world)
    before = await seats(review_id)
    seat = members(before)[0]
    waiting = alternates(before)[0]
    await Invitation.update({Invitation.deadline: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(
        Invitation.seat == seat["id"])
    # What every server process's runner does each poll: offer the periodic slots, run what is due.
    await queue.offer_periodic()
    assert await queue.run_pending() >= 1
    after = {s["id"]: s for s in await seats(review_id)}
    assert after[seat["id"]]["state"] == "expired"
    assert after[waiting["id"]]["state"] == "invited" and after[waiting["id"]]["role"] == "member"
    invitation = await Invitation.select().where(Invitation.seat == seat["id"]).first()
    assert invitation["answer"] == "expired"
    actions = [r["action"] for r in await AuditRecord.select(AuditRecord.action, AuditRecord.actor)
               .where(AuditRecord.actor == "system")]
    assert any("expired" in a or "replaced" in a or "moved" in a for a in actions), actions
    done = await Job.select(Job.status).where(Job.task == "panels.expire_invitations")
    assert [r["status"] for r in done] == [JobStatus.DONE]
