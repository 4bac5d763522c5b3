"""回避 pages: the explained check, and the agency's own records (conflicts, 分公司 links)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts.guards import requires_role
from app.accounts.tables import Role
from app.conflicts import services
from app.conflicts.engine import CODE_LABELS, CODE_SOURCES, Bidder, PanelContext
from app.conflicts.schemas import CheckIn, ConflictedExpert, ConflictOut
from app.roster.controllers import parse_date
from app.roster.status import today
from app.web.parsing import plain_int
from app.web.templating import Page

READ = requires_role(Role.ADMIN, Role.AGENCY, Role.SUPERVISOR, Role.AUDITOR)
KEEP = requires_role(Role.ADMIN, Role.AGENCY)
_SEP = re.compile(r"\t|\||，|,")


def parse_bidders(text: str) -> tuple[list[Bidder], list[str]]:
    """One bidder per line: 名称, 统一社会信用代码, 法定代表人, 负责人 (tab, | or comma separated)."""
    bidders, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in _SEP.split(line)] + ["", "", ""]
        if not parts[0]:
            problems.append(f"第 {number} 行缺少供应商名称")
            continue
        bidders.append(Bidder(name=parts[0], credit_code=parts[1], legal_representative=parts[2], head=parts[3]))
    return bidders, problems


def _int(value: Any) -> int | None:
    return plain_int(str(value or "").strip(), low=0)


class ConflictController(Controller):
    path = "/conflicts"
    include_in_schema = False
    guards = [READ]

    @get("/check")
    async def check_form(self) -> Template:
        return Template("conflicts/check.html.j2", context={
            "form": {"on_date": today().isoformat()}, "result": None, "errors": {}, "labels": CODE_LABELS,
            "sources": CODE_SOURCES})

    @post("/check")
    async def check(self, request: Request) -> Template:
        form = {k: str(v) for k, v in (await request.form()).items()}
        errors: dict[str, str] = {}
        bidders, problems = parse_bidders(form.get("bidders", ""))
        if problems:
            errors["bidders"] = "；".join(problems)
        purchaser = form.get("purchaser_name", "").strip()
        if not purchaser and not bidders:
            errors["purchaser_name"] = "请至少填写采购人或一个供应商"
        on = parse_date(form.get("on_date")) if form.get("on_date", "").strip() else today()
        if on is None:
            errors["on_date"] = "日期格式应为 YYYY-MM-DD"
        for key in ("project_id", "review_id"):
            if form.get(key, "").strip() and _int(form[key]) is None:
                errors[key] = "须为数字编号"
        context = {"form": form, "errors": errors, "labels": CODE_LABELS, "sources": CODE_SOURCES}
        if errors:
            return Template("conflicts/check.html.j2", status_code=400, context={**context, "result": None})
        panel = PanelContext(purchaser_name=purchaser, purchaser_credit_code=form.get("purchaser_credit_code", ""),
                             bidders=tuple(bidders), project_id=_int(form.get("project_id")),
                             review_id=_int(form.get("review_id")), on_date=on)
        result = await services.check_panel(request.user, panel)
        return Template("conflicts/check.html.j2", context={**context, "result": result, "panel": panel})

    @get("/")
    async def records(self, request: Request) -> Template:
        return await records_page(request, {})

    @post("/records", guards=[KEEP])
    async def record(self, request: Request) -> Page:
        form = {k: str(v) for k, v in (await request.form()).items()}
        expert_id = _int(form.get("expert_id"))
        try:
            if expert_id is None:
                raise services.ConflictRecordError({"expert_id": "请填写专家编号"})
            await services.record_conflict(
                request.user, expert_id=expert_id, reason=form.get("reason", ""),
                kind=form.get("kind", "agency_recorded"), org_name=form.get("org_name", ""),
                credit_code=form.get("credit_code", ""), person_name=form.get("person_name", ""),
                project_id=form.get("project_id"), review_id=form.get("review_id"))
        except services.ConflictRecordError as exc:
            return await records_page(request, exc.errors, form, 400)
        flash(request, "已记录回避事项", category="success")
        return Redirect("/conflicts/", status_code=303)

    @post("/records/{record_id:int}/revoke", guards=[KEEP])
    async def revoke(self, request: Request, record_id: FromPath[int]) -> Page:
        form = await request.form()
        try:
            await services.revoke_conflict(request.user, record_id, str(form.get("reason") or ""))
        except services.ConflictRecordError as exc:
            if "record" in exc.errors:
                raise NotFoundException(exc.errors["record"]) from None
            return await records_page(request, exc.errors, status_code=400)
        flash(request, "已撤销", category="success")
        return Redirect("/conflicts/", status_code=303)

    @post("/links", guards=[KEEP])
    async def link(self, request: Request) -> Page:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            await services.add_org_link(request.user, branch_name=form.get("branch_name", ""),
                                        parent_name=form.get("parent_name", ""),
                                        branch_credit_code=form.get("branch_credit_code", ""),
                                        parent_credit_code=form.get("parent_credit_code", ""))
        except services.ConflictRecordError as exc:
            return await records_page(request, exc.errors, form, 400)
        flash(request, "已登记分支机构", category="success")
        return Redirect("/conflicts/", status_code=303)


async def records_page(request: Request, errors: dict[str, str], form: dict[str, str] | None = None,
                       status_code: int = 200) -> Template:
    return Template("conflicts/records.html.j2", status_code=status_code, context={
        "records": await services.list_records(), "links": await services.list_links(), "errors": errors,
        "form": form or {}, "can_edit": request.user.role in ("admin", "agency")})


class ConflictApiController(Controller):
    path = "/api/conflicts"
    tags = ["回避"]
    guards = [READ]

    @post("/check", operation_id="CheckConflicts", summary="回避检查（记入审计日志）", status_code=200)
    async def check(self, request: Request, data: JSONBody[CheckIn]) -> list[ConflictedExpert]:
        panel = PanelContext(
            purchaser_name=data.purchaser_name, purchaser_credit_code=data.purchaser_credit_code,
            bidders=tuple(Bidder(b.name, b.credit_code, b.legal_representative, b.head) for b in data.bidders),
            project_id=data.project_id, review_id=data.review_id, on_date=data.on_date or today())
        result = await services.check_panel(request.user, panel)
        return [ConflictedExpert(
            expert_id=item["expert"]["id"], name=item["expert"]["name"], employer=item["expert"].get("employer", ""),
            conflicts=[ConflictOut(code=c.code, label=CODE_LABELS.get(c.code, c.code), reason=c.reason,
                                   source=CODE_SOURCES.get(c.code, ""), evidence=c.evidence)
                       for c in item["conflicts"]]) for item in result]
