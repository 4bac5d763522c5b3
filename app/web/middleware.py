"""Loads the signed-in user into the scope and enforces the idle timeout."""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from app.accounts.tables import User
from app.settings import get_settings


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
                user = await User.objects().where((User.id == user_id) & (User.is_active.eq(True))).first()
                if user is None:
                    session.clear()
                else:
                    session["seen"] = now
                    scope["user"] = user
        await next_app(scope, receive, send)
