"""The audit trail for those who oversee: admins, auditors and supervisors."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from app.accounts.guards import requires_role
from app.accounts.tables import AGENCY_ROLES, Role
from app.audit import services

PAGE = 100


class AuditEntry(msgspec.Struct):
    seq: int
    created_at: str
    actor: str
    agency_id: int | None
    action: str
    object_type: str
    object_id: str
    old_values: Any
    new_values: Any
    hash: str


class ChainStatus(msgspec.Struct):
    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str


def _scope_agency(request: Request) -> int | None:
    # A supervisor oversees one agency; auditors and admins read across agencies.
    user = request.user
    return user.agency if user.role in AGENCY_ROLES else None


async def _entries(request: Request, page: int, action: str, object_type: str, object_id: str,
                   actor: str) -> list[dict[str, Any]]:
    return await services.list_records(
        limit=PAGE, offset=max(page - 1, 0) * PAGE, action=action or None, object_type=object_type or None,
        object_id=object_id or None, actor=actor or None, agency_id=_scope_agency(request))


class AuditWebController(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [requires_role(Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR)]

    @get("/")
    async def trail(self, request: Request, page: FromQuery[int] = 1, action: FromQuery[str] = "",
                    object_type: FromQuery[str] = "", object_id: FromQuery[str] = "",
                    actor: FromQuery[str] = "") -> Template:
        rows = await _entries(request, page, action, object_type, object_id, actor)
        return Template("audit/trail.html.j2", context={
            "rows": rows, "page": page, "has_next": len(rows) == PAGE,
            "filters": {"action": action, "object_type": object_type, "object_id": object_id, "actor": actor}})


class AuditApiController(Controller):
    path = "/api/audit"
    tags = ["审计"]
    guards = [requires_role(Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR)]

    @get("/", operation_id="ListAuditRecords", summary="审计日志（新→旧，每页 100 条）")
    async def list_records(self, request: Request, page: FromQuery[int] = 1, action: FromQuery[str] = "",
                           object_type: FromQuery[str] = "", object_id: FromQuery[str] = "",
                           actor: FromQuery[str] = "") -> list[AuditEntry]:
        rows = await _entries(request, page, action, object_type, object_id, actor)
        return [
            AuditEntry(seq=r["seq"], created_at=r["created_at"].isoformat(), actor=r["actor"],
                       agency_id=r["agency_id"], action=r["action"], object_type=r["object_type"],
                       object_id=r["object_id"], old_values=msgspec.json.decode(r["old_values"]),
                       new_values=msgspec.json.decode(r["new_values"]), hash=r["hash"])
            for r in rows
        ]

    @get("/verify", operation_id="VerifyAuditChain", summary="重新计算哈希链",
         guards=[requires_role(Role.ADMIN, Role.AUDITOR)])
    async def verify(self) -> ChainStatus:
        report = await services.verify_chain()
        return ChainStatus(ok=report.ok, checked=report.checked, first_broken_seq=report.first_broken_seq,
                           reason=report.reason)
