"""机构管理 — the administrator's agency page: an empty installation starts here."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts import admin, services
from app.accounts.guards import requires_role
from app.accounts.tables import Role, User


@dataclass
class AgencyForm:
    name: str = ""
    region: str = ""


@dataclass
class AgencyStatusForm:
    active: str = ""
    """"1" to enable, "0" to stop the agency."""


class AgencyAdminController(Controller):
    path = "/admin/agencies"
    include_in_schema = False
    guards = [requires_role(Role.ADMIN)]

    async def _page(self, errors: dict[str, str], form: AgencyForm, status: int = 200,
                    row_errors: dict[int, dict[str, str]] | None = None,
                    row_forms: dict[int, AgencyForm] | None = None) -> Template:
        agencies = await services.list_agencies()
        staff = await User.count().where(User.agency.is_not_null()) if agencies else 0
        counts: dict[int, int] = {}
        for row in await User.select(User.agency).where(User.agency.is_not_null()):
            counts[row["agency"]] = counts.get(row["agency"], 0) + 1
        return Template("accounts/agencies.html.j2", status_code=status, context={
            "agencies": agencies, "errors": errors, "form": form, "staff": staff, "counts": counts,
            "row_errors": row_errors or {}, "row_forms": row_forms or {}})

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

    @post("/{agency_id:int}/rename")
    async def rename_agency(self, request: Request, agency_id: FromPath[int],
                            data: URLEncodedBody[AgencyForm]) -> Template | Redirect:
        try:
            agency = await admin.rename_agency(request.user, agency_id, data.name, data.region)
        except services.AccountError as exc:
            return await self._page({}, AgencyForm(), 400, row_errors={agency_id: exc.errors},
                                    row_forms={agency_id: data})
        flash(request, f"已保存机构 {data.name.strip() or agency.name}", category="success")
        return Redirect("/admin/agencies", status_code=303)

    @post("/{agency_id:int}/status")
    async def set_status(self, request: Request, agency_id: FromPath[int],
                         data: URLEncodedBody[AgencyStatusForm]) -> Template | Redirect:
        if data.active not in ("0", "1"):
            return await self._page({}, AgencyForm(), 400, row_errors={agency_id: {"agency": "请选择启用或停用"}})
        try:
            agency = await admin.set_agency_active(request.user, agency_id, data.active == "1")
        except services.AccountError as exc:
            return await self._page({}, AgencyForm(), 400, row_errors={agency_id: exc.errors})
        verb = "已启用" if data.active == "1" else "已停用"
        flash(request, f"{verb}机构 {agency.name}", category="success")
        return Redirect("/admin/agencies", status_code=303)
