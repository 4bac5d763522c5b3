"""评审计划 — prepare (经办人) → confirm (监督人, seed drawn then) → solve (background job) → accept.

The same commit-then-confirm as a single draw (app/panels/drawing.py): the input and pool hashes
are fixed when the plan is prepared; the seed exists only once a 监督人 of the agency confirms
within the window, so nobody knows it while the input can still change.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.guards import ensure_agency_access
from app.audit import services as audit
from app.db import write_tx
from app.panels.context import CHINA, panel_context
from app.panels.drawing import CONFIRM_WINDOW, panel_spec, pool_hash, with_ancestors
from app.panels.seats import now_utc
from app.panels.tables import ACTIVE_STATES, Draw, DrawStatus, PanelSeat, SeatRole
from app.plans.tables import Plan, PlanMode, PlanReview, PlanStatus
from app.reviews.composition import check_composition
from app.reviews.tables import Criterion, PanelSource, Project, Review, ReviewKind, ReviewStatus

KINDS = (ReviewKind.APPROVAL.value, ReviewKind.ACCEPTANCE.value)
LIVE = (PlanStatus.PENDING.value, PlanStatus.SOLVING.value, PlanStatus.SOLVED.value)


class PlanError(Exception):
    """Bad input or a refused step; Chinese messages keyed by field."""

    def __init__(self, errors: dict[str, str], status_code: int = 400):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status_code = status_code


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _agency(user: Any) -> int | None:
    return user.agency if isinstance(user.agency, int) or user.agency is None else user.agency.id


async def ready_reviews(user: Any) -> list[dict[str, Any]]:
    """Reviews ready to be staffed: 立项/验收 in draft, own library, composition and rubric set, no draw or plan."""
    reviews = await Review.select(
        Review.id, Review.title, Review.kind, Review.panel_size, Review.purchaser_reps, Review.alternates,
        Review.require, Review.panel_source, Review.project, Review.project.name.as_alias("project_name"),
        Review.project.budget.as_alias("budget"),
    ).where((Review.agency == _agency(user)) & (Review.status == ReviewStatus.DRAFT.value)
            & Review.kind.is_in(list(KINDS)) & (Review.panel_source == PanelSource.OWN_LIBRARY.value)
            ).order_by(Review.id).output(load_json=True)
    if not reviews:
        return []
    ids = [r["id"] for r in reviews]
    with_rubric = {r["review"] for r in await Criterion.select(Criterion.review).where(Criterion.review.is_in(ids))}
    drawn = {r["review"] for r in await Draw.select(Draw.review).where(
        Draw.review.is_in(ids) & Draw.status.is_in([DrawStatus.PENDING.value, DrawStatus.CONFIRMED.value]))}
    planned = {r["review"] for r in await PlanReview.select(PlanReview.review).where(
        PlanReview.review.is_in(ids) & PlanReview.plan.status.is_in(list(LIVE)))}
    out = []
    for r in reviews:
        if r["id"] not in with_rubric or r["id"] in drawn or r["id"] in planned:
            continue
        ok = check_composition(kind=r["kind"], panel_source=r["panel_source"], panel_size=r["panel_size"],
                               purchaser_reps=r["purchaser_reps"], budget=r["budget"], require=r["require"] or {}).ok
        if ok:
            out.append(r)
    return out


async def prior_loads(expert_ids: list[int] | None = None, on: dt.date | None = None) -> dict[int, int]:
    """Member seats held this calendar year (Beijing time): rotation counts them against the yearly cap."""
    year = (on or dt.datetime.now(CHINA).date()).year
    start = dt.datetime(year, 1, 1, tzinfo=CHINA)
    rows = await PanelSeat.select(PanelSeat.expert).where(
        (PanelSeat.role == SeatRole.MEMBER.value) & PanelSeat.state.is_in(list(ACTIVE_STATES))
        & PanelSeat.expert.is_not_null() & (PanelSeat.created_at >= start))
    loads: dict[int, int] = {}
    for r in rows:
        loads[r["expert"]] = loads.get(r["expert"], 0) + 1
    return loads


def plan_panel(review: Review, exclude_orgs: set[str]) -> dict[str, Any]:
    """One review's whole panel (no seats filled yet), built as the single draw builds it."""
    require = {k: int(v) for k, v in (_load(review.require) or {}).items()}
    return panel_spec(review, size=review.panel_size - review.purchaser_reps, require=require,
                      exclude_orgs=exclude_orgs)


