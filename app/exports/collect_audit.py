"""The audit records of one review: every row whose object belongs to it, exactly as stored.

The audit table has no review column (a record names one object), so the review's objects are
collected first and matched by (object_type, object_id). Bids and criteria are recorded on the
review itself, the published result too. Downloads (`export.downloaded`, object type
`review_export`) are deliberately left out: the bundle — and the hash printed on every page —
must not change because someone downloaded it.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

from app.audit.tables import AuditRecord

EXPORT_OBJECT = "review_export"
COLUMNS = (AuditRecord.seq, AuditRecord.created_at, AuditRecord.actor_id, AuditRecord.actor,
           AuditRecord.agency_id, AuditRecord.action, AuditRecord.object_type, AuditRecord.object_id,
           AuditRecord.old_values, AuditRecord.new_values, AuditRecord.prev_hash, AuditRecord.hash)
# Long IN lists are split: SQLite allows at most 999 (older builds) bound parameters per query.
CHUNK = 500


def _where(review_id: int, objects: Mapping[str, Sequence[int | str]], with_downloads: bool) -> list[Any]:
    clauses = [(AuditRecord.object_type == "review") & (AuditRecord.object_id == str(review_id))]
    if with_downloads:
        clauses.append((AuditRecord.object_type == EXPORT_OBJECT) & (AuditRecord.object_id == str(review_id)))
    for object_type, ids in objects.items():
        texts = sorted({str(i) for i in ids})
        for start in range(0, len(texts), CHUNK):
            clauses.append((AuditRecord.object_type == object_type)
                           & AuditRecord.object_id.is_in(texts[start:start + CHUNK]))
    return clauses


async def review_audit_rows(review_id: int, objects: Mapping[str, Sequence[int | str]], *,
                            with_downloads: bool = False) -> list[dict[str, Any]]:
    """This review's rows in `seq` order (the bundle's slice of the global chain)."""
    clauses = _where(review_id, objects, with_downloads)
    query = AuditRecord.select(*COLUMNS).where(functools.reduce(operator.or_, clauses)).order_by(AuditRecord.seq)
    return await query
