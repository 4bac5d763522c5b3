"""抽取记录, 签到表/承诺书 and the review's audit trail."""

from __future__ import annotations

import json
from typing import Any

from app.web.formatting import (
    ACTORS,
    DRAW_MODES,
    OBJECT_TYPES,
    SEAT_STATES,
    action_label,
    field_label,
    readable_value,
)

from .model import Block, Document, Fields, Grid, Heading, Part, Text
from .view import DASH, View, text, when


def _conditions(panel: dict[str, Any], draw_input: dict[str, Any], specialty: Any) -> str:
    bits = [f"正选 {panel.get('size')} 人，候补 {panel.get('alternates', 2)} 人"]
    if panel.get("require"):
        bits.append("必须专业：" + "、".join(f"{specialty(k)} ≥{n}" for k, n in panel["require"].items()))
    if panel.get("accept"):
        bits.append("可选专业：" + "、".join(specialty(k) for k in panel["accept"]))
    if panel.get("regions"):
        bits.append("地区：" + "、".join(panel["regions"]))
    if panel.get("exclude_orgs"):
        bits.append(f"回避单位 {len(panel['exclude_orgs'])} 个：" + "、".join(panel["exclude_orgs"]))
    bits.append(f"同一单位至多 {draw_input.get('rules', {}).get('max_per_org', 1)} 人")
    return "；".join(bits)


def draw_record(v: View) -> Document:
    """抽取记录 — who drew, under whose supervision, from what pool, with which seed, and the result."""
    parts = []
    for draw in v.raw.get("draws", []):
        inp, out = draw["input"], draw["output"]
        experts = {str(e["id"]): e for e in inp.get("experts", [])}
        conflicts = inp.get("conflicts", [])
        # the drawn experts' names (declined members and alternates too), then the sitting panel's
        names = {**{str(k): str(n) for k, n in (draw.get("names") or {}).items()}, **v.names}
        labels = draw.get("specialty_names") or {}

        def specialty(code: Any, labels: dict[str, str] = labels) -> str:
            return str(labels.get(str(code), code))

        def name(expert: Any, names: dict[str, str] = names) -> str:
            return names.get(str(expert)) or str(expert)

        mode = str(inp.get("mode", "draw"))
        blocks: list[Block] = [Heading(f"专家抽取记录 — 第 {draw.get('number', draw['id'])} 次抽取"), Fields(v.fields(
            3, ("抽取时间（确认）", when(draw.get("confirmed_at"))), ("经办人", text(draw.get("operator"))),
            ("监督人", text(draw.get("supervisor"))), ("抽取条件", text(draw.get("conditions"))),
            ("抽取方式", DRAW_MODES.get(mode, mode)), ("专家库人数", str(len(experts))),
            ("回避记录", f"{len(conflicts)} 条"), ("随机种子", str(draw.get("seed"))),
            ("专家库输入哈希（SHA-256）", text(out.get("input_sha256")))))]
        specs = {str(p["id"]): p for p in inp.get("panels", [])}
        panels = out.get("panels", [])
        for n, panel in enumerate(panels, 1):
            pid = str(panel["id"])
            blocks += [Heading("评审组" if len(panels) == 1 else f"评审组 {n}", 2),
                       Text("条件：" + _conditions(specs.get(pid, {}), inp, specialty))]
            seats = [("正选", e) for e in panel.get("members", [])] + [("候补", e) for e in panel.get("alternates", [])]
            counts: dict[str, int] = {}
            rows = []
            for role, e in seats:
                counts[role] = counts.get(role, 0) + 1
                info = experts.get(str(e), {})
                rows.append([f"{role} {counts[role]}", str(e), name(e), text(info.get("org")),
                             "、".join(specialty(c) for c in info.get("specialties", []))])
            blocks.append(Grid(["席位", "专家编号", "姓名", "工作单位", "专业"], rows, widths=[0.8, 1.2, 1, 2, 3]))
        reps = draw.get("replacements", [])
        blocks.append(Heading("替换记录", 2))
        blocks.append(Grid(["时间", "原专家", "递补专家", "原因", "经办人"], [
            [when(r.get("at")), name(r["expert"]),
             name(r["replacement"]) if r.get("replacement") is not None else "（未递补）",
             SEAT_STATES.get(str(r["reason"]), str(r["reason"])), text(r.get("by"))] for r in reps],
            widths=[1.5, 1.5, 1.5, 3, 1]) if reps else Text("无替换。"))
        blocks.append(Text("复核方法：用评审包中的抽取输入与随机种子重放抽取（审计人员使用说明中的“复核评审包”），"
                           "结果应与本记录完全一致。"))
        blocks.append(Text("经办人签名：______________    监督人签名：______________"))
        parts.append(Part(str(draw["id"])[:31], blocks))
    if not parts:
        none = Text("本评审没有抽取记录（例如采购人自行选定专家）。")
        parts.append(Part("抽取记录", [Heading("专家抽取记录"), none]))
    return Document("抽取记录", "专家抽取记录", parts, v.footer, v.draft)


