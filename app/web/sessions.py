"""Server-side sessions that get a new id at sign-in, and the CSRF token bound to them.

Litestar keeps the id from the incoming cookie, so a session id planted in a browser before
sign-in would stay valid after it (session fixation). Setting `ROTATE_KEY` in the session
makes the next response store it under a fresh id and delete the old one.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection, Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.dataclass import extract_dataclass_items
from litestar.utils.scope.state import ScopeState

ROTATE_KEY = "_rotate_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    async def store_in_message(self, scope_session: Any, message: Message, connection: ASGIConnection) -> None:
        if not (isinstance(scope_session, dict) and scope_session.pop(ROTATE_KEY, False)):
            await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        if old_id := connection.cookies.get(self.config.key):
            await self.delete(old_id, store=store)
        new_id = self.generate_session_id()
        await self.set(session_id=new_id, data=self.serialize_data(scope_session, connection.scope), store=store)
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie", Cookie(value=new_id, key=self.config.key, **params).to_header(header="")
        )


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class: type[ServerSideSessionBackend] = RotatingSessionBackend  # type: ignore[assignment]


CSRF_KEY = "_csrf"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
CSRF_FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SessionCSRFMiddleware(ASGIMiddleware):
    """表单安全令牌 — a CSRF token kept in the server-side session, so it is bound to the session.

    Litestar's own CSRF check compares a form field with a cookie (double submit): a token
    minted for one browser's session is accepted from any other session, and a cookie planted
    by someone else passes. Here the token lives in the session; a request that changes
    anything must bring the token of *its* session (form field or `x-csrftoken` header). The
    `csrftoken` cookie only mirrors it for the page's script. When the session is replaced (sign-in
    starts a fresh one), a fresh token is issued with it.

    Runs after the session middleware and before the signed-in-user check, so an expired
    session still reports "expired" rather than a token failure.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, *, secure: bool) -> None:
        self.secure = secure

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session")
        if not isinstance(session, dict):
            session = scope["session"] = {}  # type: ignore[typeddict-item]
        token = session.get(CSRF_KEY)
        if not isinstance(token, str):
            token = session[CSRF_KEY] = secrets.token_urlsafe(32)
        method = scope.get("method", "GET")
        if method not in SAFE_METHODS:
            request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope=scope, receive=receive)
            submitted = request.headers.get(CSRF_HEADER)
            content_type, _ = request.content_type
            if not submitted and content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
                value = (await request.form()).get(CSRF_FIELD)
                submitted = value if isinstance(value, str) else None
            if not submitted or not hmac.compare_digest(submitted.encode(), token.encode()):
                raise PermissionDeniedException("CSRF token verification failed")
        ScopeState.from_scope(scope).csrf_token = token
        sent_cookie = ASGIConnection(scope).cookies.get(CSRF_COOKIE)

        async def send_token(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope.get("session")
                value = token
                if isinstance(current, dict):
                    if not isinstance(current.get(CSRF_KEY), str):
                        current[CSRF_KEY] = secrets.token_urlsafe(32)  # a new session gets a new token
                    value = current[CSRF_KEY]
                if value != sent_cookie:
                    cookie = Cookie(key=CSRF_COOKIE, value=value, path="/", samesite="lax", secure=self.secure,
                                    httponly=False)  # the page's script sends it back as a header
                    MutableScopeHeaders.from_message(message).add("Set-Cookie", cookie.to_header(header=""))
            await send(message)

        await next_app(scope, receive, send_token)
