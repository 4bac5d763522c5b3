"""机构管理 — the administrator's agency page: an empty installation starts here."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts import services
from app.accounts.guards import requires_role
from app.accounts.tables import Role, User


@dataclass
class AgencyForm:
    name: str = ""
    region: str = ""


class AgencyAdminController(Controller):
    path = "/admin/agencies"
    include_in_schema = False
    guards = [requires_role(Role.ADMIN)]

    async def _page(self, errors: dict[str, str], form: AgencyForm, status: int = 200) -> Template:
        agencies = await services.list_agencies()
        staff = await User.count().where(User.agency.is_not_null()) if agencies else 0
        return Template("accounts/agencies.html.j2", status_code=status, context={
            "agencies": agencies, "errors": errors, "form": form, "staff": staff})

    @get("/")
    async def list_agencies(self) -> Template:
        return await self._page({}, AgencyForm())

    @post("/")
    async def create_agency(self, request: Request, data: URLEncodedBody[AgencyForm]) -> Template | Redirect:
        try:
            agency = await services.create_agency(data.name, data.region, actor=request.user)
        except services.AccountError as exc:
            return await self._page(exc.errors, data, 400)
        flash(request, f"已创建机构 {agency.name}", category="success")
        return Redirect("/admin/agencies", status_code=303)