def sign_in(v: View) -> Document:
    """签到表 and 承诺书 list — who was present and who signed the 承诺书, with the times."""
    rows = [[str(i), m.get("name", ""), str(m["expert"]), text(m.get("org")), text(m.get("role")),
             when(m.get("checked_in_at")), when(m.get("pledge_signed_at")), ""]
            for i, m in enumerate(v.raw.get("panel", []), 1)]
    blocks: list[Block] = [
        Heading("评审专家签到表及承诺书签署情况"),
        Fields(v.fields(3, ("评审地点", text(v.review.get("place"))), ("开始时间", when(v.review.get("started_at"))))),
        Grid(["序号", "姓名", "专家编号", "工作单位", "角色", "签到时间", "承诺书签署时间", "本人签名"], rows or
             [[DASH] * 7 + [""]], widths=[0.4, 1, 1, 2, 0.6, 1.6, 1.6, 1.2]),
        Text("承诺书：本人承诺独立、客观、公正评审，与参加评审的供应商不存在利害关系，遵守保密规定。"),
    ]
    return Document("签到表及承诺书", "签到表及承诺书", [Part("签到表", blocks)], v.footer, v.draft, landscape=True)


def _changes(old_text: str, new_text: str, object_type: str = "") -> str:
    """old → new per key, the key by its Chinese name and each value as a person reads it (codes by
    their labels); the values exactly as stored are in the bundle."""
    try:
        old, new = json.loads(old_text or "{}"), json.loads(new_text or "{}")
    except ValueError:
        return f"{old_text} → {new_text}"
    if not isinstance(old, dict) or not isinstance(new, dict):
        return f"{old_text} → {new_text}"
    lines = []
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) != new.get(key):
            a = readable_value(old[key], key, object_type) if key in old else "（无）"
            b = readable_value(new[key], key, object_type) if key in new else "（删除）"
            lines.append(f"{field_label(key)}：{a} → {b}")
    return "\n".join(lines) or "（无变化）"


def audit_trail(v: View) -> Document:
    rows = [[str(r["seq"]), when(r["created_at"]), ACTORS.get(r["actor"], r["actor"]), action_label(r["action"]),
             f"{OBJECT_TYPES.get(r['object_type'], r['object_type'])} {r['object_id']}",
             _changes(r["old_values"], r["new_values"], r["object_type"]), r["hash"][:16]]
            for r in v.raw.get("audit_records", [])]
    blocks: list[Block] = [
        Heading("评审审计记录"), Fields(v.fields(3, ("记录条数", str(len(rows))))),
        Grid(["序号", "时间", "操作人", "操作", "对象", "变更（原值 → 新值）", "哈希（前16位）"], rows or [[DASH] * 7],
             widths=[0.6, 1.7, 0.9, 1.7, 1.3, 4, 1.4], numeric=frozenset({0})),
        Text("本表只含本评审的记录（全局哈希链的一部分），原值和新值的原始记录及完整哈希在评审包中，"
             "可用“复核评审包”命令核对（见审计人员使用说明）。"),
    ]
    return Document("审计记录", "评审审计记录", [Part("审计记录", blocks)], v.footer, v.draft, landscape=True)
