"""专家库 pages for agency staff (keep), supervisors and auditors (read)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts.guards import requires_role
from app.accounts.tables import Role
from app.conflicts import services as conflicts
from app.roster import accounts, declarations, importer, services
from app.roster.config import rules
from app.roster.schemas import ImportUpload
from app.roster.services import ExpertFilter, RosterError
from app.roster.specialties import SpecialtyError, add_specialty, ensure_defaults, load_tree
from app.roster.status import ACTION_LABELS, TRANSITIONS, effective_status, last_day, local_day, today
from app.roster.tables import HOLDING_LABELS, STATUS_LABELS
from app.roster.validation import LEVELS
from app.roster.xlsx import XLSX_MEDIA_TYPE, template
from app.web.parsing import plain_date, plain_int
from app.web.templating import Page

READ = requires_role(Role.ADMIN, Role.AGENCY, Role.SUPERVISOR, Role.AUDITOR)
KEEP = requires_role(Role.ADMIN, Role.AGENCY)
IMPORT_LIMIT = 25 * 1024 * 1024  # a 20,000-row workbook is about 2 MB; leave room


def xlsx_response(content: bytes, filename: str) -> Response[bytes]:
    # RFC 5987: a Chinese file name needs filename*=UTF-8''…, with an ASCII fallback for old clients.
    return Response(content, media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"experts.xlsx\"; filename*=UTF-8''{quote(filename)}"})


def parse_date(value: str | None) -> dt.date | None:
    return plain_date((value or "").strip())


async def form_dict(request: Request) -> dict[str, Any]:
    """Form fields as a dict; `specialties` keeps every ticked box."""
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in form}
    data["specialties"] = form.getall("specialties") if "specialties" in form else []
    return data


def filters_of(q: str, specialty: str, region: str, status: str, title: str, level: str,
               employer: str) -> ExpertFilter:
    return ExpertFilter(q=q.strip(), specialty=specialty, region=region, status=status, title=title.strip(),
                        level=level, employer=employer.strip())


async def expert_or_404(expert_id: int) -> dict[str, Any]:
    row = await services.get_expert(expert_id)
    if row is None:
        raise NotFoundException(f"专家 {expert_id} 不存在")
    return row


def export_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    headers = ["编号", "姓名", "性别", "出生年份", "身份证号码", "手机号码", "电子邮箱", "工作单位",
               "工作单位统一社会信用代码", "职称", "职称级别", "从业年限", "州（市）", "县（市、区）", "专业", "状态",
               "状态截止", "备注"]
    body = [[r["id"], r["name"], r["gender"], r["birth_year"], r["id_number"], r["phone"], r["email"], r["employer"],
             r["employer_credit_code"], r["title"], r["level"], r["years_in_field"], r["region"], r["county"],
             r["specialty_labels"], r["status_label"],
             (last_day(r["status_until"]) or "") if r["status"] in ("suspended", "leave") else "", r["notes"]]
            for r in rows]
    return headers, body


class RosterController(Controller):
    path = "/roster"
    include_in_schema = False
    guards = [READ]

    @get("/")
    async def list_page(self, request: Request, q: FromQuery[str] = "", specialty: FromQuery[str] = "",
                        region: FromQuery[str] = "", status: FromQuery[str] = "", title: FromQuery[str] = "",
                        level: FromQuery[str] = "", employer: FromQuery[str] = "",
                        page: FromQuery[int] = 1, sort: FromQuery[str] = "") -> Template:
        await services.restore_expired()
        tree = await load_tree()
        f = filters_of(q, specialty, region, status, title, level, employer)
        f.sort = sort if sort.lstrip("-") in services.SORT_COLUMNS else ""
        rows, total = await services.list_experts(f, page=page, tree=tree)
        size = rules().page_size
        return Template("roster/list.html.j2", context={
            "rows": [services.present(r, tree, role=request.user.role) for r in rows], "total": total,
            "page": page, "pages": max(1, (total + size - 1) // size), "filters": f, "query": f.as_query(),
            "specialties": tree.options(), "regions": await services.regions(), "statuses": STATUS_LABELS,
            "levels": LEVELS, "can_edit": request.user.role in ("admin", "agency")})

    @get("/export.xlsx")
    async def export(self, request: Request, q: FromQuery[str] = "", specialty: FromQuery[str] = "",
                     region: FromQuery[str] = "", status: FromQuery[str] = "", title: FromQuery[str] = "",
                     level: FromQuery[str] = "", employer: FromQuery[str] = "") -> Response[bytes]:
        return await export_response(request, filters_of(q, specialty, region, status, title, level, employer))

    @get("/experts/new", guards=[KEEP])
    async def new_page(self) -> Template:
        return await edit_page(None, {"status": "active", "specialties": []}, {})

    @post("/experts/new", guards=[KEEP])
    async def create(self, request: Request) -> Page:
        data = await form_dict(request)
        try:
            expert_id = await services.create_expert(request.user, data)
        except RosterError as exc:
            return await edit_page(None, data, exc.errors, 400)
        flash(request, f"已新增专家：{data.get('name')}", category="success")
        return Redirect(f"/roster/experts/{expert_id}", status_code=303)

    @get("/experts/{expert_id:int}")
    async def detail(self, request: Request, expert_id: FromPath[int]) -> Template:
        await services.restore_expired()
        return await detail_page(request, expert_id)

    @get("/experts/{expert_id:int}/edit", guards=[KEEP])
    async def edit_form(self, request: Request, expert_id: FromPath[int]) -> Template:
        row = services.present(await expert_or_404(expert_id), await load_tree(), role=request.user.role)
        return await edit_page(expert_id, row, {})

    @post("/experts/{expert_id:int}/edit", guards=[KEEP])
    async def edit(self, request: Request, expert_id: FromPath[int]) -> Page:
        await expert_or_404(expert_id)
        data = await form_dict(request)
        version = plain_int(str(data.get("version") or "0"), low=0) or 0
        try:
            diff = await services.update_expert(request.user, expert_id, version, data)
        except RosterError as exc:
            return await edit_page(expert_id, {**data, "version": version}, exc.errors, 409
                                   if isinstance(exc, services.StaleVersion) else 400)
        flash(request, "已保存" if diff else "没有改动", category="success")
        return Redirect(f"/roster/experts/{expert_id}", status_code=303)

    @post("/experts/{expert_id:int}/status", guards=[KEEP])
    async def set_status(self, request: Request, expert_id: FromPath[int]) -> Page:
        await expert_or_404(expert_id)
        form = await request.form()
        version = str(form.get("version") or "")
        try:
            await services.change_status(request.user, expert_id, plain_int(version, low=0) or 0,
                                         str(form.get("status") or ""), str(form.get("reason") or ""),
                                         parse_date(form.get("start")), parse_date(form.get("end")))
        except RosterError as exc:
            return await detail_page(request, expert_id, status_errors=exc.errors, status_code=400)
        flash(request, f"状态已改为“{STATUS_LABELS.get(str(form.get('status')), '')}”", category="success")
        return Redirect(f"/roster/experts/{expert_id}", status_code=303)

    @post("/experts/{expert_id:int}/performance", guards=[KEEP])
    async def performance(self, request: Request, expert_id: FromPath[int]) -> Page:
        await expert_or_404(expert_id)
        form = await request.form()
        try:
            await services.add_performance(request.user, expert_id, project=str(form.get("project") or ""),
                                           score=str(form.get("score") or ""),
                                           comment=str(form.get("comment") or ""),
                                           recorded_on=parse_date(form.get("recorded_on")))
        except RosterError as exc:
            return await detail_page(request, expert_id, perf_errors=exc.errors, status_code=400)
        flash(request, "已记录履职评价", category="success")
        return Redirect(f"/roster/experts/{expert_id}", status_code=303)

    @post("/experts/{expert_id:int}/ties/{kind:str}", guards=[KEEP])
    async def add_tie(self, request: Request, expert_id: FromPath[int], kind: FromPath[str]) -> Page:
        await expert_or_404(expert_id)
        try:
            await declarations.add_tie(request.user, expert_id, kind, await form_dict(request))
        except RosterError as exc:
            return await detail_page(request, expert_id, tie_errors={kind: exc.errors}, status_code=400)
        flash(request, f"已添加{declarations.KIND_LABELS.get(kind, '')}", category="success")
        return Redirect(f"/roster/experts/{expert_id}#{kind}", status_code=303)

    @post("/experts/{expert_id:int}/ties/{kind:str}/{item_id:int}/delete", guards=[KEEP])
    async def remove_tie(self, request: Request, expert_id: FromPath[int], kind: FromPath[str],
                         item_id: FromPath[int]) -> Page:
        try:
            await declarations.remove_tie(request.user, expert_id, kind, item_id)
        except RosterError as exc:
            raise NotFoundException(next(iter(exc.errors.values()))) from None
        flash(request, "已删除", category="success")
        return Redirect(f"/roster/experts/{expert_id}#{kind}", status_code=303)

    @post("/experts/{expert_id:int}/account/create", guards=[KEEP])
    async def create_account(self, request: Request, expert_id: FromPath[int]) -> Page:
        await expert_or_404(expert_id)
        form = await request.form()
        username = str(form.get("username") or "").strip()
        try:
            await accounts.create_account(request.user, expert_id, username=username,
                                          password=str(form.get("password") or ""),
                                          repeat=str(form.get("repeat") or ""))
        except RosterError as exc:
            return await detail_page(request, expert_id, account_errors=exc.errors,
                                     account_form={"username": username}, status_code=400)
        flash(request, f"已为该专家开通登录账户“{username}”，请将用户名和初始密码告知专家", category="success")
        return Redirect(f"/roster/experts/{expert_id}#account", status_code=303)

    @post("/experts/{expert_id:int}/account/link", guards=[KEEP])
    async def link_account(self, request: Request, expert_id: FromPath[int]) -> Page:
        await expert_or_404(expert_id)
        form = await request.form()
        username = str(form.get("username") or "").strip()
        try:
            await accounts.link_account(request.user, expert_id, username)
        except RosterError as exc:
            return await detail_page(request, expert_id, account_errors={"link": next(iter(exc.errors.values()))},
                                     account_form={"link_username": username}, status_code=400)
        flash(request, f"已关联登录账户“{username}”", category="success")
        return Redirect(f"/roster/experts/{expert_id}#account", status_code=303)

    @post("/experts/{expert_id:int}/account/unlink", guards=[KEEP])
    async def unlink_account(self, request: Request, expert_id: FromPath[int]) -> Page:
        await expert_or_404(expert_id)
        try:
            await accounts.unlink_account(request.user, expert_id)
        except RosterError as exc:
            return await detail_page(request, expert_id, account_errors=exc.errors, status_code=400)
        flash(request, "已解除登录账户关联；账户本身保留，可再次关联", category="success")
        return Redirect(f"/roster/experts/{expert_id}#account", status_code=303)

    @get("/import", guards=[KEEP])
    async def import_page(self) -> Template:
        return Template("roster/import.html.j2", context={"report": None, "max": rules().max_specialties})

    @get("/import/template.xlsx", guards=[KEEP])
    async def import_template(self) -> Response[bytes]:
        tree = await load_tree()
        labels = [o["label"] for o in tree.options()]
        return xlsx_response(await anyio.to_thread.run_sync(template, labels), "专家库导入模板.xlsx")

    @post("/import", guards=[KEEP], request_max_body_size=IMPORT_LIMIT)
    async def import_upload(self, request: Request, data: MultipartBody[ImportUpload]) -> Page:
        if data.action == "commit" and data.token:
            report = await importer.commit_kept(request.user, data.token, data.filename)
        elif not isinstance(data.file, UploadFile):
            report = importer.ImportReport(ok=False, file_error="请选择要上传的 .xlsx 文件")
        else:
            content = await data.file.read()
            report = await importer.dry_run(content, data.file.filename or "", keep=True)
            report.filename = data.file.filename or ""
        if report.ok and report.imported:
            flash(request, f"已导入 {report.imported} 名专家", category="success")
            return Redirect("/roster/", status_code=303)
        return Template("roster/import.html.j2", status_code=200 if report.ok else 400,
                        context={"report": report, "max": rules().max_specialties})

    @get("/changes")
    async def changes(self, request: Request) -> Template:
        return Template("roster/changes.html.j2", context={
            "changes": await services.pending_changes(), "can_edit": request.user.role in ("admin", "agency")})

    @post("/changes/{change_id:int}/ack", guards=[KEEP])
    async def acknowledge(self, request: Request, change_id: FromPath[int]) -> Redirect:
        try:
            await services.acknowledge_change(request.user, change_id)
        except RosterError as exc:
            raise NotFoundException(next(iter(exc.errors.values()))) from None
        flash(request, "已核对", category="success")
        return Redirect("/roster/changes", status_code=303)

    @get("/specialties")
    async def specialties(self, request: Request) -> Template:
        return await specialty_page(request, {})

    @post("/specialties", guards=[requires_role(Role.ADMIN)])
    async def add_specialty(self, request: Request) -> Page:
        form = await request.form()
        try:
            if form.get("defaults"):
                await ensure_defaults(request.user)
            else:
                await add_specialty(request.user, code=str(form.get("code") or ""), name=str(form.get("name") or ""),
                                    parent_code=str(form.get("parent_code") or ""))
        except SpecialtyError as exc:
            return await specialty_page(request, exc.errors, 400)
        flash(request, "专业分类已更新", category="success")
        return Redirect("/roster/specialties", status_code=303)


async def export_response(request: Request, f: ExpertFilter) -> Response[bytes]:
    tree = await load_tree()
    rows, _ = await services.list_experts(f, page_size=0, tree=tree)
    headers, body = export_rows([services.present(r, tree, role=request.user.role) for r in rows])
    from app.roster.xlsx import export

    # Writing a workbook of the whole roster is seconds of CPU: off the event loop, so other
    # people's requests are served meanwhile.
    content = await anyio.to_thread.run_sync(export, headers, body)
    return xlsx_response(content, f"专家名单-{today().isoformat()}.xlsx")


async def edit_page(expert_id: int | None, row: dict[str, Any], errors: dict[str, str],
                    status_code: int = 200) -> Template:
    tree = await load_tree()
    return Template("roster/edit.html.j2", status_code=status_code, context={
        "expert_id": expert_id, "e": row, "errors": errors, "specialties": tree.options(), "levels": LEVELS,
        "max": rules().max_specialties, "regions": await services.regions()})


async def specialty_page(request: Request, errors: dict[str, str], status_code: int = 200) -> Template:
    tree = await load_tree()
    return Template("roster/specialties.html.j2", status_code=status_code, context={
        "options": tree.options(), "tops": [o for o in tree.options() if o["depth"] == 0], "errors": errors,
        "is_admin": request.user.role == "admin", "max": rules().max_specialties})


async def detail_page(request: Request, expert_id: int, *, status_errors: dict[str, str] | None = None,
                      perf_errors: dict[str, str] | None = None, tie_errors: dict[str, Any] | None = None,
                      account_errors: dict[str, str] | None = None, account_form: dict[str, str] | None = None,
                      status_code: int = 200) -> Template:
    raw = await expert_or_404(expert_id)
    tree = await load_tree()
    e = services.present(raw, tree, role=request.user.role)
    stored = effective_status(raw["status"], raw["status_from"], raw["status_until"], today())
    records = [r for r in await conflicts.list_records() if r["expert"] == expert_id]
    can_edit = request.user.role in ("admin", "agency")
    return Template("roster/detail.html.j2", status_code=status_code, context={
        "e": e, "ties": await declarations.list_ties(expert_id), "history": await services.status_history(expert_id),
        "changes": await services.change_history(expert_id), "perf": await services.performance(expert_id),
        "records": records, "transitions": [(s, ACTION_LABELS[(stored, s)]) for s in TRANSITIONS.get(stored, ())],
        "status_errors": status_errors or {}, "perf_errors": perf_errors or {}, "tie_errors": tie_errors or {},
        "can_edit": can_edit, "statuses": STATUS_LABELS, "account": await accounts.linked_account(expert_id),
        "free_accounts": await accounts.unlinked_expert_accounts() if can_edit and raw["user"] is None else [],
        "account_errors": account_errors or {}, "account_form": account_form or {},
        "holding_labels": HOLDING_LABELS, "relations": declarations.RELATIONS, "kind_labels": declarations.KIND_LABELS,
        "tie_base": f"/roster/experts/{expert_id}/ties", "status_from_day": local_day(raw["status_from"])
        if raw["status_from"] else None, "status_last_day": last_day(raw["status_until"])})
