"""专家库 — reading, creating, editing experts, and their status, with history and audit."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from app.audit import services as audit
from app.audit.services import SYSTEM
from app.db import is_sqlite, write_tx
from app.roster.config import rules
from app.roster.idcard import mask_id_number, mask_phone
from app.roster.specialties import SpecialtyTree, load_tree
from app.roster.status import PERIODIC, TRANSITIONS, day_start, effective_status, today
from app.roster.tables import STATUS_LABELS, Expert, ExpertStatusChange, PerformanceRecord, ProfileChange
from app.roster.validation import validate_expert
from app.web.parsing import plain_int

#: Roles that see full ID and phone numbers: those who keep the roster and contact experts.
FULL_PERSONAL_DATA = frozenset({"admin", "agency"})
EDITABLE = ("name", "id_number", "gender", "birth_year", "phone", "email", "employer", "employer_credit_code",
            "title", "level", "years_in_field", "region", "county", "specialties", "notes", "name_initials")
#: What an expert may change in their own profile (specialties are vetted by the agency, 198号文 第8条).
SELF_EDITABLE = ("phone", "email", "employer", "employer_credit_code", "title", "level", "years_in_field", "county")
#: Changes the agency reviews (198号文 第10条: employer and title changes must be reported).
REVIEWED_FIELDS = ("employer", "employer_credit_code", "title", "level")
STALE = "该专家资料已被他人修改（您编辑的是第 {mine} 版，当前为第 {theirs} 版）。请刷新页面，核对后重新保存。"


class RosterError(ValueError):
    """A user-facing problem; `errors` maps field → Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StaleVersion(RosterError):
    """Someone else saved this expert since the form was opened (optimistic locking)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _masked(field: str, value: Any) -> Any:
    # The audit trail is read by auditors and supervisors: it keeps personal numbers masked.
    if field == "id_number":
        return mask_id_number(str(value))
    if field == "phone":
        return mask_phone(str(value))
    return value


def _specialties(value: Any) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


@dataclass
class ExpertFilter:
    q: str = ""
    specialty: str = ""
    region: str = ""
    status: str = ""
    title: str = ""
    level: str = ""
    employer: str = ""
    sort: str = ""
    """Column to sort the list by ("name", "-name" for descending, ...; "" = by 编号)."""

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


#: 专家库 list sorting: a column heading's key → the columns it orders by. Names sort by their
#: pinyin initials (a Chinese name's code points are not in pinyin order), then by the name.
SORT_COLUMNS: dict[str, tuple[Any, ...]] = {
    "id": (), "name": (Expert.name_initials, Expert.name), "gender": (Expert.gender,),
    "employer": (Expert.employer,), "title": (Expert.level, Expert.title), "region": (Expert.region, Expert.county),
    "status": (Expert.status,),
}


def _like(value: str) -> str:
    return "%" + value.replace("%", "").replace("_", "").strip() + "%"


def _contains(column: Any, value: str) -> Any:
    # SQLite's LIKE already ignores ASCII case (and Piccolo warns on ILIKE there); PostgreSQL needs ILIKE.
    return column.like(_like(value)) if is_sqlite() else column.ilike(_like(value))


def _apply(query: Any, f: ExpertFilter, tree: SpecialtyTree) -> Any:
    if q := f.q.strip():
        if q.isascii() and q.replace(" ", "").isalpha():
            letters = q.replace(" ", "").lower()
            query = query.where(Expert.name_initials.like(letters + "%") | _contains(Expert.name, q))
        else:
            query = query.where(_contains(Expert.name, q) | _contains(Expert.employer, q))
    if f.specialty:
        column = "specialties" if is_sqlite() else "specialties::text"
        codes = sorted(tree.with_descendants(f.specialty))
        sql = " OR ".join(f"{column} LIKE {{}}" for _ in codes)
        query = query.where(WhereRaw(f"({sql})", *[f'%"{c}"%' for c in codes]))
    if f.region:
        query = query.where(Expert.region == f.region)
    if f.status:
        query = query.where(Expert.status == f.status)
    if f.title:
        query = query.where(_contains(Expert.title, f.title))
    if f.level:
        query = query.where(Expert.level == f.level)
    if f.employer:
        query = query.where(_contains(Expert.employer, f.employer))
    return query


LIST_COLUMNS = (Expert.id, Expert.name, Expert.gender, Expert.birth_year, Expert.id_number, Expert.phone,
                Expert.email, Expert.employer, Expert.employer_credit_code, Expert.title, Expert.level,
                Expert.years_in_field, Expert.region, Expert.county, Expert.specialties, Expert.status,
                Expert.status_from, Expert.status_until, Expert.status_reason, Expert.notes, Expert.version)


def present(row: dict[str, Any], tree: SpecialtyTree, *, role: str, own: bool = False,
            on: dt.date | None = None) -> dict[str, Any]:
    """A row for pages and the API: specialties named, status effective, personal data masked by role."""
    out = dict(row)
    out["specialties"] = _specialties(row.get("specialties"))
    out["specialty_labels"] = [tree.label(c) for c in out["specialties"]]
    status = effective_status(row["status"], row.get("status_from"), row.get("status_until"), on or today())
    out["status"] = status
    out["status_label"] = STATUS_LABELS.get(status, status)
    if not (own or role in FULL_PERSONAL_DATA):
        out["id_number"] = mask_id_number(row.get("id_number", ""))
        out["phone"] = mask_phone(row.get("phone", ""))
        out["email"] = ("***@" + row["email"].split("@")[-1]) if row.get("email") else ""
    return out


async def list_experts(f: ExpertFilter, *, page: int = 1, page_size: int | None = None,
                       tree: SpecialtyTree | None = None) -> tuple[list[dict[str, Any]], int]:
    tree = tree or await load_tree()
    # 0 means every row (the export); only None means the page size of the list.
    size = rules().page_size if page_size is None else page_size
    total = await _apply(Expert.count(), f, tree)
    query = _apply(Expert.select(*LIST_COLUMNS), f, tree)
    key = f.sort.lstrip("-")
    ascending = not f.sort.startswith("-")
    for column in SORT_COLUMNS.get(key, ()):
        query = query.order_by(column, ascending=ascending)
    query = query.order_by(Expert.id, ascending=ascending or key not in SORT_COLUMNS)
    if size > 0:
        query = query.limit(size).offset(max(page - 1, 0) * size)
    return await query, total


async def get_expert(expert_id: int) -> dict[str, Any] | None:
    return await Expert.select(*LIST_COLUMNS, Expert.user, Expert.created_at, Expert.updated_at).where(
        Expert.id == expert_id).first()


async def expert_of_user(user_id: int) -> dict[str, Any] | None:
    return await Expert.select(*LIST_COLUMNS, Expert.user).where(Expert.user == user_id).first()


async def _check_unique_id(id_number: str, exclude: int | None = None) -> None:
    query = Expert.select(Expert.id, Expert.name).where(Expert.id_number == id_number)
    if exclude is not None:
        query = query.where(Expert.id != exclude)
    if other := await query.first():
        raise RosterError({"id_number": f"身份证号码已被专家“{other['name']}”（编号 {other['id']}）使用"})


async def create_expert(actor: Any, data: dict[str, Any]) -> int:
    tree = await load_tree()
    clean, errors = validate_expert(data, tree, rules(), today=today(), with_status=True)
    if errors:
        raise RosterError(errors)
    async with write_tx():
        await _check_unique_id(clean["id_number"])
        expert = Expert(**clean)
        await expert.save()
        await audit.record(actor=actor, action="expert.created", object_type="expert", object_id=expert.id,
                           new={k: _masked(k, v) for k, v in clean.items()})
        await ExpertStatusChange.insert(ExpertStatusChange(
            expert=expert.id, old_status="", new_status=clean["status"], reason="新建",
            actor=getattr(actor, "username", "system")))
    return expert.id


async def _save_changes(actor: Any, expert_id: int, version: int, changes: dict[str, Any],
                        action: str) -> dict[str, Any]:
    """Write changed fields if `version` is still current; returns {field: (old, new)}. Call inside write_tx."""
    current = await Expert.select(*LIST_COLUMNS).where(Expert.id == expert_id).first()
    if current is None:
        raise RosterError({"expert": "专家不存在"})
    if current["version"] != version:
        raise StaleVersion({"version": STALE.format(mine=version, theirs=current["version"])})
    diff = {}
    for key, value in changes.items():
        old = _specialties(current[key]) if key == "specialties" else current.get(key)
        if key in current and old != value:
            diff[key] = (old, value)
    if not diff:
        return {}
    values = {getattr(Expert, k): v for k, (_, v) in diff.items()}
    values[Expert.version] = version + 1
    values[Expert.updated_at] = _now()
    # The version in the WHERE clause is what refuses a concurrent second save on PostgreSQL too.
    done = await Expert.update(values).where((Expert.id == expert_id) & (Expert.version == version)).returning(
        Expert.id)
    if not done:
        raise StaleVersion({"version": STALE.format(mine=version, theirs=version + 1)})
    await audit.record(actor=actor, action=action, object_type="expert", object_id=expert_id,
                       old={k: _masked(k, o) for k, (o, _) in diff.items()} | {"version": version},
                       new={k: _masked(k, n) for k, (_, n) in diff.items()} | {"version": version + 1})
    return diff


async def update_expert(actor: Any, expert_id: int, version: int, data: dict[str, Any]) -> dict[str, Any]:
    tree = await load_tree()
    clean, errors = validate_expert(data, tree, rules(), today=today())
    if errors:
        raise RosterError(errors)
    async with write_tx():
        await _check_unique_id(clean["id_number"], exclude=expert_id)
        return await _save_changes(actor, expert_id, version, {k: clean[k] for k in EDITABLE if k in clean},
                                   "expert.updated")


async def update_own_profile(user: Any, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """An expert edits their own profile; employer and title changes are queued for agency review."""
    current = await expert_of_user(user.id)
    if current is None:
        raise RosterError({"expert": "您的账户尚未关联专家档案，请联系经办机构"})
    merged = present(current, await load_tree(), role="expert", own=True)
    merged.update({k: data.get(k, merged[k]) for k in SELF_EDITABLE})
    clean, errors = validate_expert(merged, await load_tree(), rules(), today=today())
    errors = {k: v for k, v in errors.items() if k in SELF_EDITABLE}
    if errors:
        raise RosterError(errors)
    async with write_tx():
        diff = await _save_changes(user, current["id"], version, {k: clean[k] for k in SELF_EDITABLE},
                                   "expert.self_updated")
        reviewed = [ProfileChange(expert=current["id"], field=k, old_value=str(o), new_value=str(n))
                    for k, (o, n) in diff.items() if k in REVIEWED_FIELDS]
        if reviewed:
            await ProfileChange.insert(*reviewed)
    return diff


async def pending_changes() -> list[dict[str, Any]]:
    return await ProfileChange.select(
        ProfileChange.all_columns(), ProfileChange.expert.name.as_alias("expert_name"),
    ).where(ProfileChange.reviewed_at.is_null()).order_by(ProfileChange.id)


async def acknowledge_change(actor: Any, change_id: int) -> None:
    async with write_tx():
        change = await ProfileChange.select().where(ProfileChange.id == change_id).first()
        if change is None or change["reviewed_at"] is not None:
            raise RosterError({"change": "该变更不存在或已核对"})
        await ProfileChange.update({ProfileChange.reviewed_at: _now(), ProfileChange.reviewed_by: actor.username}
                                   ).where(ProfileChange.id == change_id)
        await audit.record(actor=actor, action="expert.change_reviewed", object_type="expert",
                           object_id=change["expert"], new={"change_id": change_id, "field": change["field"],
                                                            "value": change["new_value"]})


async def change_status(actor: Any, expert_id: int, version: int, new_status: str, reason: str,
                        start: dt.date | None = None, end: dt.date | None = None) -> None:
    """申请 → 在库; 暂停 until an end date; 请假 for a period; 出库 with a reason — each with history."""
    reason = reason.strip()
    current = await get_expert(expert_id)
    if current is None:
        raise RosterError({"expert": "专家不存在"})
    old = effective_status(current["status"], current["status_from"], current["status_until"], today())
    errors: dict[str, str] = {}
    if new_status not in TRANSITIONS.get(old, ()):
        allowed = "、".join(STATUS_LABELS[s] for s in TRANSITIONS.get(old, ()))
        errors["status"] = f"当前状态为“{STATUS_LABELS.get(old, old)}”，只能改为：{allowed or '（无）'}"
    if not reason or len(reason) > 200:
        errors["reason"] = "请填写原因（不超过 200 个字符）"
    status_from = status_until = None
    if new_status in PERIODIC and "status" not in errors:
        if end is None:
            errors["end"] = "请填写结束日期"
        elif end < today():
            errors["end"] = "结束日期不能早于今天"
        if new_status == "leave":
            start = start or today()
            if end is not None and start > end:
                errors["start"] = "开始日期不能晚于结束日期"
            status_from = day_start(start)
        if end is not None:
            status_until = day_start(end + dt.timedelta(days=1))
    if errors:
        raise RosterError(errors)
    async with write_tx():
        await _save_changes(actor, expert_id, version, {"status": new_status, "status_from": status_from,
                                                        "status_until": status_until, "status_reason": reason},
                            "expert.status_changed")
        await ExpertStatusChange.insert(ExpertStatusChange(
            expert=expert_id, old_status=old, new_status=new_status, reason=reason, starts_at=status_from,
            ends_at=status_until, actor=getattr(actor, "username", "system")))


async def restore_expired(now: dt.datetime | None = None) -> int:
    """暂停/请假 periods that have ended: back to 在库, with history and an audit record each."""
    now = now or _now()
    due = await Expert.select(Expert.id, Expert.status, Expert.status_until, Expert.version).where(
        Expert.status.is_in(list(PERIODIC)) & Expert.status_until.is_not_null() & (Expert.status_until <= now))
    for row in due:
        async with write_tx():
            done = await Expert.update({
                Expert.status: "active", Expert.status_from: None, Expert.status_until: None,
                Expert.status_reason: "期满自动恢复", Expert.version: row["version"] + 1, Expert.updated_at: now,
            }).where((Expert.id == row["id"]) & (Expert.version == row["version"])).returning(Expert.id)
            if not done:
                continue  # someone changed it meanwhile; their change stands
            await ExpertStatusChange.insert(ExpertStatusChange(
                expert=row["id"], old_status=row["status"], new_status="active", reason="期满自动恢复",
                actor="system", automatic=True))
            await audit.record(actor=SYSTEM, action="expert.status_restored", object_type="expert",
                               object_id=row["id"], old={"status": row["status"], "version": row["version"]},
                               new={"status": "active", "version": row["version"] + 1}, now=now)
    return len(due)


async def status_history(expert_id: int) -> list[dict[str, Any]]:
    return await ExpertStatusChange.select().where(ExpertStatusChange.expert == expert_id).order_by(
        ExpertStatusChange.id, ascending=False)


async def change_history(expert_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """编辑记录 — the audit trail's records about this expert, newest first."""
    rows = await audit.list_records(object_type="expert", object_id=str(expert_id), limit=limit)
    for row in rows:
        row["old"] = json.loads(row["old_values"])
        row["new"] = json.loads(row["new_values"])
    return rows


