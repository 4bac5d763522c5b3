"""Two real server processes on two ports against one PostgreSQL database, one user moving
between them mid-flow: signed in on one, saving a draft on the other, lockout counted across
both, and a season export started on one that the other's job runner finishes.

Runs in `.ci/run`'s PostgreSQL pass (PINGSHEN_TEST_DATABASE_URL); SQLite is one process by design.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.accounts.tables import User
from app.db import is_sqlite
from app.settings import ROOT
from app.state.tables import Job, JobStatus
from tests.app.helpers import PASSWORD
from tests.app.test_scoresheets_fixtures import CONSULTATION_BIDS, CONSULTATION_CRITERIA, make_panel

pytestmark = pytest.mark.skipif(is_sqlite(), reason="two-process test runs on PostgreSQL only "
                                "(set PINGSHEN_TEST_DATABASE_URL; .ci/run does when PostgreSQL answers)")


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp: Path, name: str, job_workers: int) -> Server:
    port = _free_port()
    env = {**os.environ, "PINGSHEN_DB_POOL": "4", "PINGSHEN_JOB_WORKERS": str(job_workers),
           "PINGSHEN_EXPORT_WORKERS": "1", "PINGSHEN_DATA_DIR": str(tmp / "data")}
    log = tmp / f"{name}.log"
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    return Server(f"http://127.0.0.1:{port}", process, log)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            if httpx.get(f"{server.url}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server {server.url} did not start:\n{server.log.read_text()}")


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    # A takes no background jobs, B does: an export started on A can only be finished by B.
    a, b = _start(tmp_path, "a", job_workers=0), _start(tmp_path, "b", job_workers=1)
    try:
        _wait_ready(a)
        _wait_ready(b)
        yield a, b
    finally:
        for server in (a, b):
            server.process.terminate()
        for server in (a, b):
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()


async def _sign_in(client: httpx.AsyncClient, base: str, username: str, password: str) -> httpx.Response:
    await client.get(f"{base}/login")
    return await client.post(f"{base}/login", data={"username": username, "password": password,
                                                    "_csrf_token": client.cookies["csrftoken"]})


async def test_two_processes_share_sessions_drafts_lockout_and_jobs(world, servers):
    a, b = servers
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    # One browser (one cookie jar; cookies do not depend on the port) against both processes.
    async with httpx.AsyncClient(timeout=30) as browser:
        assert (await _sign_in(browser, a.url, panel.experts[0], PASSWORD)).status_code == 303
        token = browser.cookies["csrftoken"]
        declared = await browser.post(f"{b.url}/scoring/reviews/{panel.review_id}/declaration",
                                      data={"conflict": "no", "pledge": "yes", "_csrf_token": token})
        assert declared.status_code == 303, declared.text  # signed in on A, recognised by B
        opened = await browser.get(f"{a.url}/scoring/reviews/{panel.review_id}/sheet")
        sheet_id = int(opened.headers["location"].rsplit("/", 1)[1])
        version = (await browser.get(f"{a.url}/api/scoring/sheets/{sheet_id}")).json()["version"]
        bid, criterion = panel.bids["A"], panel.criteria["T1"]
        saved = await browser.post(f"{b.url}/api/scoring/sheets/{sheet_id}/draft", headers={"x-csrftoken": token},
                                   json={"version": version, "scores": [{"bid": bid, "criterion": criterion,
                                                                         "value": "31.5"}]})
        assert saved.status_code in (200, 201), saved.text
        sheet = (await browser.get(f"{a.url}/api/scoring/sheets/{sheet_id}")).json()
        assert sheet["version"] == version + 1
        assert [(s["bid"], s["criterion"], s["value"]) for s in sheet["scores"]] == [(bid, criterion, "31.50")]

    # Lockout: wrong passwords alternate between the processes and still add up to one count.
    async with httpx.AsyncClient(timeout=30) as attacker:
        for n in range(5):
            response = await _sign_in(attacker, (a.url, b.url)[n % 2], "agency1", "wrong-password")
            assert response.status_code in (200, 400, 401, 403), response.text
        locked = await _sign_in(attacker, b.url, "agency1", PASSWORD)  # even the right password now
        assert "锁定" in locked.text and locked.status_code != 303
    user = await User.objects().where(User.username == "agency1").first()
    assert user.locked_until is not None

    # A season export started on A (no job runner there) is finished by B's runner.
    async with httpx.AsyncClient(timeout=30) as auditor:
        assert (await _sign_in(auditor, a.url, "auditor1", PASSWORD)).status_code == 303
        started = await auditor.post(f"{a.url}/exports/season", data={
            "date_from": "", "date_to": "", "_csrf_token": auditor.cookies["csrftoken"]})
        assert started.status_code == 303, started.text
        job_id = started.headers["location"].split("job=")[1]
        for _ in range(300):
            progress = (await auditor.get(f"{a.url}/api/exports/season/{job_id}")).json()
            if progress["state"] != "running":
                break
            await asyncio.sleep(0.2)
        assert progress["state"] == "done", progress
        assert progress["total"] == progress["rendered"] == 1
        job = await Job.select(Job.status, Job.worker).where(Job.dedupe == f"exports.season:{job_id}").first()
        assert job["status"] == JobStatus.DONE and job["worker"].split("/")[0].endswith(f":{b.process.pid}")
        download = await auditor.get(f"{a.url}/exports/season/{job_id}/download")
        assert download.status_code == 200 and download.content[:2] == b"PK"
