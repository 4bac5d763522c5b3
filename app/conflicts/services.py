"""回避 services: load the roster's facts once, ask the pure engine, keep the agency's records.

`find_conflicts` and `eligible_pool` are what the draw (panels/) calls; `check_panel` is the
explained, audited check agency staff run from /conflicts/check.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from app.audit import services as audit
from app.conflicts import engine
from app.conflicts.engine import Conflict, OrgCanon, OrgTie, PanelContext, PersonTie, ProjectTie, RosterFacts
from app.conflicts.names import credit_code_problem, normalise_credit_code
from app.conflicts.tables import OrgLink, RecordedConflict
from app.db import write_tx
from app.roster.config import rules
from app.roster.status import PERIODIC, age_on, effective_status
from app.roster.tables import Declaration, Employment, Expert, Holding, Relative
from app.web.parsing import plain_int

#: Above this many ids, loading everything and filtering in memory beats a long IN (…) list.
_IN_LIMIT = 900


class ConflictRecordError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _need_date(context: PanelContext) -> dt.date:
    if context.on_date is None:
        raise ValueError("PanelContext.on_date is required (pass today's date from the app)")
    return context.on_date


def _scoped(query: Any, column: Any, ids: list[int] | None) -> Any:
    return query.where(column.is_in(ids)) if ids is not None and len(ids) <= _IN_LIMIT else query


async def load_facts(on: dt.date, expert_ids: Sequence[int] | None = None, *,
                     employers: list[OrgTie] | None = None) -> RosterFacts:
    """Every tie 回避 looks at, as flat tuples: one query per table, none per expert.

    `employers`: the current-employer ties when the caller has already read them (the pool has).
    """
    ids = None if expert_ids is None else sorted(set(expert_ids))
    if ids == []:
        return RosterFacts()
    since = engine.years_before(on, rules().conflict_window_years)
    org: list[OrgTie] = list(employers or [])
    person: list[PersonTie] = []
    project: list[ProjectTie] = []
    if employers is None:
        query = Expert.select(Expert.id, Expert.employer, Expert.employer_credit_code)
        for r in await _scoped(query, Expert.id, ids):
            org.append(OrgTie(r["id"], "employer", r["employer"], r["employer_credit_code"]))
    recent = Employment.end_date.is_null() | (Employment.end_date >= since)
    query = Employment.select(Employment.id, Employment.expert, Employment.org_name, Employment.credit_code,
                              Employment.start_date, Employment.end_date, Employment.position)
    for r in await _scoped(query.where(recent), Employment.expert, ids):
        org.append(OrgTie(r["expert"], "employment", r["org_name"], r["credit_code"], r["start_date"],
                          r["end_date"], r["position"], r["id"]))
    held = Holding.end_date.is_null() | (Holding.end_date >= since)
    query = Holding.select(Holding.id, Holding.expert, Holding.kind, Holding.org_name, Holding.credit_code,
                           Holding.start_date, Holding.end_date, Holding.share_percent)
    for r in await _scoped(query.where(held), Holding.expert, ids):
        org.append(OrgTie(r["expert"], r["kind"], r["org_name"], r["credit_code"], r["start_date"], r["end_date"],
                          r["share_percent"], r["id"]))
    query = Relative.select(Relative.id, Relative.expert, Relative.name, Relative.relation, Relative.employer,
                            Relative.employer_credit_code)
    for r in await _scoped(query, Relative.expert, ids):
        person.append(PersonTie(r["expert"], "relative", r["name"], r["relation"], r["id"]))
        if r["employer"] or r["employer_credit_code"]:
            org.append(OrgTie(r["expert"], "relative_employer", r["employer"], r["employer_credit_code"],
                              detail=f"{r['name']}（{r['relation']}）", source_id=r["id"]))
    current = Declaration.end_date.is_null() | (Declaration.end_date >= on)
    for r in await _scoped(Declaration.select().where(current), Declaration.expert, ids):
        _scopes(r, "declared", org, person, project, r["start_date"], r["end_date"])
    active = RecordedConflict.active.eq(True)
    for r in await _scoped(RecordedConflict.select().where(active), RecordedConflict.expert, ids):
        if r["kind"] == "drafted_requirements":
            project.append(ProjectTie(r["expert"], "drafted_requirements", r["project_id"], r["review_id"],
                                      r["reason"], r["id"]))
        else:
            _scopes(r, "agency", org, person, project)
    links = [engine.OrgLink(r["branch_name"], r["parent_name"], r["branch_credit_code"], r["parent_credit_code"])
             for r in await OrgLink.select()]
    return RosterFacts(org_ties=org, person_ties=person, project_ties=project, org_links=links)


def _scopes(r: dict[str, Any], prefix: str, org: list[OrgTie], person: list[PersonTie], project: list[ProjectTie],
            start: dt.date | None = None, end: dt.date | None = None) -> None:
    if r["org_name"] or r["credit_code"]:
        org.append(OrgTie(r["expert"], f"{prefix}_org", r["org_name"], r["credit_code"], start, end, r["reason"],
                          r["id"]))
    if r["person_name"]:
        person.append(PersonTie(r["expert"], f"{prefix}_person", r["person_name"], r["reason"], r["id"]))
    if r["project_id"] is not None or r.get("review_id") is not None:
        project.append(ProjectTie(r["expert"], f"{prefix}_project", r["project_id"], r.get("review_id"),
                                  r["reason"], r["id"]))


async def find_conflicts(context: PanelContext, expert_ids: Sequence[int] | None = None) -> dict[int, list[Conflict]]:
    """Conflicts of the given experts (None: the whole roster); experts without one are absent."""
    on = _need_date(context)
    facts = await load_facts(on, expert_ids)
    return engine.find_conflicts(facts, context, expert_ids=expert_ids,
                                 window_years=rules().conflict_window_years)


async def eligible_pool(
    context: PanelContext, *, statuses: Sequence[str] = ("active",)
) -> tuple[list[dict[str, Any]], dict[int, list[Conflict]]]:
    """Drawable experts without conflicts, shaped for assignment/; plus the conflicts of those left out.

    Drawable: status in `statuses` on `context.on_date` (a 暂停/请假 that has ended counts as
    在库, one that covers the day does not), and no older than the age limit on that day.
    """
    return (await eligible_pools([context], statuses=statuses))[0]


async def eligible_pools(
    contexts: Sequence[PanelContext], *, statuses: Sequence[str] = ("active",)
) -> list[tuple[list[dict[str, Any]], dict[int, list[Conflict]]]]:
    """`eligible_pool` for many panels on one day (a season plan): the roster and its ties are read
    once, and each panel's 回避 is worked out against them."""
    if not contexts:
        return []
    on = _need_date(contexts[0])
    if any(_need_date(c) != on for c in contexts):
        raise ValueError("eligible_pools: every panel must be checked on the same day")
    wanted = set(statuses)
    stored = wanted | (set(PERIODIC) if "active" in wanted else set())
    rows = await Expert.select(
        Expert.id, Expert.employer, Expert.employer_credit_code, Expert.region, Expert.specialties, Expert.status,
        Expert.status_from,
        Expert.status_until, Expert.birth_year, Expert.id_number,
    ).where(Expert.status.is_in(sorted(stored))).order_by(Expert.id)
    limit = rules().age_limit
    candidates = [
        r for r in rows
        if effective_status(r["status"], r["status_from"], r["status_until"], on) in wanted
        and age_on(r["id_number"], r["birth_year"], on) <= limit
    ]
    ids = [r["id"] for r in candidates]
    employers = [OrgTie(r["id"], "employer", r["employer"], r["employer_credit_code"]) for r in candidates]
    facts = await load_facts(on, ids if len(ids) <= _IN_LIMIT else None, employers=employers)
    canon = OrgCanon(facts.org_links)
    shaped = [
        {"id": r["id"], "org": canon.of(r["employer"])[1] or r["employer"], "region": r["region"],
         "specialties": json.loads(r["specialties"]) if isinstance(r["specialties"], str) else r["specialties"],
         "available": True}
        for r in candidates
    ]
    out = []
    for context in contexts:
        conflicts = engine.find_conflicts(facts, context, expert_ids=ids,
                                          window_years=rules().conflict_window_years)
        out.append(([e for e in shaped if e["id"] not in conflicts], conflicts))
    return out


