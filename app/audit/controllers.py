"""The audit trail for those who oversee: admins, auditors and supervisors."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from app.accounts.guards import requires_role
from app.accounts.tables import AGENCY_ROLES, Role
from app.audit import services
from app.audit.labels import ACTION_LABELS, OBJECT_LABELS, action_label, change_rows, object_label
from app.web.parsing import plain_date

PAGE = 100
WEB_PAGE = 50
CHINA = dt.timezone(dt.timedelta(hours=8))

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


def _day(text: str, field: str, errors: dict[str, str]) -> dt.date | None:
    """A Beijing calendar day from a date box ("" = no limit)."""
    text = text.strip()
    if not text:
        return None
    day = plain_date(text)
    if day is None:
        errors[field] = f"日期“{text}”无效，请按 年-月-日 填写，如 2026-11-29"
        return None
    return day


def _start_of(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC)


class AuditWebController(Controller):
    path = "/audit"
    include_in_schema = False
    guards = [requires_role(Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR)]

    @get("/")
    async def trail(self, request: Request, page: FromQuery[int] = 1, action: FromQuery[str] = "",
                    object_type: FromQuery[str] = "", object_id: FromQuery[str] = "",
                    actor: FromQuery[str] = "", date_from: FromQuery[str] = "",
                    date_to: FromQuery[str] = "") -> Template:
        """审计日志 — filtered by object, actor, action and Beijing date; 50 records a page."""
        errors: dict[str, str] = {}
        first, last = _day(date_from, "date_from", errors), _day(date_to, "date_to", errors)
        if first and last and first > last:
            errors["date_to"] = "结束日期不能早于开始日期"
        filters = {"action": action.strip(), "object_type": object_type.strip(), "object_id": object_id.strip(),
                   "actor": actor.strip(), "date_from": date_from.strip(), "date_to": date_to.strip()}
        query = {"action": filters["action"] or None, "object_type": filters["object_type"] or None,
                 "object_id": filters["object_id"] or None, "actor": filters["actor"] or None,
                 "agency_id": _scope_agency(request), "since": _start_of(first),
                 "until": _start_of(last + dt.timedelta(days=1)) if last else None}
        total = 0 if errors else await services.count_records(**query)
        pages = max(1, math.ceil(total / WEB_PAGE))
        page = min(max(page, 1), pages)
        rows = [] if errors else await services.list_records(limit=WEB_PAGE, offset=(page - 1) * WEB_PAGE, **query)
        for row in rows:
            row["action_label"] = action_label(row["action"])
            row["object_label"] = object_label(row["object_type"])
            row["changes"] = change_rows(row["old_values"], row["new_values"])
        return Template("audit/trail.html.j2", status_code=400 if errors else 200, context={
            "rows": rows, "page": page, "pages": pages, "total": total, "filters": filters, "errors": errors,
            "actions": sorted(ACTION_LABELS.items(), key=lambda kv: kv[0]), "objects": OBJECT_LABELS,
            "query": {k: v for k, v in filters.items() if v}})


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
