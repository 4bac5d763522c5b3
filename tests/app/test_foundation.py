"""Database set-up, concurrency, agency scoping and the command line."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from litestar.exceptions import NotFoundException

from app.accounts.guards import ensure_agency_access
from app.accounts.tables import User
from app.db import engine, is_sqlite, prepare_database
from tests.app.helpers import PASSWORD, csrf


async def test_database_settings():
    db = engine()
    if is_sqlite():
        # WAL and a busy timeout, so concurrent writers wait instead of failing "database is locked".
        await prepare_database()
        mode = await db.run_ddl("PRAGMA journal_mode")
        assert mode[0]["journal_mode"] == "wal"
        assert db.connection_kwargs["timeout"] == 30
    else:
        # On PostgreSQL the suite works in a database of its own, created and dropped by it.
        name = await db.run_ddl("SELECT current_database() AS name")
        assert name[0]["name"] == f"pingshen_test_{os.getpid()}"


async def test_concurrent_writing_requests_all_succeed(world, signed_in):
    admin = await signed_in("admin")
    token = await csrf(admin)

    async def attempt(i: int) -> int:
        response = await admin.post("/admin/users/", data={
            "username": f"auditor_c{i}", "display_name": f"并发{i}", "role": "auditor", "password": PASSWORD,
            "agency_id": "", "_csrf_token": token}, follow_redirects=False)
        return response.status_code

    # (Concurrent sign-ins on one client no longer fit: each starts a new session with a new
    # CSRF token, so the others' token is stale by design.)
    codes = await asyncio.gather(*[attempt(i) for i in range(12)])
    assert codes == [303] * 12  # each writes a user row and an audit record
    assert await User.count().where(User.username.like("auditor_c%")) == 12


class _Staff:
    def __init__(self, role: str, agency: int | None):
        self.role, self.agency = role, agency


def test_agency_staff_get_404_for_other_agencies_objects():
    ensure_agency_access(_Staff("agency", 1), 1)
    with pytest.raises(NotFoundException):
        ensure_agency_access(_Staff("agency", 1), 2)
    with pytest.raises(NotFoundException):
        ensure_agency_access(_Staff("supervisor", 1), None)
    ensure_agency_access(_Staff("auditor", None), 2)  # auditors read across agencies


async def test_cli_create_user_checks_the_password_and_creates(world):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", "create-user", *args], capture_output=True,
                              text=True, env=os.environ.copy(), timeout=120)

    weak = await asyncio.to_thread(run, "--username", "newone", "--name", "新人", "--role", "auditor",
                                   "--password", "short")
    assert weak.returncode == 1 and "至少需要 10 个字符" in weak.stderr
    assert not await User.exists().where(User.username == "newone")
    ok = await asyncio.to_thread(run, "--username", "newone", "--name", "新人", "--role", "auditor",
                                 "--password", "New-Auditor-2026")
    assert ok.returncode == 0 and "已创建用户 newone" in ok.stdout
    assert (await User.objects().where(User.username == "newone").first()).role == "auditor"


def test_unexpected_errors_show_a_reference_not_a_traceback():
    import logging

    from litestar import get
    from litestar.testing import create_test_client

    from app.web.errors import handle_unexpected

    @get("/boom", opt={"public": True})
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    class Keep(logging.Handler):
        records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    # Litestar's logging set-up replaces the root handlers (and so pytest's caplog): listen directly.
    keep = Keep()
    logging.getLogger("pingshen.http").addHandler(keep)
    try:
        with create_test_client([boom], exception_handlers={Exception: handle_unexpected}) as client:
            page = client.get("/boom", headers={"accept": "application/json"})
    finally:
        logging.getLogger("pingshen.http").removeHandler(keep)
    assert page.status_code == 500
    detail = page.json()["detail"]
    assert "服务器内部错误" in detail and "secret internal detail" not in detail
    reference = detail.split("编号 ")[1].split("）")[0]
    assert any(reference in r.getMessage() and r.exc_info for r in keep.records)