def _project(value: Any, field: str, errors: dict[str, str]) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    number = plain_int(text, low=0)
    if number is None:
        errors[field] = "须为数字编号"
    return number


async def record_conflict(
    actor: Any,
    *,
    expert_id: int,
    reason: str,
    kind: str = "agency_recorded",
    org_name: str = "",
    credit_code: str = "",
    person_name: str = "",
    project_id: int | str | None = None,
    review_id: int | str | None = None,
) -> int:
    """经办机构记录回避事项 (or 参与需求编制); audited. Returns the record's id."""
    errors: dict[str, str] = {}
    reason, org_name, person_name = reason.strip(), org_name.strip(), person_name.strip()
    code = normalise_credit_code(credit_code)
    if kind not in ("agency_recorded", "drafted_requirements"):
        errors["kind"] = "未知的记录类别"
    if not reason or len(reason) > 300:
        errors["reason"] = "请说明原因（不超过 300 个字符）"
    if len(org_name) > 100:
        errors["org_name"] = "单位名称不超过 100 个字符"
    if len(person_name) > 50:
        errors["person_name"] = "姓名不超过 50 个字符"
    if code and (problem := credit_code_problem(code)):
        errors["credit_code"] = problem
    project, review = _project(project_id, "project_id", errors), _project(review_id, "review_id", errors)
    if kind == "drafted_requirements" and project is None and review is None and "project_id" not in errors:
        errors["project_id"] = "参与需求编制须指明项目或评审编号"
    elif not (org_name or code or person_name or project is not None or review is not None):
        errors.setdefault("org_name", "请至少填写相关单位、统一社会信用代码、人员、项目或评审之一")
    if errors:
        raise ConflictRecordError(errors)
    async with write_tx():
        if not await Expert.exists().where(Expert.id == expert_id):
            raise ConflictRecordError({"expert_id": f"专家 {expert_id} 不存在"})
        row = RecordedConflict(expert=expert_id, kind=kind, org_name=org_name, credit_code=code,
                               person_name=person_name, project_id=project, review_id=review, reason=reason,
                               recorded_by=getattr(actor, "username", "system"))
        await row.save()
        await audit.record(actor=actor, action="conflict.recorded", object_type="expert", object_id=expert_id,
                           new={"record_id": row.id, "kind": kind, "org_name": org_name, "credit_code": code,
                                "person_name": person_name, "project_id": project, "review_id": review,
                                "reason": reason})
    return row.id


