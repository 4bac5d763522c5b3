"""Request-level checks: who is signed in (and the idle timeout), per-address rate limits,
numbers in query strings, and the security headers on every response."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.params import ParameterKwarg
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import ratelimit
from app.accounts.tables import User
from app.settings import get_settings
from app.web.parsing import bad_number, check_json, plain_int
from app.web.who import OUTSIDE_ROSTER, ROLE_LABEL, describe

RETRY_AFTER_KEY = "pingshen_retry_after"

# Everything is served by us: no CDN, no inline script or style, no framing, forms post home.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def security_headers(message: Message, scope: Scope) -> None:
    """Before-send hook: the headers go on every response, error pages included.

    A hook rather than `response_headers` or a middleware because it sees every message the
    app sends — also 404/405 from the router and pages rendered by exception handlers, which
    never pass through route middleware.
    """
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if (retry := scope.get(RETRY_AFTER_KEY)) and "Retry-After" not in headers:
        headers["Retry-After"] = str(retry)


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


class RateLimitMiddleware(ASGIMiddleware):
    """A per-address limit counted in the database (`app.accounts.ratelimit`), shared by workers.

    `failures_only`: count only requests answered 404 (an unknown token), and refuse an
    address once it has used up its failures — the lookup itself is never reached then.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, limit: ratelimit.Limit, *, failures_only: bool = False) -> None:
        self.limit = limit
        self.failures_only = failures_only

    @staticmethod
    def _refuse(scope: Scope, counted: ratelimit.Count) -> TooManyRequestsException:
        # The error page is rendered by the app's exception handler; the header is added on the
        # way out (`security_headers`), whichever handler renders the page.
        scope[RETRY_AFTER_KEY] = counted.retry_after  # type: ignore[literal-required]
        return TooManyRequestsException("请求过于频繁，请稍后再试", headers={"Retry-After": str(counted.retry_after)})

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        client = scope.get("client")
        address = client[0] if client else ""
        if not self.failures_only:
            counted = await ratelimit.count(self.limit, address)
            if counted.hits > self.limit.hits:
                raise self._refuse(scope, counted)
            await next_app(scope, receive, send)
            return
        so_far = await ratelimit.current(self.limit, address)
        if so_far.hits >= self.limit.hits:
            raise self._refuse(scope, so_far)
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await next_app(scope, receive, watch)
        if status and status[0] == 404:
            await ratelimit.count(self.limit, address, summary_at=self.limit.hits)


class InputMiddleware(ASGIMiddleware):
    """Numbers in query strings and JSON bodies, checked before any handler sees them (see `app.web.parsing`).

    Query parameters typed `int` must be plain ASCII decimals in int32 range: Litestar converts
    them with msgspec, which takes '1e5' and 2**64, so the raw text is checked here, once for
    every handler. JSON bodies may nest at most `MAX_JSON_DEPTH` deep and carry integers in
    int32 range only (every id, version and count in the API is an `Integer` column).
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        self._names: dict[int, frozenset[str]] = {}

    def _int_params(self, handler: Any) -> frozenset[str]:
        key = id(handler)
        if key not in self._names:
            names = set()
            for name, definition in handler.parsed_fn_signature.parameters.items():
                kwarg = definition.kwarg_definition
                if isinstance(kwarg, ParameterKwarg) and definition.annotation is int:
                    names.add(kwarg.query or name)
            self._names[key] = frozenset(names)
        return self._names[key]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        if handler is not None and (names := self._int_params(handler)) and scope.get("query_string"):
            for key, value in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True):
                if key in names and plain_int(value) is None:
                    raise bad_number(f"查询参数 {key} 的值", value)
        if scope.get("method") in {"POST", "PUT", "PATCH"}:
            request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope=scope, receive=receive)
            if request.content_type[0] == "application/json":
                check_json(await request.body())  # cached in the scope: the handler reads it again for free
        await next_app(scope, receive, send)
