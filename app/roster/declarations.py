"""The data 回避 needs, declared by the expert or kept by the agency: 工作经历, 近亲属, 持股及任职,
自行申报的回避事项. Rows are added and removed, never edited in place, so no save can
overwrite another; each change is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from piccolo.table import Table

from app.audit import services as audit
from app.conflicts.names import credit_code_problem, normalise_credit_code
from app.db import write_tx
from app.roster.services import RosterError
from app.roster.tables import HOLDING_LABELS, Declaration, Employment, Expert, Holding, Relative
from app.web.parsing import plain_date, plain_int

KINDS: dict[str, type[Table]] = {
    "employment": Employment,
    "relatives": Relative,
    "holdings": Holding,
    "declarations": Declaration,
}
KIND_LABELS = {"employment": "工作经历", "relatives": "近亲属", "holdings": "持股及任职",
               "declarations": "自行申报的回避事项"}
RELATIONS = ("配偶", "父母", "子女", "兄弟姐妹", "祖父母/外祖父母", "孙子女/外孙子女", "叔伯姑舅姨",
             "堂/表兄弟姐妹", "侄子女/外甥子女", "配偶的父母", "配偶的兄弟姐妹", "子女的配偶", "其他近姻亲")
_LIMITS = {"org_name": 100, "credit_code": 18, "position": 50, "relation": 20, "name": 50, "employer": 100,
           "employer_credit_code": 18, "person_name": 50, "reason": 300, "share_percent": 10}


def _date(value: str, field: str, errors: dict[str, str]) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    day = plain_date(value)
    if day is None:
        errors[field] = "日期格式应为 YYYY-MM-DD（1900–2999 年间）"
    return day


def _code(value: str, field: str, errors: dict[str, str]) -> str:
    code = normalise_credit_code(value or "")
    if code and (problem := credit_code_problem(code)):
        errors[field] = problem
    return code


def validate_tie(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Clean values for one row of `kind`; raises RosterError with every problem."""
    if kind not in KINDS:
        raise RosterError({"kind": "未知的申报类别"})
    text = {k: str(data.get(k) or "").strip() for k in _LIMITS}
    errors = {k: f"不超过 {n} 个字符" for k, n in _LIMITS.items() if len(text[k]) > n}
    out: dict[str, Any] = {}
    if kind in ("employment", "holdings", "declarations"):
        out["start_date"] = _date(str(data.get("start_date") or ""), "start_date", errors)
        out["end_date"] = _date(str(data.get("end_date") or ""), "end_date", errors)
        if out["start_date"] and out["end_date"] and out["start_date"] > out["end_date"]:
            errors["end_date"] = "结束日期不能早于开始日期"
    if kind in ("employment", "holdings"):
        out["org_name"] = text["org_name"]
        out["credit_code"] = _code(text["credit_code"], "credit_code", errors)
        if not out["org_name"]:
            errors["org_name"] = "请填写单位名称"
    if kind == "employment":
        out["position"] = text["position"]
    elif kind == "holdings":
        out["kind"] = str(data.get("holding_kind") or data.get("kind_value") or "").strip()
        if out["kind"] not in HOLDING_LABELS:
            errors["holding_kind"] = "请选择类别（董事、监事、控股股东、实际控制人或持股）"
        out["share_percent"] = text["share_percent"]
    elif kind == "relatives":
        out.update(relation=text["relation"], name=text["name"], employer=text["employer"],
                   position=text["position"])
        out["employer_credit_code"] = _code(text["employer_credit_code"], "employer_credit_code", errors)
        if not out["relation"]:
            errors["relation"] = "请填写亲属关系"
        if not out["name"]:
            errors["name"] = "请填写亲属姓名"
    elif kind == "declarations":
        out.update(org_name=text["org_name"], person_name=text["person_name"], reason=text["reason"])
        out["credit_code"] = _code(text["credit_code"], "credit_code", errors)
        project = str(data.get("project_id") or "").strip()
        out["project_id"] = plain_int(project, low=0)
        if project and out["project_id"] is None:
            errors["project_id"] = "项目编号须为数字"
        if not out["reason"]:
            errors["reason"] = "请说明利害关系"
        if not (out["org_name"] or out["credit_code"] or out["person_name"] or out["project_id"]):
            errors["org_name"] = "请至少填写相关单位、统一社会信用代码、人员或项目之一"
    if errors:
        raise RosterError(errors)
    return out


async def add_tie(actor: Any, expert_id: int, kind: str, data: Mapping[str, Any]) -> int:
    values = validate_tie(kind, data)
    table = KINDS[kind]
    async with write_tx():
        if not await Expert.exists().where(Expert.id == expert_id):
            raise RosterError({"expert": "专家不存在"})
        row = table(expert=expert_id, **values)
        await row.save()
        await audit.record(actor=actor, action=f"expert.{kind}_added", object_type="expert", object_id=expert_id,
                           new={"id": row.id, **{k: v.isoformat() if isinstance(v, dt.date) else v
                                                 for k, v in values.items()}})
    return row.id


async def remove_tie(actor: Any, expert_id: int, kind: str, item_id: int) -> None:
    table = KINDS.get(kind)
    if table is None:
        raise RosterError({"kind": "未知的申报类别"})
    async with write_tx():
        row = await table.select().where((table.id == item_id) & (table.expert == expert_id)).first()
        if row is None:
            raise RosterError({"item": "该条记录不存在"})
        await table.delete().where(table.id == item_id)
        old = {k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for k, v in row.items()}
        await audit.record(actor=actor, action=f"expert.{kind}_removed", object_type="expert", object_id=expert_id,
                           old=old)


async def list_ties(expert_id: int) -> dict[str, list[dict[str, Any]]]:
    return {kind: await table.select().where(table.expert == expert_id).order_by(table.id)
            for kind, table in KINDS.items()}
