"""评分标准 — reusable templates (评分模板) and a review's criteria (评分因素)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.tables import AGENCY_ROLES
from app.audit import services as audit
from app.db import write_tx
from app.reviews import parsing
from app.reviews.parsing import ReviewError
from app.reviews.services import _agency_id, get_review
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import (
    KIND_LABELS,
    Criterion,
    CriterionGroup,
    CriterionKind,
    Review,
    ReviewKind,
    RubricTemplate,
)

GROUP_LABELS = {CriterionGroup.TECHNICAL.value: "技术", CriterionGroup.BUSINESS.value: "商务"}
CRITERION_KIND_LABELS = {CriterionKind.OBJECTIVE.value: "客观", CriterionKind.SUBJECTIVE.value: "主观"}
_GROUPS = {"技术": "technical", "商务": "business", "technical": "technical", "business": "business"}
_KINDS = {"客观": "objective", "主观": "subjective", "objective": "objective", "subjective": "subjective"}


@dataclass
class CriterionInput:
    name: str = ""
    max_points: str = ""
    group: str = "technical"
    kind: str = "subjective"
    veto: str = ""
    guidance: str = ""


def is_veto_question(criterion: Any) -> bool:
    """否决项 — a 是/否 question with no points (max_points 0). A veto row with points is an old one
    (before veto questions): it is still scored as points, and any 0 fails the project."""
    get = criterion.get if isinstance(criterion, dict) else lambda key: getattr(criterion, key)
    return bool(get("veto")) and Decimal(str(get("max_points") or 0)) == 0


def clean_criterion(data: CriterionInput, review_kind: str, errors: dict[str, str], prefix: str = "") -> dict[str, Any]:
    veto = data.veto.strip().lower() in {"1", "on", "true", "yes", "是", "否决"}
    name = parsing.text(data.name, "name", f"{prefix}否决情形" if veto else f"{prefix}评分因素名称", errors,
                        max_len=200)
    if veto:
        # a yes/no question: it carries no points, so a typed 分值 would only mislead the totals
        points: Decimal | None = Decimal("0")
        if data.max_points.strip():
            errors["max_points"] = f"{prefix}否决项是“是/否”问题，不计分：分值请留空"
    else:
        points = parsing.money(data.max_points, "max_points", f"{prefix}分值", errors)
        if points is not None and not Decimal("0") < points <= Decimal("100"):
            errors["max_points"] = f"{prefix}分值须大于 0 且不超过 100"
    group = _GROUPS.get(data.group.strip())
    kind = _KINDS.get(data.kind.strip())
    if group is None:
        errors["group"] = f"{prefix}分组须为技术或商务"
    if kind is None:
        errors["kind"] = f"{prefix}类型须为客观或主观"
    if veto:
        kind = "subjective"  # each member answers for himself: any 是 decides (no agreement demanded)
    if veto and review_kind != ReviewKind.ACCEPTANCE.value:
        errors["veto"] = f"{prefix}否决项只用于评估验收"
    guidance = parsing.text(data.guidance, "guidance", f"{prefix}评分细则", errors, max_len=2000, required=False)
    return {"name": name, "max_points": str(points) if points is not None else "", "group": group or "technical",
            "kind": kind or "subjective", "veto": veto, "guidance": guidance}


def rubric_summary(review: Review, criteria: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals and whether they add up to 100 with the price weight (磋商)."""
    total = sum((Decimal(str(c["max_points"])) for c in criteria), Decimal("0"))
    price = (review.price_weight or Decimal("0")) * 100 if review.kind == ReviewKind.CONSULTATION.value else Decimal(0)
    expected = Decimal("100") - price
    message = "" if total == expected or not criteria else (
        f"评分因素合计 {total:g} 分，应为 {expected:g} 分" + (f"（价格分占 {price:g} 分）" if price else ""))
    return {"total": total, "price_points": price, "expected": expected, "message": message}


async def list_criteria(review_id: int) -> list[dict[str, Any]]:
    return await Criterion.select().where(Criterion.review == review_id).order_by(Criterion.position)


async def _editable(review: Review) -> None:
    await precheck(review, Change.RUBRIC)


async def add_criterion(actor: Any, review_id: int, data: CriterionInput) -> int:
    review = await get_review(actor, review_id)
    await _editable(review)
    errors: dict[str, str] = {}
    row = clean_criterion(data, review.kind, errors)
    if errors:
        raise ReviewError(errors)
    async with write_tx():
        await ensure_may_change(review.id, Change.RUBRIC)
        last = await Criterion.select(Criterion.position).where(Criterion.review == review.id).order_by(
            Criterion.position, ascending=False).first()
        criterion = Criterion(review=review.id, position=(last["position"] + 1) if last else 1,
                              **{**row, "max_points": Decimal(row["max_points"])})
        await criterion.save()
        await audit.record(actor=actor, action="review.criterion_added", object_type="review", object_id=review.id,
                           agency_id=review.agency, new={"criterion_id": criterion.id, **row})
    return criterion.id


