"""个人资料 — an expert keeps their own profile and 回避 declarations (198号文 第10条)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts.guards import requires_role
from app.accounts.tables import Role
from app.roster import declarations, services
from app.roster.controllers import form_dict
from app.roster.services import REVIEWED_FIELDS, RosterError
from app.roster.specialties import load_tree
from app.roster.tables import HOLDING_LABELS
from app.roster.validation import LEVELS
from app.web.parsing import plain_int
from app.web.templating import Page


async def _own(request: Request) -> dict[str, Any]:
    row = await services.expert_of_user(request.user.id)
    if row is None:
        raise NotFoundException("您的账户尚未关联专家档案，请联系经办机构")
    return row


async def profile_page(request: Request, *, form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                       tie_errors: dict[str, Any] | None = None, status_code: int = 200) -> Template:
    row = await _own(request)
    e = services.present(row, await load_tree(), role="expert", own=True)
    if form:
        e.update({k: form.get(k, e[k]) for k in services.SELF_EDITABLE})
        e["version"] = form.get("version", e["version"])
    return Template("roster/profile.html.j2", status_code=status_code, context={
        "e": e, "errors": errors or {}, "tie_errors": tie_errors or {}, "ties": await declarations.list_ties(row["id"]),
        "levels": LEVELS, "holding_labels": HOLDING_LABELS, "relations": declarations.RELATIONS,
        "kind_labels": declarations.KIND_LABELS, "tie_base": "/me/ties", "can_edit": True})


class ProfileController(Controller):
    path = "/me"
    include_in_schema = False
    guards = [requires_role(Role.EXPERT)]

    @get("/profile")
    async def profile(self, request: Request) -> Template:
        return await profile_page(request)

    @post("/profile")
    async def save(self, request: Request) -> Page:
        data = await form_dict(request)
        version = str(data.get("version") or "")
        try:
            diff = await services.update_own_profile(request.user, plain_int(version, low=0) or 0, data)
        except RosterError as exc:
            return await profile_page(request, form=data, errors=exc.errors,
                                      status_code=409 if isinstance(exc, services.StaleVersion) else 400)
        reviewed = [k for k in diff if k in REVIEWED_FIELDS]
        message = "已保存" if diff else "没有改动"
        if reviewed:
            message += "；工作单位或职称的变更已提交经办机构核对"
        flash(request, message, category="success")
        return Redirect("/me/profile", status_code=303)

    @post("/ties/{kind:str}")
    async def add_tie(self, request: Request, kind: FromPath[str]) -> Page:
        row = await _own(request)
        try:
            await declarations.add_tie(request.user, row["id"], kind, await form_dict(request))
        except RosterError as exc:
            return await profile_page(request, tie_errors={kind: exc.errors}, status_code=400)
        flash(request, f"已添加{declarations.KIND_LABELS.get(kind, '')}", category="success")
        return Redirect(f"/me/profile#{kind}", status_code=303)

    @post("/ties/{kind:str}/{item_id:int}/delete")
    async def remove_tie(self, request: Request, kind: FromPath[str], item_id: FromPath[int]) -> Redirect:
        row = await _own(request)
        try:
            # Scoped to the expert's own id: another expert's row is "not found", never deleted.
            await declarations.remove_tie(request.user, row["id"], kind, item_id)
        except RosterError as exc:
            raise NotFoundException(next(iter(exc.errors.values()))) from None
        flash(request, "已删除", category="success")
        return Redirect(f"/me/profile#{kind}", status_code=303)
