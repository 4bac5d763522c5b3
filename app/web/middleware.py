"""Loads the signed-in user into the scope and enforces the idle timeout."""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.accounts.tables import User
from app.settings import get_settings
from app.web.who import OUTSIDE_ROSTER, ROLE_LABEL, describe


class CurrentUserMiddleware(ASGIMiddleware):
    """Sets `scope["user"]` on every request (None when nobody is signed in).

    Guards decide what the user may do; this only says who they are. A session idle for
    longer than the configured minutes is dropped and the request marked so the sign-in page
    can say the session expired rather than "please sign in".
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = None
        session = scope.get("session")
        if isinstance(session, dict) and (user_id := session.get("user_id")) is not None:
            now = time.time()
            idle_limit = get_settings().session_idle_minutes * 60
            if now - float(session.get("seen", 0)) > idle_limit:
                session.clear()
                scope["pingshen_session_expired"] = True  # type: ignore[typeddict-unknown-key]
            else:
                # A stopped agency's staff stop acting at their next request, like a disabled account.
                user = await User.objects().where(
                    (User.id == user_id) & (User.is_active.eq(True))
                    & (User.agency.is_null() | User.agency.is_active.eq(True))).first()
                if user is None:
                    session.clear()
                else:
                    session["seen"] = now
                    scope["user"] = user
                    if user.must_change_password and not _may_pass(scope):
                        await _redirect_to_password(send)
                        return
                    if user.role == "expert" and not scope.get("path", "").startswith(("/api/", "/static/")):
                        # Pages only (not autosave): a 采购人代表 is labelled as such, with no 个人资料 link.
                        outside, label = await describe(user)
                        scope[OUTSIDE_ROSTER] = outside  # type: ignore[literal-required]
                        scope[ROLE_LABEL] = label  # type: ignore[literal-required]
        await next_app(scope, receive, send)


# After an administrator's password reset, only these paths answer until a new password is set.
_RESET_PATHS = ("/account/password", "/logout", "/static/", "/favicon")


async def _redirect_to_password(send: Send) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", b"/account/password?reason=reset"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def _may_pass(scope: Scope) -> bool:
    path = scope.get("path", "")
    return path.startswith(_RESET_PATHS)
