"""Panel pages: the draw, its confirmation and replay, seats, invitations, outbox. Thin handlers."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template

from app.accounts.guards import READERS, requires_role
from app.accounts.ratelimit import TOKEN_FAILURES
from app.accounts.tables import Role
from app.audit.services import SYSTEM
from app.panels import drawing, invitations, mail, seat_accounts, seats
from app.panels.schemas import AccountForm, ImportForm, PanelOut, ReasonForm, RepForm, ReplayOut, SeatOut
from app.panels.seats import PanelError
from app.panels.view import can_see_names, panel_view
from app.reviews.services import get_review, get_review_and_project
from app.reviews.tables import KIND_LABELS, SOURCE_LABELS, STATUS_LABELS
from app.roster.tables import Expert
from app.web.middleware import RateLimitMiddleware
from app.web.templating import Page

READ = requires_role(*READERS)
AGENCY = requires_role(Role.AGENCY)
SUPERVISOR = requires_role(Role.SUPERVISOR)
STAFF = requires_role(Role.AGENCY, Role.SUPERVISOR)
WITNESSES = requires_role(Role.SUPERVISOR, Role.AUDITOR)
EXPERT = requires_role(Role.EXPERT)
PUBLIC = {"public": True}


async def panel_page(request: Request, review_id: int, errors: dict[str, str] | None = None,
                     status: int = 200, *, account_seat: int | None = None,
                     new_account: dict[str, str] | None = None) -> Template:
    """The panel page; `account_seat` marks the seat an account error belongs to, `new_account`
    carries a just-created seat account whose initial password is shown this once."""
    review, project = await get_review_and_project(request.user, review_id)
    if not errors:
        await seats.expire_overdue(SYSTEM, review.id)  # no scheduler: overdue invitations end when looked at
    view = await panel_view(request.user, review)
    # A page carrying an initial password must not stay in any cache (browser back, proxy).
    headers = {"Cache-Control": "no-store"} if new_account else None
    return Template("panels/panel.html.j2", status_code=status, media_type=MediaType.HTML, headers=headers, context={
        "review": review, "project": project, **view, "errors": errors or {}, "kinds": KIND_LABELS,
        "statuses": STATUS_LABELS, "sources": SOURCE_LABELS, "account_seat": account_seat,
        "new_account": new_account})


class PanelController(Controller):
    path = "/reviews/{review_id:int}"
    include_in_schema = False

    @get("/panel", guards=[READ])
    async def panel(self, request: Request, review_id: FromPath[int]) -> Template:
        return await panel_page(request, review_id)

    async def _do(self, request: Request, review_id: int, call: Any, message: str) -> Page:
        try:
            result = await call
        except PanelError as exc:
            return await panel_page(request, review_id, exc.errors, exc.status_code)
        flash(request, message.format(result=result), category="success")
        return Redirect(f"/reviews/{review_id}/panel", status_code=303)

    @post("/panel/draws", guards=[AGENCY])
    async def prepare_draw(self, request: Request, review_id: FromPath[int]) -> Page:
        return await self._do(request, review_id, drawing.prepare_draw(request.user, review_id),
                              "抽取已准备（输入与专家池哈希已固定），请本机构监督人登录后在 30 分钟内确认")

    @post("/panel/import", guards=[AGENCY])
    async def import_names(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[ImportForm]) -> Page:
        return await self._do(request, review_id, seats.import_names(request.user, review_id, data.names,
                                                                      data.reference), "已导入 {result} 名专家")

    @post("/panel/reps", guards=[AGENCY])
    async def add_rep(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[RepForm]) -> Page:
        return await self._do(request, review_id, seats.add_purchaser_rep(request.user, review_id, data.rep_name,
                                                                           data.rep_org), "已登记采购人代表")

    @post("/panel/recheck", guards=[STAFF])
    async def recheck(self, request: Request, review_id: FromPath[int]) -> Page:
        return await self._do(request, review_id, seats.recheck_panel(request.user, review_id),
                              "回避核查完成：{result}")

    @post("/panel/expire", guards=[STAFF])
    async def expire(self, request: Request, review_id: FromPath[int]) -> Page:
        await get_review(request.user, review_id)
        return await self._do(request, review_id, seats.expire_overdue(request.user, review_id),
                              "已处理超时未答复的邀请 {result} 份")

    # --- sign-in accounts of seats outside the roster (采购人代表, imported names) -------------

    @post("/panel/seats/{seat_id:int}/account", guards=[AGENCY])
    async def create_seat_account(self, request: Request, review_id: FromPath[int], seat_id: FromPath[int],
                                  data: URLEncodedBody[AccountForm]) -> Page:
        try:
            created = await seat_accounts.create_seat_account(request.user, review_id, seat_id, data.username)
        except PanelError as exc:
            return await panel_page(request, review_id, exc.errors, exc.status_code, account_seat=seat_id)
        # Rendered, not redirected: the initial password is shown once and never kept (not even in a flash).
        return await panel_page(request, review_id, new_account=created)

    @post("/panel/seats/{seat_id:int}/account/link", guards=[AGENCY])
    async def link_seat_account(self, request: Request, review_id: FromPath[int], seat_id: FromPath[int],
                                data: URLEncodedBody[AccountForm]) -> Page:
        try:
            username = await seat_accounts.link_seat_account(request.user, review_id, seat_id, data.username)
        except PanelError as exc:
            return await panel_page(request, review_id, exc.errors, exc.status_code, account_seat=seat_id)
        flash(request, f"已关联登录账户“{username}”，该账户即可为此席位评分", category="success")
        return Redirect(f"/reviews/{review_id}/panel", status_code=303)

    @post("/panel/seats/{seat_id:int}/account/unlink", guards=[AGENCY])
    async def unlink_seat_account(self, request: Request, review_id: FromPath[int], seat_id: FromPath[int]) -> Page:
        try:
            username = await seat_accounts.unlink_seat_account(request.user, review_id, seat_id)
        except PanelError as exc:
            return await panel_page(request, review_id, exc.errors, exc.status_code, account_seat=seat_id)
        flash(request, f"已解除登录账户“{username}”与该席位的关联（账户本身保留）", category="success")
        return Redirect(f"/reviews/{review_id}/panel", status_code=303)

    @post("/open", guards=[AGENCY])
    async def open_review(self, request: Request, review_id: FromPath[int]) -> Page:
        return await self._do(request, review_id, seats.open_review(request.user, review_id),
                              "评审已开始，专家名单对经办人解封")


class DrawController(Controller):
    path = "/panels"
    include_in_schema = False

    async def _draw_page(self, request: Request, draw_id: int, errors: dict[str, str] | None = None,
                         status: int = 200, replay: dict[str, Any] | None = None) -> Template:
        review, draw = await drawing.get_draw(request.user, draw_id)
        names = {}
        if can_see_names(request.user, review) and draw["output"]:
            panel = draw["output"]["panels"][0]
            ids = [*panel["members"], *panel["alternates"]]
            rows = await Expert.select(Expert.id, Expert.name).where(Expert.id.is_in(ids))
            names = {r["id"]: r["name"] for r in rows}
        return Template("panels/draw.html.j2", status_code=status, context={
            "review": review, "draw": draw, "names": names, "names_visible": can_see_names(request.user, review),
            "errors": errors or {}, "replay": replay})

    @get("/draws/{draw_id:int}", guards=[READ])
    async def draw_record(self, request: Request, draw_id: FromPath[int]) -> Template:
        return await self._draw_page(request, draw_id)

    @post("/draws/{draw_id:int}/confirm", guards=[SUPERVISOR])
    async def confirm(self, request: Request, draw_id: FromPath[int]) -> Page:
        try:
            result = await drawing.confirm_draw(request.user, draw_id)
        except PanelError as exc:
            return await self._draw_page(request, draw_id, exc.errors, exc.status_code)
        flash(request, f"抽取完成：评审专家 {result['members']} 名、候补 {result['alternates']} 名，"
                       f"种子 {result['seed']}；邀请已发出", category="success")
        return Redirect(f"/panels/draws/{draw_id}", status_code=303)

    @post("/draws/{draw_id:int}/cancel", guards=[STAFF])
    async def cancel(self, request: Request, draw_id: FromPath[int], data: URLEncodedBody[ReasonForm]) -> Page:
        try:
            await drawing.cancel_draw(request.user, draw_id, data.reason)
        except PanelError as exc:
            return await self._draw_page(request, draw_id, exc.errors, exc.status_code)
        flash(request, "已取消本次抽取", category="success")
        return Redirect(f"/panels/draws/{draw_id}", status_code=303)

    @get("/draws/{draw_id:int}/replay", guards=[WITNESSES])
    async def replay(self, request: Request, draw_id: FromPath[int]) -> Template:
        try:
            result = await drawing.replay_draw(request.user, draw_id)
        except PanelError as exc:
            return await self._draw_page(request, draw_id, exc.errors, exc.status_code)
        return await self._draw_page(request, draw_id, replay=result)

    @post("/seats/{seat_id:int}/recuse", guards=[STAFF])
    async def recuse(self, request: Request, seat_id: FromPath[int], data: URLEncodedBody[ReasonForm]) -> Page:
        from app.panels.tables import PanelSeat

        row = await PanelSeat.select(PanelSeat.review).where(PanelSeat.id == seat_id).first()
        review_id = row["review"] if row else 0
        try:
            await seats.recuse_seat(request.user, seat_id, data.reason)
        except PanelError as exc:
            return await panel_page(request, review_id, exc.errors, exc.status_code)
        flash(request, "已记录回避，空缺按候补顺序递补", category="success")
        return Redirect(f"/reviews/{review_id}/panel", status_code=303)

    @get("/outbox", guards=[requires_role(Role.ADMIN)])
    async def outbox(self) -> Template:
        return Template("panels/outbox.html.j2", context={
            "messages": await mail.list_outbox(), "smtp": mail.mail_settings().enabled})


class InvitationController(Controller):
    """The e-mailed link: public, guarded by its one-time token."""

    path = "/invitations"
    include_in_schema = False
    middleware = [RateLimitMiddleware(TOKEN_FAILURES, failures_only=True)]

    async def _page(self, token: str, errors: dict[str, str] | None = None, status: int = 200,
                    done: str = "") -> Template:
        context = await invitations.invitation_page(token)
        return Template("panels/invitation.html.j2", status_code=status,
                        context={**context, "token": token, "errors": errors or {}, "done": done})

    @get("/{token:str}", opt=PUBLIC)
    async def show(self, token: FromPath[str]) -> Template:
        return await self._page(token)

    async def _answer(self, token: str, accept: bool, reason: str) -> Template:
        try:
            await invitations.answer_by_token(token, accept=accept, reason=reason)
        except PanelError as exc:
            if exc.status_code == 404:
                raise NotFoundException("邀请链接无效") from None
            return await self._page(token, exc.errors, exc.status_code)
        done = "感谢您接受邀请，请按时参加评审。" if accept else "已记录您的谢绝，感谢告知。"
        return await self._page(token, done=done)

    @post("/{token:str}/accept", opt=PUBLIC)
    async def accept(self, token: FromPath[str]) -> Template:
        return await self._answer(token, True, "")

    @post("/{token:str}/decline", opt=PUBLIC)
    async def decline(self, token: FromPath[str], data: URLEncodedBody[ReasonForm]) -> Template:
        return await self._answer(token, False, data.reason)


class MyInvitationController(Controller):
    path = "/my/invitations"
    include_in_schema = False
    guards = [EXPERT]

    async def _page(self, request: Request, errors: dict[str, str] | None = None, status: int = 200) -> Template:
        return Template("panels/my_invitations.html.j2", status_code=status, context={
            "invitations": await invitations.my_invitations(request.user), "errors": errors or {}})

    @get("/")
    async def mine(self, request: Request) -> Template:
        return await self._page(request)

    async def _answer(self, request: Request, invitation_id: int, accept: bool, reason: str) -> Page:
        try:
            await invitations.answer_by_account(request.user, invitation_id, accept=accept, reason=reason)
        except PanelError as exc:
            return await self._page(request, exc.errors, exc.status_code)
        flash(request, "已接受邀请" if accept else "已谢绝邀请", category="success")
        return Redirect("/my/invitations", status_code=303)

    @post("/{invitation_id:int}/accept")
    async def accept(self, request: Request, invitation_id: FromPath[int]) -> Page:
        return await self._answer(request, invitation_id, True, "")

    @post("/{invitation_id:int}/decline")
    async def decline(self, request: Request, invitation_id: FromPath[int], data: URLEncodedBody[ReasonForm]) -> Page:
        return await self._answer(request, invitation_id, False, data.reason)


class PanelApiController(Controller):
    path = "/api"
    tags = ["评审小组"]

    @get("/reviews/{review_id:int}/panel", guards=[READ], operation_id="GetPanel",
         summary="评审小组（经办人在评审开始前只见人数与状态）")
    async def panel(self, request: Request, review_id: FromPath[int]) -> PanelOut:
        review = await get_review(request.user, review_id)
        view = await panel_view(request.user, review)
        counts = view["counts"]
        return PanelOut(review_id=review.id, names_visible=view["names_visible"], needed=counts["needed"],
                        accepted=counts["accepted"], invited=counts["invited"], standby=counts["standby"],
                        vacant=view["vacant"], complete=not view["problems"],
                        seats=[SeatOut(id=s["id"], role=s["role"], state=s["state"], seat_no=s["seat_no"],
                                       drawn_order=s["drawn_order"], name=s["name"], org=s["org"])
                               for s in view["seats"]])

    @get("/panels/draws/{draw_id:int}/replay", guards=[WITNESSES], operation_id="ReplayDraw",
         summary="复核抽取：按记录的输入与种子重新抽取并逐字节比对")
    async def replay(self, request: Request, draw_id: FromPath[int]) -> Any:
        try:
            result = await drawing.replay_draw(request.user, draw_id)
        except PanelError as exc:
            return Response({"detail": "；".join(exc.errors.values())}, status_code=exc.status_code)
        return ReplayOut(**{k: result[k] for k in ReplayOut.__struct_fields__})
