"""Projects (工伤预防项目) and their reviews: create, read within the agency, set the panel rules."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.guards import ensure_agency_access
from app.accounts.tables import AGENCY_ROLES
from app.audit import services as audit
from app.db import write_tx
from app.reviews import parsing
from app.reviews.composition import check_composition
from app.reviews.parsing import ReviewError
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import (
    CATEGORY_LABELS,
    KIND_LABELS,
    PanelSource,
    ProcurementCategory,
    Project,
    Review,
    ReviewKind,
    ReviewStatus,
)
from app.web.parsing import plain_datetime, plain_int

__all__ = ["ReviewError", "create_project", "create_review", "get_project", "get_review", "list_projects",
           "list_reviews", "update_settings"]

#: Defaults per kind: 磋商 2 experts + 1 采购人代表 (regulations §1.2 common configuration).
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    ReviewKind.APPROVAL.value: {"panel_size": 5, "purchaser_reps": 0, "panel_source": PanelSource.OWN_LIBRARY.value},
    ReviewKind.CONSULTATION.value: {"panel_size": 3, "purchaser_reps": 1,
                                    "panel_source": PanelSource.FINANCE_SYSTEM.value,
                                    "category": ProcurementCategory.GOV_SERVICE.value,
                                    "price_weight": Decimal("0.3000")},
    ReviewKind.ACCEPTANCE.value: {"panel_size": 5, "purchaser_reps": 0, "panel_source": PanelSource.OWN_LIBRARY.value},
}

#: 价格权值 ranges (214号 第24条, regulations §1.4): goods 30–60 %, services 10–30 %.
PRICE_WEIGHT_RANGE = {ProcurementCategory.GOODS.value: (Decimal("0.30"), Decimal("0.60"))}
SERVICE_RANGE = (Decimal("0.10"), Decimal("0.30"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _agency_id(user: Any) -> int | None:
    agency = getattr(user, "agency", None)
    return agency if agency is None or isinstance(agency, int) else agency.id


async def list_projects(user: Any) -> list[dict[str, Any]]:
    query = Project.select(Project.all_columns(), Project.agency.name.as_alias("agency_name")).order_by(
        Project.id, ascending=False)
    if user.role in AGENCY_ROLES:
        query = query.where(Project.agency == _agency_id(user))
    return await query


async def get_project(user: Any, project_id: int) -> Project:
    project = await Project.objects().where(Project.id == project_id).first()
    if project is None:
        raise NotFoundException("项目不存在")
    ensure_agency_access(user, project.agency)
    return project


async def list_reviews(project_id: int) -> list[dict[str, Any]]:
    return await Review.select().where(Review.project == project_id).order_by(Review.id)


async def get_review(user: Any, review_id: int) -> Review:
    review = await Review.objects().where(Review.id == review_id).first()
    if review is None:
        raise NotFoundException("评审不存在")
    ensure_agency_access(user, review.agency)
    return review


async def get_review_and_project(user: Any, review_id: int) -> tuple[Review, Project]:
    """A review the user may see, with its project (pages and the API show both)."""
    review = await get_review(user, review_id)
    project = await Project.objects().where(Project.id == review.project).first()
    return review, project


def load_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


@dataclass
class ProjectInput:
    name: str = ""
    code: str = ""
    key_industry: str = ""
    budget: str = ""
    purchaser_name: str = ""
    purchaser_credit_code: str = ""
    description: str = ""


async def create_project(actor: Any, data: ProjectInput) -> Project:
    """新建项目 — only agency staff (经办人) of an agency; the project belongs to their agency."""
    errors: dict[str, str] = {}
    agency_id = _agency_id(actor)
    if agency_id is None:
        errors["agency"] = "只有机构经办人可以新建项目"
    name = parsing.text(data.name, "name", "项目名称", errors, max_len=200)
    code = parsing.text(data.code, "code", "项目编号", errors, max_len=50, required=False)
    industry = parsing.text(data.key_industry, "key_industry", "重点行业", errors, max_len=60, required=False)
    budget = parsing.money(data.budget, "budget", "预算金额", errors)
    purchaser = parsing.text(data.purchaser_name, "purchaser_name", "采购人（申报单位）", errors, max_len=100)
    credit = parsing.credit_code(data.purchaser_credit_code, "purchaser_credit_code", errors)
    description = parsing.text(data.description, "description", "项目说明", errors, max_len=5000, required=False)
    if errors:
        raise ReviewError(errors)
    async with write_tx():
        project = Project(agency=agency_id, name=name, code=code, key_industry=industry, budget=budget,
                          purchaser_name=purchaser, purchaser_credit_code=credit, description=description,
                          created_by=actor.id)
        await project.save()
        await audit.record(actor=actor, action="project.created", object_type="project", object_id=project.id,
                           new={"name": name, "code": code, "budget": str(budget), "purchaser_name": purchaser,
                                "key_industry": industry})
    return project


async def create_review(actor: Any, project_id: int, *, kind: str, title: str = "") -> Review:
    """新建评审 — 立项评审, 竞争性磋商 or 评估验收 of the project, with the kind's default panel rules."""
    project = await get_project(actor, project_id)
    errors: dict[str, str] = {}
    if kind not in KIND_LABELS:
        errors["kind"] = "请选择评审类型（立项评审、竞争性磋商或评估验收）"
    title = parsing.text(title, "title", "评审名称", errors, max_len=200, required=False)
    if errors:
        raise ReviewError(errors)
    defaults = KIND_DEFAULTS[kind]
    async with write_tx():
        review = Review(project=project.id, agency=project.agency, kind=kind,
                        title=title or f"{project.name} · {KIND_LABELS[kind]}", created_by=actor.id,
                        **defaults)
        await review.save()
        await audit.record(actor=actor, action="review.created", object_type="review", object_id=review.id,
                           new={"project_id": project.id, "kind": kind, "title": review.title, **{
                               k: str(v) for k, v in defaults.items()}})
    return review


