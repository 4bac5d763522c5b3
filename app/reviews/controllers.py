"""Projects, reviews, rubrics and bids: thin handlers over app/reviews services."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts.guards import READERS, requires_role
from app.accounts.tables import Role
from app.reviews import bids, rubrics, services
from app.reviews.composition import check_composition
from app.reviews.parsing import ReviewError, money_str
from app.reviews.schemas import (
    BidInput,
    BidOut,
    CriterionInput,
    CriterionOut,
    ProjectInput,
    ReviewForm,
    ReviewOut,
    SettingsInput,
    TemplateChoice,
    TemplateForm,
)
from app.reviews.tables import (
    CATEGORY_LABELS,
    KIND_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from app.roster.specialties import load_tree
from app.web.parsing import is_plain_int
from app.web.templating import Page

AGENCY = requires_role(Role.AGENCY)
READ = requires_role(*READERS)
LABELS = {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "sources": SOURCE_LABELS, "categories": CATEGORY_LABELS,
          "groups": rubrics.GROUP_LABELS, "criterion_kinds": rubrics.CRITERION_KIND_LABELS}


async def review_context(user: Any, review_id: int) -> dict[str, Any]:
    review, project = await services.get_review_and_project(user, review_id)
    criteria = await rubrics.list_criteria(review.id)
    composition = check_composition(kind=review.kind, panel_source=review.panel_source,
                                    panel_size=review.panel_size, purchaser_reps=review.purchaser_reps,
                                    budget=project.budget, require=services.load_json(review.require))
    tree = await load_tree()  # quotas are shown (and may be typed) by specialty name, not code
    return {"review": review, "project": project, "criteria": criteria, "bids": await bids.list_bids(review.id),
            "summary": rubrics.rubric_summary(review, criteria), "composition": composition,
            "require": {tree.label(c): n for c, n in (services.load_json(review.require) or {}).items()},
            "accept": [tree.label(c) for c in services.load_json(review.accept) or []],
            "regions": services.load_json(review.regions) or [],
            "templates": await rubrics.list_templates(user, review.kind), **LABELS}


async def review_page(request: Request, review_id: int, errors: dict[str, str] | None = None,
                      status: int = 200, form: Any = None) -> Template:
    context = await review_context(request.user, review_id)
    return Template("reviews/review.html.j2", status_code=status,
                    context={**context, "errors": errors or {}, "form": form})


class ProjectController(Controller):
    path = "/projects"
    include_in_schema = False

    async def _list(self, request: Request, errors: dict[str, str], form: ProjectInput, status: int = 200) -> Template:
        return Template("reviews/projects.html.j2", status_code=status, context={
            "projects": await services.list_projects(request.user), "errors": errors, "form": form, **LABELS})

    @get("/", guards=[READ])
    async def list_projects(self, request: Request) -> Template:
        return await self._list(request, {}, ProjectInput())

    @post("/", guards=[AGENCY])
    async def create_project(self, request: Request, data: URLEncodedBody[ProjectInput]) -> Page:
        try:
            project = await services.create_project(request.user, data)
        except ReviewError as exc:
            return await self._list(request, exc.errors, data, 400)
        flash(request, f"已新建项目“{project.name}”", category="success")
        return Redirect(f"/projects/{project.id}", status_code=303)

    async def _detail(self, request: Request, project_id: int, errors: dict[str, str], status: int = 200) -> Template:
        project = await services.get_project(request.user, project_id)
        return Template("reviews/project.html.j2", status_code=status, context={
            "project": project, "reviews": await services.list_reviews(project.id), "errors": errors, **LABELS})

    @get("/{project_id:int}", guards=[READ])
    async def project_detail(self, request: Request, project_id: FromPath[int]) -> Template:
        return await self._detail(request, project_id, {})

    @post("/{project_id:int}/reviews", guards=[AGENCY])
    async def create_review(self, request: Request, project_id: FromPath[int],
                            data: URLEncodedBody[ReviewForm]) -> Page:
        try:
            review = await services.create_review(request.user, project_id, kind=data.kind, title=data.title)
        except ReviewError as exc:
            return await self._detail(request, project_id, exc.errors, 400)
        flash(request, f"已新建{KIND_LABELS[review.kind]}“{review.title}”，请完成评审设置", category="success")
        return Redirect(f"/reviews/{review.id}", status_code=303)


class ReviewController(Controller):
    path = "/reviews/{review_id:int}"
    include_in_schema = False

    @get("/", guards=[READ])
    async def review_detail(self, request: Request, review_id: FromPath[int]) -> Template:
        return await review_page(request, review_id)

    @post("/settings", guards=[AGENCY])
    async def save_settings(self, request: Request, review_id: FromPath[int],
                            data: URLEncodedBody[SettingsInput]) -> Page:
        try:
            _, warnings = await services.update_settings(request.user, review_id, data)
        except ReviewError as exc:
            return await review_page(request, review_id, exc.errors, 400, form=data)
        flash(request, "评审设置已保存", category="success")
        for warning in warnings:
            flash(request, warning, category="warning")
        return Redirect(f"/reviews/{review_id}", status_code=303)

    @post("/rubric", guards=[AGENCY])
    async def apply_template(self, request: Request, review_id: FromPath[int],
                             data: URLEncodedBody[TemplateChoice]) -> Page:
        if not is_plain_int(data.template_id.strip()):
            return await review_page(request, review_id, {"template": "请选择评分模板"}, 400)
        try:
            count = await rubrics.apply_template(request.user, review_id, int(data.template_id))
        except ReviewError as exc:
            return await review_page(request, review_id, exc.errors, 400)
        flash(request, f"已套用评分模板（{count} 项评分因素）", category="success")
        return Redirect(f"/reviews/{review_id}", status_code=303)

    @post("/criteria", guards=[AGENCY])
    async def add_criterion(self, request: Request, review_id: FromPath[int],
                            data: URLEncodedBody[CriterionInput]) -> Page:
        try:
            await rubrics.add_criterion(request.user, review_id, data)
        except ReviewError as exc:
            return await review_page(request, review_id, exc.errors, 400)
        flash(request, f"已添加评分因素“{data.name.strip()}”", category="success")
        return Redirect(f"/reviews/{review_id}", status_code=303)

    @post("/criteria/{criterion_id:int}/delete", guards=[AGENCY])
    async def delete_criterion(self, request: Request, review_id: FromPath[int], criterion_id: FromPath[int]) -> Page:
        try:
            await rubrics.delete_criterion(request.user, review_id, criterion_id)
        except ReviewError as exc:
            return await review_page(request, review_id, exc.errors, 400)
        flash(request, "已删除评分因素", category="success")
        return Redirect(f"/reviews/{review_id}", status_code=303)

    @post("/bids", guards=[AGENCY])
    async def add_bid(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[BidInput]) -> Page:
        try:
            await bids.add_bid(request.user, review_id, data)
        except ReviewError as exc:
            return await review_page(request, review_id, exc.errors, 400)
        flash(request, f"已添加“{data.title.strip() or data.supplier_name.strip()}”", category="success")
        return Redirect(f"/reviews/{review_id}", status_code=303)

    @post("/bids/{bid_id:int}/delete", guards=[AGENCY])
    async def delete_bid(self, request: Request, review_id: FromPath[int], bid_id: FromPath[int]) -> Page:
        try:
            await bids.delete_bid(request.user, review_id, bid_id)
        except ReviewError as exc:
            return await review_page(request, review_id, exc.errors, 400)
        flash(request, "已删除", category="success")
        return Redirect(f"/reviews/{review_id}", status_code=303)


class RubricController(Controller):
    path = "/rubrics"
    include_in_schema = False

    async def _page(self, request: Request, errors: dict[str, str], form: TemplateForm, status: int = 200) -> Template:
        return Template("reviews/rubrics.html.j2", status_code=status, context={
            "templates": await rubrics.list_templates(request.user), "errors": errors, "form": form, **LABELS})

    @get("/", guards=[READ])
    async def list_templates(self, request: Request) -> Template:
        return await self._page(request, {}, TemplateForm())

    @post("/", guards=[AGENCY])
    async def create_template(self, request: Request, data: URLEncodedBody[TemplateForm]) -> Page:
        try:
            template = await rubrics.create_template(request.user, kind=data.kind, name=data.name,
                                                     description=data.description, criteria_text=data.criteria)
        except ReviewError as exc:
            return await self._page(request, exc.errors, data, 400)
        flash(request, f"已保存评分模板“{template.name}”", category="success")
        return Redirect("/rubrics", status_code=303)


class ReviewApiController(Controller):
    path = "/api/reviews"
    tags = ["评审"]
    guards = [READ]

    @get("/{review_id:int}", operation_id="GetReview", summary="评审设置、评分因素与评审对象")
    async def get_review(self, request: Request, review_id: FromPath[int]) -> ReviewOut:
        review, project = await services.get_review_and_project(request.user, review_id)
        return ReviewOut(
            id=review.id, project_id=project.id, project_name=project.name, kind=review.kind, title=review.title,
            status=review.status, budget=money_str(project.budget),
            price_weight=str(review.price_weight) if review.price_weight is not None else None,
            category=review.category, panel_source=review.panel_source, panel_size=review.panel_size,
            purchaser_reps=review.purchaser_reps, alternates=review.alternates,
            require=services.load_json(review.require) or {},
            criteria=[CriterionOut(id=c["id"], position=c["position"], name=c["name"],
                                   max_points=money_str(c["max_points"]), group=c["group"], kind=c["kind"],
                                   veto=c["veto"], guidance=c["guidance"])
                      for c in await rubrics.list_criteria(review.id)],
            bids=[BidOut(id=b["id"], position=b["position"], supplier_name=b["supplier_name"], title=b["title"],
                         credit_code=b["credit_code"], legal_representative=b["legal_representative"],
                         final_quote=money_str(b["final_quote"]),
                         valid=b["valid"]) for b in await bids.list_bids(review.id)])