def _form(mode: str, q: str, load_cap: str, yearly_cap: str, title: str) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"title": title.strip()[:100]}
    if not values["title"]:
        errors["title"] = "请填写计划名称"
    if mode not in {m.value for m in PlanMode}:
        errors["mode"] = "请选择分配方式（均衡负荷、随机化或限额内最优匹配）"
    values["mode"] = mode
    caps = (("load_cap", load_cap, "本计划每位专家至多席位"), ("yearly_cap", yearly_cap, "全年席位上限"))
    for key, raw, label in caps:
        try:
            values[key] = int(raw)
            if not 1 <= values[key] <= 50:
                raise ValueError
        except ValueError:
            errors[key] = f"{label}须为 1 到 50 之间的整数"
    values["q"] = None
    if mode == PlanMode.RANDOMIZED.value:
        try:
            values["q"] = float(q)
            if not 0 < values["q"] <= 1:
                raise ValueError
        except ValueError:
            errors["q"] = "随机化方式须填写概率上限 q（大于 0、不超过 1，例如 0.5）"
    return values, errors


async def prepare_plan(actor: Any, *, title: str, mode: str, review_ids: list[int], q: str = "",
                       load_cap: str = "2", yearly_cap: str = "") -> int:
    """准备计划 — fix the input and its hashes; no seed until the 监督人 confirms."""
    from app.conflicts.services import eligible_pools
    from app.settings import get_settings
    from assignment import input_sha256

    values, errors = _form(mode, q, load_cap, yearly_cap or str(get_settings().plan_yearly_cap), title)
    ready = {r["id"] for r in await ready_reviews(actor)}
    chosen = sorted(set(review_ids))
    if not chosen:
        errors["reviews"] = "请至少选择一个待组建评审小组的评审"
    elif not set(chosen) <= ready:
        errors["reviews"] = ("所选评审中有不可纳入计划的（须为本机构草拟中的立项或验收评审，已设置小组组成和评分表，"
                             "尚未抽取且不在其他计划中）：评审编号 " + "、".join(map(str, sorted(set(chosen) - ready))))
    if errors:
        raise PlanError(errors)
    reviews = await Review.objects().where(Review.id.is_in(chosen)).order_by(Review.id)
    pools: dict[int, set[int]] = {}
    experts: dict[int, dict[str, Any]] = {}
    excluded: dict[str, Any] = {}
    panels = []
    contexts = [await panel_context(review) for review in reviews]
    found = await eligible_pools(contexts)  # the roster and its ties read once for every panel
    for review, context, (pool, conflicts) in zip(reviews, contexts, found, strict=True):
        pools[review.id] = {e["id"] for e in pool}
        for e in pool:
            experts.setdefault(e["id"], e)
        excluded[str(review.id)] = {str(k): [{"code": c.code, "reason": c.reason} for c in v]
                                    for k, v in conflicts.items()}
        project = await Project.objects().where(Project.id == review.project).first()
        panels.append(plan_panel(review, {project.purchaser_name, *(b.name for b in context.bidders)}))
    prior = await prior_loads()
    pool_rows = [{"id": e["id"], "org": e["org"], "region": e["region"],
                  "specialties": with_ancestors(e["specialties"] or []), "available": True,
                  "max_load": values["load_cap"], "prior_load": prior.get(e["id"], 0)}
                 for e in sorted(experts.values(), key=lambda e: e["id"])]
    # 回避 per panel: an expert in some review's pool but conflicted with this one sits out this panel only.
    everyone = sorted(experts)
    conflicts = [[eid, f"review-{rid}"] for rid in sorted(pools) if len(pools[rid]) < len(everyone)
                 for eid in everyone if eid not in pools[rid]]
    data: dict[str, Any] = {
        "mode": values["mode"],
        "rules": {"max_per_org": min(r.max_per_org for r in reviews), "load_cap": values["load_cap"],
                  "yearly_cap": values["yearly_cap"]},
        "experts": pool_rows, "panels": panels, "conflicts": conflicts}
    if values["q"] is not None:
        data["q"] = values["q"]
    now = now_utc()
    async with write_tx():
        # The guard runs again inside the transaction: a review taken by another plan or draw meanwhile is refused.
        still = {r["id"] for r in await ready_reviews(actor)}
        if not set(chosen) <= still:
            raise PlanError({"reviews": "所选评审刚被其他计划或抽取占用，请刷新后重选"}, status_code=409)
        plan = Plan(agency=_agency(actor), title=values["title"], mode=values["mode"], q=values["q"],
                    load_cap=values["load_cap"], yearly_cap=values["yearly_cap"], input=data,
                    input_sha256=input_sha256(data), pool_sha256=pool_hash(pool_rows), pool_size=len(pool_rows),
                    excluded=excluded, operator=actor.id, created_at=now, confirm_by=now + CONFIRM_WINDOW)
        await plan.save()
        await PlanReview.insert(*[PlanReview(plan=plan.id, review=r.id, panel_id=f"review-{r.id}") for r in reviews])
        await audit.record(actor=actor, action="plan.prepared", object_type="season_plan", object_id=plan.id,
                           agency_id=plan.agency,
                           new={"title": plan.title, "mode": plan.mode, "q": plan.q, "reviews": chosen,
                                "load_cap": plan.load_cap, "yearly_cap": plan.yearly_cap,
                                "input_sha256": plan.input_sha256, "pool_sha256": plan.pool_sha256,
                                "pool_size": plan.pool_size, "conflicts": len(conflicts)})
    return plan.id


