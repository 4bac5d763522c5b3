"""The one audit function every area calls for each state change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.audit.chain import GENESIS, ChainReport, canonical_json, record_hash, verify_rows
from app.audit.tables import AuditRecord
from app.db import is_sqlite, write_tx

# Any constant works; it only has to be the same for every writer of the chain.
_PG_CHAIN_LOCK = 74_615_001


class ActorLike(Protocol):
    id: int
    username: str


@dataclass(frozen=True)
class SystemActor:
    """For changes made by the command line or a scheduled step, not by a signed-in user."""

    id: None = None
    username: str = "system"


SYSTEM = SystemActor()


def _agency_of(actor: Any) -> int | None:
    agency = getattr(actor, "agency", None)
    if agency is None or isinstance(agency, int):
        return agency
    return getattr(agency, "id", None)


async def record(
    *,
    actor: ActorLike | SystemActor | None,
    action: str,
    object_type: str,
    object_id: int | str,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    agency_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Append one record to the chain, inside the caller's transaction when there is one.

    Call it inside the same `write_tx()` as the change itself so the change and its record
    commit together.
    """
    actor = actor or SYSTEM
    async with write_tx():
        if not is_sqlite():
            # Writers take turns on PostgreSQL too: two records must never share a predecessor.
            await AuditRecord.raw(f"SELECT pg_advisory_xact_lock({_PG_CHAIN_LOCK})")
        last = (
            await AuditRecord.select(AuditRecord.seq, AuditRecord.hash)
            .order_by(AuditRecord.seq, ascending=False)
            .first()
        )
        row: dict[str, Any] = {
            "seq": (last["seq"] + 1) if last else 1,
            "created_at": (now or dt.datetime.now(dt.UTC)),
            "actor_id": actor.id,
            "actor": actor.username,
            "agency_id": agency_id if agency_id is not None else _agency_of(actor),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "old_values": canonical_json(dict(old or {})),
            "new_values": canonical_json(dict(new or {})),
            "prev_hash": last["hash"] if last else GENESIS,
        }
        row["hash"] = record_hash(row)
        await AuditRecord.insert(AuditRecord(**row))
    return row


async def verify_chain(batch: int = 2000) -> ChainReport:
    """Recompute the whole chain from the database, a batch at a time to keep memory flat."""
    total = ChainReport(True, 0)
    prev_hash, next_seq, offset = GENESIS, 1, 0
    while True:
        rows = await AuditRecord.select().order_by(AuditRecord.seq).limit(batch).offset(offset)
        if not rows:
            return total
        part = verify_rows(rows, start_hash=prev_hash, start_seq=next_seq)
        if not part.ok:
            return ChainReport(False, total.checked + part.checked, part.first_broken_seq, part.reason)
        total = ChainReport(True, total.checked + part.checked)
        prev_hash, next_seq, offset = rows[-1]["hash"], rows[-1]["seq"] + 1, offset + len(rows)


def _filtered(query: Any, *, action: str | None, object_type: str | None, object_id: str | None,
              actor: str | None, agency_id: int | None, since: dt.datetime | None,
              until: dt.datetime | None) -> Any:
    if action:
        # A prefix such as "panel." matches the whole area.
        query = query.where(AuditRecord.action.like(f"{action}%"))
    if object_type:
        query = query.where(AuditRecord.object_type == object_type)
    if object_id:
        query = query.where(AuditRecord.object_id == object_id)
    if actor:
        query = query.where(AuditRecord.actor == actor)
    if agency_id is not None:
        query = query.where(AuditRecord.agency_id == agency_id)
    if since is not None:
        query = query.where(AuditRecord.created_at >= since)
    if until is not None:
        query = query.where(AuditRecord.created_at < until)
    return query


async def list_records(
    *,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor: str | None = None,
    agency_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Records newest first; `since` inclusive, `until` exclusive."""
    query = _filtered(AuditRecord.select().order_by(AuditRecord.seq, ascending=False), action=action,
                      object_type=object_type, object_id=object_id, actor=actor, agency_id=agency_id,
                      since=since, until=until)
    return await query.limit(limit).offset(offset)


async def count_records(*, action: str | None = None, object_type: str | None = None, object_id: str | None = None,
                        actor: str | None = None, agency_id: int | None = None, since: dt.datetime | None = None,
                        until: dt.datetime | None = None) -> int:
    return await _filtered(AuditRecord.count(), action=action, object_type=object_type, object_id=object_id,
                           actor=actor, agency_id=agency_id, since=since, until=until)
