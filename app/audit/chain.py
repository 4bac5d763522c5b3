"""Hash chain of audit records: pure functions, shared by the app and by re-verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, Chinese kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical_sha256(value: Any) -> str:
    """SHA-256 of the canonical JSON text: the one content hash used across the app."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def timestamp_text(moment: dt.datetime) -> str:
    """UTC ISO time with microseconds, the same on SQLite and PostgreSQL."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def record_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 over every field of a record and the hash of the one before it."""
    payload = {
        "seq": int(row["seq"]),
        "created_at": timestamp_text(row["created_at"]),
        "actor_id": row["actor_id"],
        "actor": row["actor"],
        "agency_id": row["agency_id"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": str(row["object_id"]),
        "old_values": row["old_values"],
        "new_values": row["new_values"],
        "prev_hash": row["prev_hash"],
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


def verify_rows(rows: Iterable[Mapping[str, Any]], *, start_hash: str = GENESIS, start_seq: int = 1) -> ChainReport:
    """Walk records in seq order; name the first one whose hash, link or number is wrong."""
    prev_hash, expected_seq, checked = start_hash, start_seq, 0
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            reason = f"记录编号不连续：应为 {expected_seq}，实为 {seq}（有记录被删除或插入）"
            return ChainReport(False, checked, expected_seq, reason)
        if row["prev_hash"] != prev_hash:
            return ChainReport(False, checked, seq, f"第 {seq} 条记录的前序哈希与上一条不符")
        if record_hash(row) != row["hash"]:
            return ChainReport(False, checked, seq, f"第 {seq} 条记录的内容与其哈希不符（记录被修改）")
        prev_hash, expected_seq, checked = row["hash"], seq + 1, checked + 1
    return ChainReport(True, checked)