async def get_plan(user: Any, plan_id: int) -> dict[str, Any]:
    plan = await Plan.select().where(Plan.id == plan_id).output(load_json=True).first()
    if plan is None:
        raise NotFoundException("评审计划不存在")
    ensure_agency_access(user, plan["agency"])
    return plan


async def plans_of(user: Any) -> list[dict[str, Any]]:
    query = Plan.select(Plan.id, Plan.title, Plan.mode, Plan.status, Plan.created_at, Plan.pool_size,
                        Plan.input_sha256).order_by(Plan.id, ascending=False)
    if user.role in ("agency", "supervisor"):
        query = query.where(Plan.agency == _agency(user))
    return await query


async def plan_reviews(plan_id: int) -> list[dict[str, Any]]:
    return await PlanReview.select(
        PlanReview.id, PlanReview.review, PlanReview.panel_id, PlanReview.draw,
        PlanReview.review.title.as_alias("title"), PlanReview.review.kind.as_alias("kind"),
        PlanReview.review.status.as_alias("review_status"),
    ).where(PlanReview.plan == plan_id).order_by(PlanReview.review)


async def cancel_plan(actor: Any, plan_id: int, reason: str = "") -> None:
    plan = await get_plan(actor, plan_id)
    if plan["status"] not in (PlanStatus.PENDING.value, PlanStatus.SOLVED.value, PlanStatus.INFEASIBLE.value):
        raise PlanError({"plan": "只有待确认、已求解未采用或无可行方案的计划可以取消"})
    reason = reason.strip()[:300] or "经办人取消"
    async with write_tx():
        done = await Plan.update({Plan.status: PlanStatus.CANCELLED.value, Plan.error: reason}).where(
            (Plan.id == plan_id) & (Plan.status == plan["status"])).returning(Plan.id)
        if not done:
            raise PlanError({"plan": "计划状态已变化，请刷新"}, status_code=409)
        await audit.record(actor=actor, action="plan.cancelled", object_type="season_plan", object_id=plan_id,
                           agency_id=plan["agency"], old={"status": plan["status"]}, new={"reason": reason})


async def confirm_plan(actor: Any, plan_id: int) -> int:
    """监督人确认 — the seed is drawn now, by the supervisor's own signed-in request; solving is queued."""
    from app.state.queue import enqueue

    plan = await get_plan(actor, plan_id)
    if actor.role != "supervisor":
        raise PlanError({"plan": "评审计划须由本机构监督人登录后确认"}, status_code=403)
    now = now_utc()
    async with write_tx():
        fresh = await Plan.select(Plan.status, Plan.confirm_by).where(Plan.id == plan_id).first()
        if fresh["status"] != PlanStatus.PENDING.value:
            raise PlanError({"plan": "该计划不在待确认状态"}, status_code=409)
        if fresh["confirm_by"] is not None and now > fresh["confirm_by"]:
            await Plan.update({Plan.status: PlanStatus.CANCELLED.value, Plan.error: "监督人未在确认时限内确认"}).where(
                Plan.id == plan_id)
            await audit.record(actor=actor, action="plan.expired", object_type="season_plan", object_id=plan_id,
                               agency_id=plan["agency"], new={"confirm_by": str(fresh["confirm_by"])})
            expired = True
        else:
            expired = False
            seed = secrets.randbits(63)
            job = await enqueue("plans.solve", owner=actor.id, max_attempts=1,
                                progress={"percent": 0, "message": "排队等待求解"}, plan_id=plan_id)
            await Plan.update({Plan.status: PlanStatus.SOLVING.value, Plan.seed: seed, Plan.supervisor: actor.id,
                               Plan.confirmed_at: now, Plan.job: job}).where(Plan.id == plan_id)
            await audit.record(actor=actor, action="plan.confirmed", object_type="season_plan", object_id=plan_id,
                               agency_id=plan["agency"],
                               new={"seed": seed, "input_sha256": plan["input_sha256"],
                                    "pool_sha256": plan["pool_sha256"], "operator_id": plan["operator"]})
    if expired:
        raise PlanError({"plan": "已超过确认时限（30 分钟），本计划作废，请经办人重新准备"}, status_code=409)
    return job or 0