async def revoke_conflict(actor: Any, record_id: int, reason: str) -> None:
    reason = reason.strip()
    if not reason or len(reason) > 300:
        raise ConflictRecordError({"revoke_reason": "请说明撤销原因（不超过 300 个字符）"})
    async with write_tx():
        row = await RecordedConflict.select().where(RecordedConflict.id == record_id).first()
        if row is None or not row["active"]:
            raise ConflictRecordError({"record": "该记录不存在或已撤销"})
        await RecordedConflict.update({
            RecordedConflict.active: False, RecordedConflict.revoked_at: dt.datetime.now(dt.UTC),
            RecordedConflict.revoked_by: getattr(actor, "username", "system"),
            RecordedConflict.revoke_reason: reason,
        }).where(RecordedConflict.id == record_id)
        await audit.record(actor=actor, action="conflict.revoked", object_type="expert", object_id=row["expert"],
                           old={"record_id": record_id, "active": True}, new={"active": False, "reason": reason})


async def add_org_link(actor: Any, *, branch_name: str, parent_name: str, branch_credit_code: str = "",
                       parent_credit_code: str = "") -> int:
    """Record that a 分公司 belongs to a 总公司, so 回避 treats them as one unit."""
    errors: dict[str, str] = {}
    branch_name, parent_name = branch_name.strip(), parent_name.strip()
    bc, pc = normalise_credit_code(branch_credit_code), normalise_credit_code(parent_credit_code)
    if not branch_name or len(branch_name) > 100:
        errors["branch_name"] = "请填写分支机构名称（不超过 100 个字符）"
    if not parent_name or len(parent_name) > 100:
        errors["parent_name"] = "请填写总公司名称（不超过 100 个字符）"
    for key, code in (("branch_credit_code", bc), ("parent_credit_code", pc)):
        if code and (problem := credit_code_problem(code)):
            errors[key] = problem
    if not errors and engine.normalise_org_name(branch_name) == engine.normalise_org_name(parent_name):
        errors["parent_name"] = "总公司与分支机构名称相同"
    if errors:
        raise ConflictRecordError(errors)
    async with write_tx():
        row = OrgLink(branch_name=branch_name, parent_name=parent_name, branch_credit_code=bc,
                      parent_credit_code=pc, recorded_by=getattr(actor, "username", "system"))
        await row.save()
        await audit.record(actor=actor, action="conflict.org_linked", object_type="org_link", object_id=row.id,
                           new={"branch_name": branch_name, "parent_name": parent_name, "branch_credit_code": bc,
                                "parent_credit_code": pc})
    return row.id


async def list_records(active_only: bool = True) -> list[dict[str, Any]]:
    query = RecordedConflict.select(RecordedConflict.all_columns(),
                                    RecordedConflict.expert.name.as_alias("expert_name"))
    if active_only:
        query = query.where(RecordedConflict.active.eq(True))
    return await query.order_by(RecordedConflict.id, ascending=False)


async def list_links() -> list[dict[str, Any]]:
    return await OrgLink.select().order_by(OrgLink.id, ascending=False)


async def check_panel(actor: Any, context: PanelContext) -> list[dict[str, Any]]:
    """The explained check for /conflicts/check: conflicted experts with names, reasons and evidence.

    Written to the audit trail with what was checked and who came out conflicted, so a later
    question ("why was X not drawn?") has an answer on record.
    """
    _need_date(context)
    conflicts = await find_conflicts(context)
    people = {}
    if conflicts:
        ids = list(conflicts)
        query = Expert.select(Expert.id, Expert.name, Expert.employer, Expert.status, Expert.region)
        people = {r["id"]: r for r in await _scoped(query, Expert.id, ids) if r["id"] in conflicts}
    result = [{"expert": people.get(i, {"id": i, "name": "?"}), "conflicts": items} for i, items in conflicts.items()]
    async with write_tx():
        await audit.record(actor=actor, action="conflict.checked", object_type="panel_check",
                           object_id=str(context.project_id or context.review_id or "-"), new={
                               "purchaser": context.purchaser_name, "purchaser_credit_code":
                               context.purchaser_credit_code, "on_date": context.on_date.isoformat()
                               if context.on_date else None,
                               "bidders": [{"name": b.name, "credit_code": b.credit_code,
                                            "legal_representative": b.legal_representative, "head": b.head}
                                           for b in context.bidders],
                               "project_id": context.project_id, "review_id": context.review_id,
                               "conflicted": {str(i): [c.code for c in items] for i, items in conflicts.items()},
                           })
    return result
