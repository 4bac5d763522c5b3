"""Season plan pages: list and prepare, the plan (confirm, progress, result, accept), replay. Thin handlers."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts.guards import READERS, requires_role
from app.accounts.tables import Role
from app.plans import acceptance, replay, report, services
from app.plans.services import PlanError
from app.plans.tables import MODE_LABELS, STATUS_LABELS, PlanStatus
from app.reviews.tables import KIND_LABELS
from app.roster.tables import Expert, Specialty
from app.state.tables import Job
from app.web.templating import Page

READ = requires_role(*READERS)
AGENCY = requires_role(Role.AGENCY)
SUPERVISOR = requires_role(Role.SUPERVISOR)
WITNESSES = requires_role(Role.SUPERVISOR, Role.AUDITOR)


async def _labels() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Specialty.select(Specialty.code, Specialty.name)}


async def list_page(request: Request, errors: dict[str, str] | None = None, form: dict[str, Any] | None = None,
                    status: int = 200) -> Template:
    user = request.user
    ready = await services.ready_reviews(user) if user.role == "agency" else []
    from app.settings import get_settings

    return Template("plans/list.html.j2", status_code=status, media_type=MediaType.HTML, context={
        "plans": await services.plans_of(user), "ready": ready, "errors": errors or {}, "modes": MODE_LABELS,
        "statuses": STATUS_LABELS, "kinds": KIND_LABELS,
        "form": form or {"mode": "balanced", "q": "0.5", "load_cap": "2",
                         "yearly_cap": str(get_settings().plan_yearly_cap), "title": "", "reviews": []}})


async def result_view(plan: dict[str, Any]) -> dict[str, Any]:
    """Everything the result page shows, computed from the stored input and output."""
    labels = await _labels()
    view: dict[str, Any] = {"labels": labels, "supply": report.supply_demand(plan["input"])}
    if plan["status"] == PlanStatus.INFEASIBLE.value:
        view["infeasible"] = report.explain(plan["explanation"] or {}, labels)
    out = plan["output"] or {}
    if out:
        stats = out["stats"]
        view["chart"] = report.histogram(stats["load_histogram"])
        view["match"] = report.panel_match(plan["input"], out["panels"])
        base = plan["baseline"] or {}
        view["baseline"] = base.get("stats")
        view["baseline_errors"] = [report.zh(e.get("message")) for e in base.get("errors", [])]
        if base.get("stats"):
            view["baseline_chart"] = report.histogram(base["stats"]["load_histogram"])
        ids = {int(e) for p in out["panels"] for e in (*p["members"], *p["alternates"])}
        view["names"] = {r["id"]: r["name"] for r in await Expert.select(Expert.id, Expert.name).where(
            Expert.id.is_in(sorted(ids) or [0]))}
        probs = plan["probabilities"] or {}
        view["max_probability"] = max((p for rows in probs.values() for _, p in rows), default=None)
    return view


class PlanController(Controller):
    path = "/plans"
    include_in_schema = False

    @get("/", guards=[READ])
    async def index(self, request: Request) -> Template:
        return await list_page(request)

    @post("/", guards=[AGENCY])
    async def prepare(self, request: Request) -> Page:
        form = await request.form()
        data = {k: str(form.get(k, "")) for k in ("title", "mode", "q", "load_cap", "yearly_cap")}
        picked = [str(v) for v in form.getall("reviews")] if "reviews" in form else []
        data["reviews"] = picked
        try:
            ids = [int(v) for v in picked]
        except ValueError:
            return await list_page(request, {"reviews": "所选评审编号无效"}, data, 400)
        try:
            plan_id = await services.prepare_plan(request.user, title=data["title"], mode=data["mode"],
                                                  review_ids=ids, q=data["q"], load_cap=data["load_cap"],
                                                  yearly_cap=data["yearly_cap"])
        except PlanError as exc:
            return await list_page(request, exc.errors, data, exc.status_code)
        flash(request, "评审计划已准备（输入与专家池哈希已固定），请本机构监督人登录后在 30 分钟内确认",
              category="success")
        return Redirect(f"/plans/{plan_id}", status_code=303)

    async def _page(self, request: Request, plan_id: int, errors: dict[str, str] | None = None,
                    status: int = 200, replayed: dict[str, Any] | None = None) -> Template:
        plan = await services.get_plan(request.user, plan_id)
        job = None
        if plan["job"]:
            row = await Job.select(Job.progress, Job.status).where(Job.id == plan["job"]).first()
            job = {"status": row["status"], **json.loads(row["progress"] or "{}")} if row else None
        return Template("plans/plan.html.j2", status_code=status, media_type=MediaType.HTML, context={
            "plan": plan, "reviews": await services.plan_reviews(plan_id), "errors": errors or {},
            "modes": MODE_LABELS, "statuses": STATUS_LABELS, "kinds": KIND_LABELS, "job": job,
            "replayed": replayed, **await result_view(plan)})

    @get("/{plan_id:int}", guards=[READ])
    async def show(self, request: Request, plan_id: FromPath[int]) -> Template:
        return await self._page(request, plan_id)

    async def _do(self, request: Request, plan_id: int, call: Any, message: str) -> Page:
        try:
            result = await call
        except PlanError as exc:
            return await self._page(request, plan_id, exc.errors, exc.status_code)
        flash(request, message.format(result=result), category="success")
        return Redirect(f"/plans/{plan_id}", status_code=303)

    @post("/{plan_id:int}/confirm", guards=[SUPERVISOR])
    async def confirm(self, request: Request, plan_id: FromPath[int]) -> Page:
        return await self._do(request, plan_id, services.confirm_plan(request.user, plan_id),
                              "已确认，随机种子已生成，计划正在后台求解")

    @post("/{plan_id:int}/cancel", guards=[AGENCY])
    async def cancel(self, request: Request, plan_id: FromPath[int]) -> Page:
        return await self._do(request, plan_id, services.cancel_plan(request.user, plan_id), "计划已取消")

    @post("/{plan_id:int}/accept", guards=[AGENCY])
    async def accept(self, request: Request, plan_id: FromPath[int]) -> Page:
        return await self._do(request, plan_id, acceptance.accept_plan(request.user, plan_id),
                              "已采用计划：{result} 个评审的席位与邀请已生成")

    @get("/{plan_id:int}/replay", guards=[WITNESSES])
    async def replay(self, request: Request, plan_id: FromPath[int]) -> Template:
        try:
            result = await replay.replay_plan(request.user, plan_id)
        except PlanError as exc:
            return await self._page(request, plan_id, exc.errors, exc.status_code)
        return await self._page(request, plan_id, replayed=result)


class PlanApiController(Controller):
    path = "/api/plans"

    @get("/{plan_id:int}/progress", guards=[READ])
    async def progress(self, request: Request, plan_id: FromPath[int]) -> dict[str, Any]:
        """The solve's progress record, polled by static/js/plans.js."""
        plan = await services.get_plan(request.user, plan_id)
        progress: dict[str, Any] = {}
        if plan["job"]:
            row = await Job.select(Job.progress).where(Job.id == plan["job"]).first()
            progress = json.loads(row["progress"] or "{}") if row else {}
        return {"status": plan["status"], "percent": progress.get("percent", 0),
                "message": progress.get("message", STATUS_LABELS.get(plan["status"], ""))}
