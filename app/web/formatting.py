"""What a person reads: one formatting layer for every page and every document.

Times are shown in Beijing time (Asia/Shanghai) to the minute or the second, never with
microseconds or an offset; money with thousands separators and two places; every status, code
and action by its Chinese label; the bilingual messages of scoring/ by their Chinese part.
English stays in the API, the bundle and the code.

Pure (no tables, no database): the document renderers in app/exports use it in worker
processes, and the Jinja environment registers the same functions as filters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.audit.labels import ACTION_LABELS, FIELD_LABELS, OBJECT_LABELS
from app.conflicts.engine import CODE_LABELS as CONFLICT_LABELS

try:
    BEIJING: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # a system without tzdata: China keeps UTC+8 all year (no DST since 1991)
    BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")

MINUTE = "%Y-%m-%d %H:%M"
SECOND = "%Y-%m-%d %H:%M:%S"
DASH = "—"


def _instant(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        instant = value
    elif isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    else:
        try:
            instant = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if instant.tzinfo is None:  # the database stores UTC; a naive value is UTC
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(BEIJING)


def beijing(value: Any, fmt: str = MINUTE, *, seconds: bool = False) -> str:
    """2026-11-29 16:32 (Beijing) from a datetime or ISO text (UTC "+00:00", "Z" or naive UTC).

    A bare date stays a date; text that is no time is returned as it was (it is what was recorded).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    instant = _instant(value)
    if instant is None:
        return str(value)
    return instant.strftime(SECOND if seconds else fmt)


def beijing_seconds(value: Any) -> str:
    return beijing(value, seconds=True)


