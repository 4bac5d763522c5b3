"""Sign-in, sign-out, own password, user administration, and /api/me."""

from __future__ import annotations

import time

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts import admin, ratelimit, services
from app.accounts.guards import requires_role, requires_signed_in
from app.accounts.schemas import Me, PasswordForm, SignInForm, UserEditForm, UserForm, UserStatusForm
from app.accounts.tables import ROLE_LABELS, Role, User
from app.web.middleware import RateLimitMiddleware
from app.web.parsing import plain_int
from app.web.sessions import ROTATE_KEY
from app.web.templating import Page

# Lockout stops guessing one account; this stops one address trying many accounts.
sign_in_rate_limit = RateLimitMiddleware(ratelimit.SIGN_IN)

PUBLIC = {"public": True}


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after sign-in would be a phishing aid.
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


class AuthController(Controller):
    include_in_schema = False

    @get("/login", opt=PUBLIC)
    async def sign_in_page(self, request: Request, next: FromQuery[str] = "/", reason: FromQuery[str] = "") -> Template:
        message = {"expired": "登录已过期，请重新登录。", "required": "请先登录。"}.get(reason, "")
        return Template("accounts/login.html.j2", context={"next": _safe_next(next), "notice": message,
                                                           "error": "", "username": ""})

    @post("/login", opt=PUBLIC, middleware=[sign_in_rate_limit])
    async def sign_in(self, request: Request, data: URLEncodedBody[SignInForm]) -> Page:
        ip = request.client.host if request.client else ""
        result = await services.authenticate(data.username, data.password, ip=ip)
        if result.user is None:
            return Template("accounts/login.html.j2", status_code=400, context={
                "next": _safe_next(data.next), "notice": "", "error": result.message, "username": data.username})
        request.clear_session()
        request.set_session({"user_id": result.user.id, "seen": time.time(), ROTATE_KEY: True})
        flash(request, f"欢迎，{result.user.display_name}（{ROLE_LABELS[result.user.role]}）", category="success")
        return Redirect(_safe_next(data.next), status_code=303)

    @post("/logout", guards=[requires_signed_in])
    async def sign_out(self, request: Request) -> Redirect:
        await services.sign_out(request.user)
        request.clear_session()
        return Redirect("/login?reason=", status_code=303)


class AccountController(Controller):
    path = "/account"
    include_in_schema = False
    guards = [requires_signed_in]

    @get("/password")
    async def password_page(self, request: Request) -> Template:
        notice = "管理员已重置您的密码，请先设置一个新密码再继续。" if request.user.must_change_password else ""
        return Template("accounts/password.html.j2", context={"errors": {}, "notice": notice})

    @post("/password")
    async def change_password(self, request: Request, data: URLEncodedBody[PasswordForm]) -> Page:
        try:
            await services.change_password(request.user, data.current, data.new, data.repeat)
        except services.AccountError as exc:
            return Template("accounts/password.html.j2", status_code=400, context={"errors": exc.errors})
        flash(request, "密码已修改", category="success")
        return Redirect("/", status_code=303)


class UserAdminController(Controller):
    path = "/admin/users"
    include_in_schema = False
    guards = [requires_role(Role.ADMIN)]

    async def _page(self, errors: dict[str, str], form: UserForm, status: int = 200) -> Template:
        return Template("accounts/users.html.j2", status_code=status, context={
            "users": await services.list_users(), "agencies": await services.list_agencies(),
            "roles": ROLE_LABELS, "errors": errors, "form": form})

    @get("/")
    async def list_users(self) -> Template:
        return await self._page({}, UserForm())

    @post("/")
    async def create_user(self, request: Request, data: URLEncodedBody[UserForm]) -> Page:
        agency_id: int | None = None
        if data.agency_id.strip():
            agency_id = plain_int(data.agency_id.strip(), low=0)
            if agency_id is None:
                return await self._page({"agency": "机构选择无效"}, data, 400)
        try:
            user = await services.create_user(
                username=data.username, display_name=data.display_name, role=data.role,
                password=data.password, agency_id=agency_id, email=data.email, actor=request.user)
        except services.AccountError as exc:
            data.password = ""
            return await self._page(exc.errors, data, 400)
        flash(request, f"已创建用户 {user.username}", category="success")
        return Redirect("/admin/users", status_code=303)

    async def _edit_page(self, user_id: int, errors: dict[str, str], form: UserEditForm | None = None,
                         status: int = 200, temporary: str = "") -> Template:
        user = await User.objects().where(User.id == user_id).first()
        if user is None:
            raise NotFoundException(f"用户 {user_id} 不存在")
        if form is None:
            form = UserEditForm(display_name=user.display_name, email=user.email, role=user.role,
                                agency_id=str(user.agency or ""))
        headers = {"Cache-Control": "no-store"} if temporary else {}
        return Template("accounts/user_edit.html.j2", status_code=status, headers=headers, context={
            "u": user, "agencies": await services.list_agencies(), "roles": ROLE_LABELS, "errors": errors,
            "form": form, "temporary": temporary, "held": await admin._seats_held(user.id)})

    @get("/{user_id:int}")
    async def edit_page(self, user_id: FromPath[int]) -> Template:
        return await self._edit_page(user_id, {})

    @post("/{user_id:int}/edit")
    async def edit_user(self, request: Request, user_id: FromPath[int], data: URLEncodedBody[UserEditForm]) -> Page:
        agency_id: int | None = None
        if data.agency_id.strip():
            agency_id = plain_int(data.agency_id.strip(), low=0)
            if agency_id is None:
                return await self._edit_page(user_id, {"agency": "机构选择无效"}, data, 400)
        try:
            user = await admin.update_user(request.user, user_id, display_name=data.display_name, email=data.email,
                                           role=data.role, agency_id=agency_id)
        except services.AccountError as exc:
            return await self._edit_page(user_id, exc.errors, data, 404 if "user" in exc.errors else 400)
        flash(request, f"已保存用户 {user.username}", category="success")
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/status")
    async def set_status(self, request: Request, user_id: FromPath[int], data: URLEncodedBody[UserStatusForm]) -> Page:
        if data.active not in ("0", "1"):
            return await self._edit_page(user_id, {"user": "请选择启用或停用"}, status=400)
        try:
            user = await admin.set_user_active(request.user, user_id, data.active == "1")
        except services.AccountError as exc:
            return await self._edit_page(user_id, exc.errors, status=400)
        flash(request, f"{'已启用' if data.active == '1' else '已停用'}用户 {user.username}", category="success")
        return Redirect(f"/admin/users/{user_id}", status_code=303)

    @post("/{user_id:int}/reset")
    async def reset_password(self, request: Request, user_id: FromPath[int]) -> Template:
        try:
            _, password = await admin.reset_password(request.user, user_id)
        except services.AccountError as exc:
            return await self._edit_page(user_id, exc.errors, status=400)
        # Shown on this response only: it is not stored in clear, and the page is sent no-store.
        return await self._edit_page(user_id, {}, temporary=password)


class AccountApiController(Controller):
    path = "/api"
    tags = ["账户"]
    guards = [requires_signed_in]

    @get("/me", operation_id="GetMe", summary="当前登录用户")
    async def me(self, request: Request) -> Me:
        user = request.user
        return Me(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                  agency_id=user.agency)
