"""The audit trail in the database: appended by every change, verified, tamper caught."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from app.audit import services as audit
from app.audit.tables import AuditRecord
from tests.app.audit_tamper import as_superuser
from tests.app.helpers import post_form


async def test_changes_are_chained_and_verify(world):
    rows = await AuditRecord.select().order_by(AuditRecord.seq)
    # world created 2 agencies and 6 users: one record each, chained in order.
    assert [r["action"] for r in rows].count("user.created") == 6
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, len(rows)))
    report = await audit.verify_chain()
    assert report.ok and report.checked == len(rows)


async def test_verify_names_the_first_edited_record(world):
    victim = await AuditRecord.select().where(AuditRecord.seq == 4).first()
    await as_superuser(AuditRecord.update({AuditRecord.new_values: '{"role":"admin"}'}).where(AuditRecord.seq == 4))
    report = await audit.verify_chain(batch=3)  # small batches: the break sits in the second one
    assert not report.ok and report.first_broken_seq == 4 and report.checked == 3
    assert victim["new_values"] != '{"role":"admin"}'


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          env=os.environ.copy(), timeout=120)


async def test_cli_verify_catches_a_direct_database_edit(world):
    ok = await asyncio.to_thread(_cli, "audit", "verify")
    assert ok.returncode == 0 and "已校验 8 条记录" in ok.stdout
    await as_superuser(AuditRecord.update({AuditRecord.actor: "intruder"}).where(AuditRecord.seq == 2))
    broken = await asyncio.to_thread(_cli, "audit", "verify")
    assert broken.returncode == 1
    assert "第 2 条记录" in broken.stderr


async def test_concurrent_records_keep_one_chain(world):
    await asyncio.gather(*[
        audit.record(actor=None, action="test.concurrent", object_type="test", object_id=i) for i in range(20)
    ])
    rows = await AuditRecord.select(AuditRecord.seq).order_by(AuditRecord.seq)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    assert (await audit.verify_chain()).ok


async def test_refused_change_writes_nothing(signed_in):
    admin = await signed_in("admin")
    before = await AuditRecord.count()
    response = await post_form(admin, "/admin/users/", {"username": "x", "display_name": "新用户", "role": "agency",
                                                         "password": "weak", "agency_id": ""})
    assert response.status_code == 400
    assert "经办人和监督人必须属于一个机构" in response.text and "至少需要 10 个字符" in response.text
    assert await AuditRecord.count() == before


async def test_auditor_reads_the_trail_and_supervisor_only_their_agency(signed_in, world):
    auditor = await signed_in("auditor")
    everything = (await auditor.get("/api/audit/")).json()
    assert {r["action"] for r in everything} >= {"user.created", "agency.created", "account.signed_in"}
    supervisor = await signed_in("supervisor")
    own = (await supervisor.get("/api/audit/")).json()
    assert own and all(r["agency_id"] == world.agency_id for r in own)
    page = await auditor.get("/audit/?action=user.created")
    table = page.text[page.text.index("<tbody>"):]
    assert page.status_code == 200 and "新建用户" in table and "新建机构" not in table
    verify = (await auditor.get("/api/audit/verify")).json()
    assert verify["ok"] is True