def money(value: Any, places: int = 2) -> str:
    """371,800.00 — thousands separators, two places (元); "" when there is no amount."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount.quantize(Decimal(1).scaleb(-places)):,}"


def points(value: Any) -> str:
    """40, 2.5 — a score or maximum as people write it: no trailing zeros, never 4E+1.

    PostgreSQL's numeric column returns 40.00 where SQLite returns 40; the page must not differ.
    """
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f") if number else "0"


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def chinese_part(message: Any) -> str:
    """The Chinese half of scoring's "中文 / English" messages (the library's output is unchanged)."""
    text = str(message or "")
    start = 0
    while (cut := text.find(" / ", start)) >= 0:
        if not _CJK.search(text[cut + 3:]):
            return text[:cut].rstrip()
        start = cut + 3
    return text


# --- labels --------------------------------------------------------------------------------

REVIEW_KINDS = {"approval": "立项评审", "consultation": "竞争性磋商", "acceptance": "评估验收"}
REVIEW_STATUSES = {"draft": "筹备中", "open": "评审中", "closed": "评分结束", "published": "结果已公布",
                   "terminated": "已终止",
                   # the bundle's own status words (docs/exports.md §5)
                   "preparing": "筹备中", "scoring": "评审中", "signed": "评分结束（已签字）",
                   "finished": "已结束", "terminated_draft": "已终止"}
SEAT_STATES = {"standby": "候补待命", "invited": "已邀请", "accepted": "已接受", "declined": "已谢绝",
               "expired": "超时未答复", "recused": "回避", "removed": "已撤销", "vacant": "空缺"}
SEAT_ROLES = {"member": "评审专家", "alternate": "候补专家", "purchaser_rep": "采购人代表",
              "leader": "组长"}
DRAW_MODES = {"draw": "随机抽取", "balanced": "均衡抽取", "randomized": "随机优化抽取"}
DRAW_STATUSES = {"solved": "已求解",
                 "prepared": "待监督人确认", "confirmed": "已确认", "cancelled": "已取消", "expired": "已超时",
                 "refused": "监督人拒绝"}
# "填写中", not 草稿: 草稿 is the word that marks an unfinished document, never a value inside one
SHEET_STATUSES = {"draft": "填写中", "submitted": "已提交", "returned": "已退回重评"}
FLAGS = {
    "abnormal_low_price": "异常低价",
    "quote_above_max_price": "超过最高限价",
    "tie_unresolved": "并列待小组决定",
    "veto_failed": "否决项成立",
    "below_pass_score": "低于合格分",
    "score_anomaly": "评分畸高畸低",
    "ranks_against_panel": "排序与小组相反",
    "outlier_cells": "离群评分",
}
_OBJECT_TYPES = {"review": "评审", "project": "项目", "expert": "专家", "user": "用户", "agency": "经办机构",
                "panel_draw": "抽取", "panel_seat": "评审席位", "panel_invitation": "邀请",
                "score_sheet": "评分表", "anomaly_note": "畸高畸低说明", "rubric_template": "评分模板",
                "review_export": "导出文件", "season_export": "季度归档", "specialty": "专业分类",
                "conflict": "回避记录", "roster": "专家库", "account": "账号"}
OBJECT_TYPES = {**_OBJECT_TYPES, **OBJECT_LABELS}  # the audit area's names first

#: 通过 / 合格: one table per review kind. 立项 passes or not; 验收 is 合格 or 不合格; 磋商 has no pass mark.
OUTCOME_WORDS: dict[str, tuple[str, str]] = {"approval": ("通过", "不通过"), "acceptance": ("合格", "不合格")}
#: what a veto item (否决项) answered 是 by any member means, per review kind
VETO_CONSEQUENCE = {"acceptance": "验收不合格"}


def outcome(kind: str, passed: Any) -> str:
    """合格 / 不合格 (验收), 通过 / 不通过 (立项); a dash when there is no verdict."""
    if passed is None:
        return DASH
    words = OUTCOME_WORDS.get(kind, ("通过", "不通过"))
    return words[0] if passed else words[1]


def flag_label(flag: str, kind: str = "") -> str:
    if flag == "veto_failed" and kind in VETO_CONSEQUENCE:
        return f"否决项成立，{VETO_CONSEQUENCE[kind]}"
    if flag == "below_pass_score" and kind in OUTCOME_WORDS:
        return f"低于合格分，{OUTCOME_WORDS[kind][1]}"
    return FLAGS.get(flag, flag)


#: 审计操作: the one table of action names is app.audit.labels (a test there fails on an action without one)
ACTIONS: Mapping[str, str] = ACTION_LABELS
DECLARATION_KINDS = {"employment": "工作经历", "relatives": "近亲属", "holdings": "持股及任职"}


ACTORS = {"system": "系统"}  # records the system writes by itself (a deadline passed, a job ran)


def actor_label(actor: str) -> str:
    return ACTORS.get(actor, actor)


def action_label(action: str) -> str:
    """保存评分草稿 for "scoresheet.saved"; an unknown action keeps its code (it is what was stored)."""
    return ACTIONS.get(action, action)


#: Chinese names of the keys the audit trail records (old → new values); unknown keys stay as stored.
FIELDS: dict[str, str] = {
    "status": "状态", "state": "状态", "name": "名称", "title": "标题", "kind": "类型", "version": "版本",
    "criterion_id": "评分因素编号", "max_points": "分值", "group": "分组", "veto": "否决项", "guidance": "评分细则",
    "criteria": "评分因素", "template": "评分模板", "template_id": "评分模板编号",
    "bid_id": "投标编号", "bid": "投标", "supplier_name": "供应商", "final_quote": "最后报价",
    "valid": "是否有效", "invalid_reason": "无效原因", "position": "序号",
    "expert": "专家", "expert_id": "专家编号", "seat": "席位", "seat_id": "席位编号", "seat_no": "席位号",
    "role": "角色", "draw": "抽取", "draw_id": "抽取编号", "seed": "随机种子", "input_sha256": "输入哈希",
    "pool_size": "专家库人数", "pool_sha256": "专家库快照哈希", "members": "正选", "alternates": "候补",
    "number": "次序", "purpose": "用途", "reason": "原因", "note": "说明", "deadline": "答复期限",
    "answered_at": "答复时间", "answer": "答复", "invitation": "邀请", "invitation_id": "邀请编号",
    "scores": "评分", "score_count": "评分条数", "revision": "轮次", "content_sha256": "内容哈希",
    "signed_at": "签名时间", "submitted_at": "提交时间", "sheet": "评分表", "sheet_id": "评分表编号",
    "leader": "组长", "leader_seat": "组长席位", "pass_score": "合格分", "anomaly_threshold": "畸高畸低阈值",
    "price_weight": "价格权值", "price_weight_approved": "价格权值特批", "agree": "同意", "dissent": "不同意见",
    "refused": "拒签", "result_sha256": "结果哈希", "input_hash": "输入哈希", "output_sha256": "输出哈希",
    "outcome": "结果", "balance_payment_due": "尾款应支付", "published_at": "公布时间", "explanation": "书面说明",
    "decision": "结论", "reasons": "理由", "triggers": "触发条件", "received_on": "收到日期", "rank": "名次",
    "order": "排序", "method": "处理方式", "basis": "依据", "value": "分值", "others_mean": "其他专家均值",
    "deviation": "偏差", "criterion": "评分因素", "conflict": "回避", "pledge": "承诺书", "document": "文件",
    "format": "格式", "generated_at": "生成时间", "bundle_sha256": "评审包哈希", "draft": "草稿",
    "location": "评审地点", "scheduled_at": "评审时间", "panel_size": "专家人数", "category": "采购类别",
    "specialties": "专业", "regions": "地区", "requirements": "专业要求", "source": "专家来源",
    "opened_at": "开始时间", "closed_at": "结束时间", "confirmed_at": "确认时间", "operator": "经办人",
    "supervisor": "监督人", "excluded": "回避排除", "replaced_by": "递补专家", "replaces": "替换",
    "end_reason": "结束原因", "checked_in_at": "签到时间", "user_id": "用户编号", "account": "账号",
    "org": "工作单位", "count": "数量", "review_id": "评审编号", "project_id": "项目编号",
}


FIELDS.update({
    "id": "编号", "passed": "是否通过", "price_score": "价格分", "subjective": "主观分", "total": "总分",
    "legal": "法定结果", "signatures": "签字人数", "conflict_text": "回避说明", "technical": "技术分",
    "flags": "标记", "actor": "操作人", "display_name": "姓名", "username": "用户名", "email": "电子邮箱",
    "phone": "电话", "reason_code": "原因", "unanimous": "小组一致认定", "comments": "总体评语",
    "comment": "评语", "objective": "客观分", "subjective_mean": "主观分均值", "bids": "投标",
    "candidates": "成交候选（编号）",
})
FIELDS.update({
    "accept": "其他席位接受的专业", "require": "各专业最低人数", "budget": "预算金额", "code": "编号",
    "key_industry": "重点行业", "purchaser_name": "采购人", "purchaser_credit_code": "采购人统一社会信用代码",
    "excluded_for_conflict": "回避排除人数", "invitation_hours": "答复期限（小时）", "max_per_org": "同单位人数上限",
    "panel_source": "专家来源", "purchaser_reps": "采购人代表人数", "self_selection_approval": "主管预算单位同意文件",
    "warnings": "提示", "operator_id": "经办人", "supervisor_id": "监督人", "size": "人数", "description": "说明",
    "mode": "抽取方式", "load_cap": "每人席位上限", "conflicts": "回避记录数", "gap": "最优差距", "q": "入选概率上限",
    "reviews": "评审", "yearly_cap": "年度席位上限", "plan": "季度计划", "plan_id": "计划编号",
    "is_leader": "组长", "drawn_role": "抽取身份", "credit_code": "统一社会信用代码", "legal_rep": "法定代表人",
})
# Code tables of other areas, copied here because this layer reads no tables (tests/app/test_latin_words.py
# checks each copy against its source, so they cannot drift apart).
ACCOUNT_ROLES = {"admin": "系统管理员", "agency": "经办人", "supervisor": "监督人", "expert": "评审专家",
                 "auditor": "审计"}
CATEGORIES = {"goods": "货物", "services": "服务", "gov_service": "政府购买服务", "research": "科研项目",
              "tech_transfer": "科技成果转化项目"}
PANEL_SOURCES = {"own_library": "本系统专家库抽取", "finance_system": "财政专家库抽取（导入名单）",
                 "self_selected": "自行选定（经主管预算单位同意，本系统抽取）"}
DRAW_PURPOSES = {"initial": "首次抽取", "redraw": "补抽"}
SPECIALTIES = {"policy": "工伤保险政策", "safety": "安全生产", "safety.chemical": "安全生产/危险化学品",
               "safety.mining": "安全生产/矿山", "safety.metallurgy": "安全生产/冶金",
               "safety.construction": "安全生产/建筑施工", "safety.transport": "安全生产/交通运输",
               "safety.machinery": "安全生产/机械制造", "occupational_health": "职业卫生/职业病防治",
               "training": "宣传培训", "finance": "财务审计", "law": "法律"}
#: for keys whose value is a code: the table that names it
_VALUE_TABLES = {"status": REVIEW_STATUSES, "state": SEAT_STATES, "kind": REVIEW_KINDS, "mode": DRAW_MODES,
                 "role": {**SEAT_ROLES, **ACCOUNT_ROLES}, "flags": FLAGS, "category": CATEGORIES,
                 "panel_source": PANEL_SOURCES, "purpose": DRAW_PURPOSES, "accept": SPECIALTIES,
                 "require": SPECIALTIES, "specialties": SPECIALTIES, "drawn_role": SEAT_ROLES}
_ANY_STATUS = {**SEAT_STATES, **DRAW_STATUSES, **SHEET_STATUSES, **REVIEW_STATUSES}
_STATUS_BY_OBJECT = {"score_sheet": SHEET_STATUSES, "panel_draw": DRAW_STATUSES, "panel_seat": SEAT_STATES}


FIELDS.update(FIELD_LABELS)  # the audit area's names win where both name a key


def field_label(key: str) -> str:
    return FIELDS.get(key, key)


def readable_value(value: Any, key: str = "", object_type: str = "") -> str:
    """A recorded value as a person reads it: 是/否 for booleans, 空 for none, codes by their label,
    nested records with Chinese keys. The stored JSON stays in the bundle, byte for byte."""
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        if key in ("require",):  # {specialty code: count}
            return "，".join(f"{SPECIALTIES.get(k, k)} {v} 人" for k, v in value.items()) or "（无）"
        parts = (f"{field_label(k)} {readable_value(v, k, object_type)}" for k, v in value.items())
        return "｛" + "，".join(parts) + "｝"
    if isinstance(value, list):
        return "［" + "、".join(readable_value(v, key, object_type) for v in value) + "］"
    if isinstance(value, str):
        table = _STATUS_BY_OBJECT.get(object_type) if key in ("status", "state") else None
        table = table or _VALUE_TABLES.get(key)
        if table and value in table:
            return table[value]
        if key in ("status", "state") and value in _ANY_STATUS:
            return _ANY_STATUS[value]
        if key in ("reason", "end_reason") and value in SEAT_STATES:
            return SEAT_STATES[value]
        if _ISO_TIME.match(value):
            return beijing(value, seconds=True)
        return f"“{value}”" if value else "（空）"
    return str(value)


_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


LABELS: dict[str, Mapping[str, str]] = {
    "kinds": REVIEW_KINDS,
    "review_statuses": REVIEW_STATUSES,
    "seat_states": SEAT_STATES,
    "seat_roles": SEAT_ROLES,
    "draw_modes": DRAW_MODES,
    "draw_statuses": DRAW_STATUSES,
    "sheet_statuses": SHEET_STATUSES,
    "flags": FLAGS,
    "object_types": OBJECT_TYPES,
    "conflicts": CONFLICT_LABELS,
    "actions": ACTIONS,
    "fields": FIELDS,
}


def label(value: Any, table: str) -> str:
    """The Chinese label of `value` in LABELS[table]; the value itself when it has none."""
    if value is None or value == "":
        return ""
    if table == "actions":
        return action_label(str(value))
    return LABELS[table].get(str(value), str(value))


def register(env: Any) -> None:
    """Make the layer available in every template."""
    env.filters.update({"beijing": beijing, "beijing_seconds": beijing_seconds, "localtime": beijing,
                        "money": money, "points": points, "zh": chinese_part, "label": label,
                        "action_label": action_label,
                        "flag_label": flag_label, "actor_label": actor_label,
                        "conflict_label": lambda c: CONFLICT_LABELS.get(c, c)})
    env.globals.update({"LABELS": LABELS, "outcome": outcome, "OUTCOME_WORDS": OUTCOME_WORDS})
