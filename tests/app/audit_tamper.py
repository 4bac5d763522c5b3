"""Editing the audit trail behind the application's back, as a database superuser could.

On PostgreSQL the append-only trigger refuses every UPDATE and DELETE on audit_record; a
superuser can still switch triggers off for their session (`session_replication_role`), and
that is the attack the hash chain has to catch. Tests that prove the chain catches an edit
make it through here.
"""

from __future__ import annotations

from typing import Any

from app.db import engine, is_sqlite


async def as_superuser(query: Any) -> Any:
    """Run a Piccolo update/delete query on audit_record with triggers off (PostgreSQL)."""
    if is_sqlite():
        return await query
    async with engine().transaction():
        await engine().run_ddl("SET LOCAL session_replication_role = replica")
        return await query
