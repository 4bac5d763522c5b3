"""评审小组组成 — what each regime allows. Pure: no database.

磋商 (财库〔2014〕214号 第14条, regulations §1.2): at least 3 members, odd, 评审专家 at least
2/3 of the members, a 采购人代表 seat; a warning when the budget reaches the 公开招标数额标准
and the panel is under 5 (财政部令第74号 第7条, applied to 磋商 by analogy [L]).
立项/验收 (local rules [L], §0): at least 3 members from the agency's own library; odd advised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

from app.reviews.tables import PanelSource, ReviewKind

#: 公开招标数额标准 for 货物/服务 (国办发〔2019〕41号: 400 万元) — not in regulations.md; check the
#: local 集中采购目录及标准 and set PINGSHEN_PUBLIC_TENDER_THRESHOLD (元) when it differs.
DEFAULT_PUBLIC_TENDER_THRESHOLD = Decimal("4000000")


def public_tender_threshold() -> Decimal:
    value = os.environ.get("PINGSHEN_PUBLIC_TENDER_THRESHOLD", "").strip()
    return Decimal(value) if value else DEFAULT_PUBLIC_TENDER_THRESHOLD


@dataclass
class Composition:
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def experts_needed(panel_size: int, purchaser_reps: int) -> int:
    return panel_size - purchaser_reps


def check_composition(
    *, kind: str, panel_source: str, panel_size: int, purchaser_reps: int, budget: Decimal,
    require: dict[str, int] | None = None, threshold: Decimal | None = None,
) -> Composition:
    """Every rule the regime imposes on the panel's shape; errors keyed by form field."""
    result = Composition()
    threshold = public_tender_threshold() if threshold is None else threshold
    experts = experts_needed(panel_size, purchaser_reps)
    if purchaser_reps < 0:
        result.errors["purchaser_reps"] = "采购人代表人数不能为负数"
    if kind == ReviewKind.CONSULTATION.value:
        if panel_size < 3 or panel_size % 2 == 0:
            result.errors["panel_size"] = (
                f"磋商小组成员须为 3 人以上的单数（财库〔2014〕214号 第十四条），当前为 {panel_size} 人")
        if purchaser_reps < 1:
            result.errors["purchaser_reps"] = "磋商小组须设 1 名以上采购人代表席位"
        elif experts * 3 < panel_size * 2:
            least = -(-panel_size * 2 // 3)
            result.errors["purchaser_reps"] = (
                f"评审专家不得少于成员总数的三分之二：{panel_size} 人的小组至少需 {least} 名专家，"
                f"当前只有 {experts} 名（采购人代表 {purchaser_reps} 名）")
        if panel_source == PanelSource.OWN_LIBRARY.value:
            result.errors["panel_source"] = (
                "竞争性磋商的评审专家须从财政政府采购评审专家库随机抽取（导入名单），"
                "或经主管预算单位同意自行选定后由本系统抽取")
        if budget >= threshold and panel_size < 5:
            result.warnings.append(
                f"预算 {budget:,.2f} 元已达公开招标数额标准（{threshold:,.0f} 元），"
                f"按财政部令第74号 第七条的做法，小组宜为 5 人以上（当前 {panel_size} 人）")
    else:
        if panel_size < 3:
            result.errors["panel_size"] = f"评审小组至少 3 人，当前为 {panel_size} 人"
        elif panel_size % 2 == 0:
            result.warnings.append(f"小组为 {panel_size} 人（双数），表决时可能出现票数相同，建议单数")
        if experts < 1 and "purchaser_reps" not in result.errors:
            result.errors["purchaser_reps"] = "小组中至少要有 1 名评审专家"
        if panel_source != PanelSource.OWN_LIBRARY.value:
            result.errors["panel_source"] = "立项评审和评估验收的专家从本系统专家库抽取"
    total_required = sum((require or {}).values())
    if total_required > max(experts, 0):
        result.errors["require"] = f"各专业最低人数合计 {total_required} 人，超过专家席位数 {experts} 人"
    return result