@dataclass
class SettingsInput:
    version: str = ""
    title: str = ""
    scheduled_at: str = ""
    location: str = ""
    panel_size: str = ""
    purchaser_reps: str = "0"
    alternates: str = "2"
    require: str = ""
    """One "specialty code: count" a line (or comma separated)."""
    accept: str = ""
    regions: str = ""
    max_per_org: str = "1"
    invitation_hours: str = "24"
    panel_source: str = ""
    self_selection_approval: str = ""
    category: str = ""
    price_weight: str = ""


def _split(value: str) -> list[str]:
    for sep in ("\n", "，", "、", ";", "；"):
        value = value.replace(sep, ",")
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_require(value: str, errors: dict[str, str]) -> dict[str, int]:
    require: dict[str, int] = {}
    for part in _split(value):
        code, _, count = part.replace("：", ":").partition(":")
        code, count = code.strip(), count.strip() or "1"
        if not code or plain_int(count, low=1) is None:
            errors["require"] = f"“{part}”应写作 专业:人数，如 危险化学品:2"
            continue
        require[code] = require.get(code, 0) + int(count)
    return require


async def _specialty_codes(require: dict[str, int], accept: list[str],
                           errors: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """People write specialties by name (危险化学品, 安全生产/建筑施工) or code; the draw keeps codes."""
    from app.roster.specialties import load_tree

    tree = await load_tree()
    codes: dict[str, int] = {}
    for token, count in require.items():
        code, problem = tree.resolve(token)
        if code is None:
            errors["require"] = f"各专业最低人数：{problem}"
            continue
        codes[code] = codes.get(code, 0) + count
    accepted = []
    for token in accept:
        code, problem = tree.resolve(token)
        if code is None:
            errors["accept"] = f"其他席位接受的专业：{problem}"
        elif code not in accepted:
            accepted.append(code)
    return codes, accepted


def _scheduled(value: str, errors: dict[str, str]) -> dt.datetime | None:
    value = value.strip()
    if not value:
        return None
    local = plain_datetime(value)
    if local is None:
        errors["scheduled_at"] = "评审时间格式应为 2026-12-01T09:00"
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return local.astimezone(dt.UTC)


async def update_settings(actor: Any, review_id: int, data: SettingsInput) -> tuple[Review, list[str]]:
    """评审设置 — title, time, place, 磋商 price weight/category, and the panel rules the draw obeys.

    Refused after a draw has been confirmed (the rules were what the draw obeyed) and when
    the regime forbids the composition. Returns the review and any warnings.
    """
    review = await get_review(actor, review_id)
    project = await Project.objects().where(Project.id == review.project).first()
    errors: dict[str, str] = {}
    if str(review.version) != data.version.strip():
        errors["version"] = "该评审已被他人修改，请刷新页面后重新填写"
    if review.status != ReviewStatus.DRAFT.value:
        await precheck(review, Change.SETTINGS)
    from app.panels.queries import has_confirmed_draw  # panels builds on reviews, not the other way

    if await has_confirmed_draw(review.id):
        errors["panel"] = "已完成抽取，小组规则不能再修改（如需调整请终止本评审后重新设立）"
    title = parsing.text(data.title, "title", "评审名称", errors, max_len=200)
    location = parsing.text(data.location, "location", "评审地点", errors, max_len=200, required=False)
    scheduled = _scheduled(data.scheduled_at, errors)
    size = parsing.integer(data.panel_size, "panel_size", "小组人数", errors, low=1, high=25)
    reps = parsing.integer(data.purchaser_reps, "purchaser_reps", "采购人代表人数", errors, low=0, high=10)
    alternates = parsing.integer(data.alternates, "alternates", "候补人数", errors, low=0, high=10)
    max_per_org = parsing.integer(data.max_per_org, "max_per_org", "同单位人数上限", errors, low=1, high=25)
    hours = parsing.integer(data.invitation_hours, "invitation_hours", "答复期限", errors, low=1, high=240)
    require = parse_require(data.require, errors)
    accept = _split(data.accept)
    require, accept = await _specialty_codes(require, accept, errors)
    regions = _split(data.regions)
    source = data.panel_source.strip() or review.panel_source
    if source not in {s.value for s in PanelSource}:
        errors["panel_source"] = "专家来源无效"
    approval = parsing.text(data.self_selection_approval, "self_selection_approval", "主管预算单位同意文件",
                            errors, max_len=300, required=False)
    category, weight = "", None
    warnings: list[str] = []
    if review.kind == ReviewKind.CONSULTATION.value:
        category = data.category.strip()
        if category not in CATEGORY_LABELS:
            errors["category"] = "请选择采购项目类别"
        weight = parsing.percent(data.price_weight, "price_weight", "价格权值", errors)
        if weight is None and "price_weight" not in errors:
            errors["price_weight"] = "竞争性磋商须设价格权值（服务 10%–30%，货物 30%–60%）"
        elif weight is not None and category in CATEGORY_LABELS:
            low, high = PRICE_WEIGHT_RANGE.get(category, SERVICE_RANGE)
            if not low <= weight <= high:
                warnings.append(f"价格权值 {weight * 100:.0f}% 超出{CATEGORY_LABELS[category]}类 "
                                f"{low * 100:.0f}%–{high * 100:.0f}% 的范围，须经本级财政部门批准（214号 第二十四条）")
        if source == PanelSource.SELF_SELECTED.value and not approval:
            errors["self_selection_approval"] = "自行选定专家须记录主管预算单位的同意文件（文号、日期）"
    if not errors:
        composition = check_composition(kind=review.kind, panel_source=source, panel_size=size, purchaser_reps=reps,
                                        budget=project.budget, require=require)
        errors.update(composition.errors)
        warnings.extend(composition.warnings)
    if errors:
        raise ReviewError(errors)
    changes = {
        Review.title: title, Review.location: location, Review.scheduled_at: scheduled, Review.panel_size: size,
        Review.purchaser_reps: reps, Review.alternates: alternates, Review.max_per_org: max_per_org,
        Review.invitation_hours: hours, Review.require: require, Review.accept: accept, Review.regions: regions,
        Review.panel_source: source, Review.self_selection_approval: approval, Review.category: category,
        Review.price_weight: weight, Review.updated_at: _now(), Review.version: review.version + 1,
    }
    old = {c._meta.name: _plain(getattr(review, c._meta.name)) for c in changes if c._meta.name != "updated_at"}
    async with write_tx():
        await ensure_may_change(review.id, Change.SETTINGS)
        updated = await Review.update(changes).where(
            (Review.id == review.id) & (Review.version == review.version)).returning(Review.id)
        if not updated:
            raise ReviewError({"version": "该评审已被他人修改，请刷新页面后重新填写"})
        new = {c._meta.name: _plain(v) for c, v in changes.items() if c._meta.name != "updated_at"}
        await audit.record(actor=actor, action="review.settings_changed", object_type="review", object_id=review.id,
                           old=old, new={**new, "warnings": warnings})
    return await get_review(actor, review.id), warnings


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | dt.datetime):
        return str(value)
    return load_json(value) if isinstance(value, str) and value[:1] in ("[", "{") else value
