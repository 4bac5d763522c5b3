"""审计日志 — the append-only, hash-chained audit trail."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditRecord(Table, tablename="audit_record"):
    """One state change. Never updated or deleted: `pingshen audit verify` proves it.

    No foreign keys on purpose: a record must outlive the user or object it names.
    """

    seq = Integer(unique=True, index=True)
    created_at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor = Varchar(length=100)
    agency_id = Integer(null=True, default=None, index=True)
    action = Varchar(length=100, index=True)
    object_type = Varchar(length=50, index=True)
    object_id = Varchar(length=64)
    old_values = Text()
    new_values = Text()
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