async def delete_criterion(actor: Any, review_id: int, criterion_id: int) -> None:
    review = await get_review(actor, review_id)
    await _editable(review)
    row = await Criterion.select().where((Criterion.id == criterion_id) & (Criterion.review == review.id)).first()
    if row is None:
        raise NotFoundException("评分因素不存在")
    async with write_tx():
        await ensure_may_change(review.id, Change.RUBRIC)
        await Criterion.delete().where(Criterion.id == criterion_id)
        await audit.record(actor=actor, action="review.criterion_deleted", object_type="review",
                           object_id=review.id, agency_id=review.agency,
                           old={"criterion_id": criterion_id, "name": row["name"],
                                "max_points": str(row["max_points"])})


async def list_templates(user: Any, kind: str | None = None) -> list[dict[str, Any]]:
    query = RubricTemplate.select().order_by(RubricTemplate.kind).order_by(RubricTemplate.id)
    if user.role in AGENCY_ROLES:
        query = query.where((RubricTemplate.agency.is_null()) | (RubricTemplate.agency == _agency_id(user)))
    if kind:
        query = query.where(RubricTemplate.kind == kind)
    rows = await query.output(load_json=True)
    return rows


def parse_template_lines(text: str, review_kind: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """One criterion a line: 名称|分值|技术或商务|客观或主观|否决(可空)|评分细则."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")] + [""] * 6
        line_errors: dict[str, str] = {}
        row = clean_criterion(CriterionInput(name=parts[0], max_points=parts[1], group=parts[2] or "技术",
                                             kind=parts[3] or "主观", veto=parts[4], guidance=parts[5]),
                              review_kind, line_errors, prefix=f"第 {number} 行：")
        if line_errors:
            errors["criteria"] = "；".join(line_errors.values())
            return []
        rows.append(row)
    if not rows and "criteria" not in errors:
        errors["criteria"] = "模板至少要有一条评分因素"
    return rows


async def create_template(actor: Any, *, kind: str, name: str, description: str, criteria_text: str,
                          shared: bool = False) -> RubricTemplate:
    errors: dict[str, str] = {}
    if kind not in KIND_LABELS:
        errors["kind"] = "请选择适用的评审类型"
    name = parsing.text(name, "name", "模板名称", errors, max_len=100)
    description = parsing.text(description, "description", "模板说明", errors, max_len=2000, required=False)
    rows = parse_template_lines(criteria_text, kind, errors) if kind in KIND_LABELS else []
    if errors:
        raise ReviewError(errors)
    agency = None if shared else _agency_id(actor)
    async with write_tx():
        template = RubricTemplate(agency=agency, kind=kind, name=name, description=description, criteria=rows,
                                  created_by=getattr(actor, "id", None))
        await template.save()
        await audit.record(actor=actor, action="rubric.template_created", object_type="rubric_template",
                           object_id=template.id, new={"name": name, "kind": kind, "criteria": rows,
                                                       "agency_id": agency})
    return template


async def apply_template(actor: Any, review_id: int, template_id: int) -> int:
    """Copy a template's criteria into the review (replacing the review's current criteria)."""
    review = await get_review(actor, review_id)
    await _editable(review)
    template = await RubricTemplate.select().where(RubricTemplate.id == template_id).output(load_json=True).first()
    own = _agency_id(actor)
    if template is None or (actor.role in AGENCY_ROLES and template["agency"] not in (None, own)):
        raise ReviewError({"template": "评分模板不存在"})
    if template["kind"] != review.kind:
        raise ReviewError({"template": f"该模板适用于{KIND_LABELS[template['kind']]}，与本评审类型不符"})
    criteria = template["criteria"] if isinstance(template["criteria"], list) else json.loads(template["criteria"])
    async with write_tx():
        await ensure_may_change(review.id, Change.RUBRIC)
        old = await list_criteria(review.id)
        await Criterion.delete().where(Criterion.review == review.id)
        await Criterion.insert(*[
            Criterion(review=review.id, position=i, name=c["name"], max_points=Decimal(str(c["max_points"])),
                      group=c["group"], kind=c["kind"], veto=bool(c.get("veto")), guidance=c.get("guidance", ""))
            for i, c in enumerate(criteria, start=1)])
        await audit.record(actor=actor, action="review.rubric_applied", object_type="review", object_id=review.id,
                           agency_id=review.agency, old={"criteria": [c["name"] for c in old]},
                           new={"template_id": template_id, "template": template["name"],
                                "criteria": [c["name"] for c in criteria]})
    return len(criteria)