async def add_performance(actor: Any, expert_id: int, *, project: str, score: str, comment: str,
                          recorded_on: dt.date | None = None, review_id: int | None = None) -> None:
    """履职评价 (198号文 第21条): 0–100 for one review."""
    errors: dict[str, str] = {}
    project, comment = project.strip(), comment.strip()
    if not project or len(project) > 200:
        errors["project"] = "请填写项目名称（不超过 200 个字符）"
    value = plain_int(score.strip(), low=0, high=100)
    if value is None:
        errors["score"] = "评价分须为 0–100 的整数"
        value = 0
    if len(comment) > 1000:
        errors["comment"] = "评价意见不超过 1000 个字符"
    if errors:
        raise RosterError(errors)
    async with write_tx():
        if not await Expert.exists().where(Expert.id == expert_id):
            raise RosterError({"expert": "专家不存在"})
        record = PerformanceRecord(expert=expert_id, project=project, score=value, comment=comment,
                                   recorded_on=recorded_on or today(), recorded_by=actor.username,
                                   review_id=review_id)
        await record.save()
        await audit.record(actor=actor, action="expert.performance_recorded", object_type="expert",
                           object_id=expert_id, new={"project": project, "score": value, "record_id": record.id})


async def performance(expert_id: int) -> list[dict[str, Any]]:
    return await PerformanceRecord.select().where(PerformanceRecord.expert == expert_id).order_by(
        PerformanceRecord.recorded_on, ascending=False)


async def regions() -> list[str]:
    rows = await Expert.select(Expert.region).distinct().order_by(Expert.region)
    return [r["region"] for r in rows]
