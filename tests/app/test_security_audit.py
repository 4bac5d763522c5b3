"""The audit table is append-only in PostgreSQL: UPDATE and DELETE are refused by a trigger."""

from __future__ import annotations

import asyncpg
import pytest

from app.audit import services as audit
from app.audit.tables import AuditRecord
from app.db import is_sqlite
from tests.app.audit_tamper import as_superuser

pytestmark = pytest.mark.skipif(
    is_sqlite(), reason="the append-only trigger exists only in PostgreSQL; .ci/run's PostgreSQL pass runs this")


async def test_update_and_delete_are_refused(world):
    before = await AuditRecord.select().order_by(AuditRecord.seq)
    assert before
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only: UPDATE refused"):
        await AuditRecord.update({AuditRecord.actor: "intruder"}).where(AuditRecord.seq == 1)
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only: DELETE refused"):
        await AuditRecord.delete().where(AuditRecord.seq == len(before))
    with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
        await AuditRecord.raw("UPDATE audit_record SET hash = 'x'")
    assert await AuditRecord.select().order_by(AuditRecord.seq) == before
    # Appending still works, and the chain is whole.
    await audit.record(actor=None, action="test.appended", object_type="test", object_id=1)
    report = await audit.verify_chain()
    assert report.ok and report.checked == len(before) + 1


async def test_a_superuser_edit_is_still_caught_by_the_chain(world):
    await as_superuser(AuditRecord.update({AuditRecord.actor: "intruder"}).where(AuditRecord.seq == 2))
    report = await audit.verify_chain()
    assert not report.ok and report.first_broken_seq == 2
