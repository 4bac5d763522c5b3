"""One error handler: a clear Chinese page for people, JSON for the API, a log line always.

Users never see a stack trace; the log keeps it, under a reference the page shows.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger("pingshen.http")

TITLES = {
    400: "提交的内容有误",
    401: "请先登录",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持的请求方式",
    413: "提交的内容过大",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


def _message(exc: HTTPException, request: Request) -> str:
    detail = str(exc.detail or "")
    code = exc.status_code
    if code == 403 and "CSRF" in detail:
        return "表单安全令牌缺失或已失效（CSRF 校验未通过）。请刷新页面后重新提交。"
    if code == 401:
        if request.scope.get("pingshen_session_expired"):
            return "您的登录已因长时间未操作而过期，请重新登录。"
        return "请先登录后再访问此页面。"
    if code == 404:
        return detail if detail and detail != "Not Found" else f"找不到页面：{request.url.path}"
    if code == 405:
        return "此地址不支持该请求方式。"
    if code == 413:
        return "提交的内容超过了允许的大小，请缩小文件或分批提交。"
    if code == 429:
        return "请求过于频繁，请稍后再试。"
    if isinstance(exc, ValidationException):
        fields = [str(e.get("key") or e.get("source") or "") for e in (exc.extra or []) if isinstance(e, dict)]
        where = "、".join(f for f in fields if f)
        return f"提交的数据格式不正确{('：' + where) if where else ''}。"
    if detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail):
        return detail  # our own messages are already Chinese and safe to show
    return TITLES.get(code, "请求无法完成")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _user_name(request: Request) -> str:
    user = request.scope.get("user")
    return getattr(user, "username", "-")


def handle_http_exception(request: Request, exc: HTTPException) -> Response[Any]:
    code = exc.status_code
    message = _message(exc, request)
    log.warning("%s %s -> %d (%s) user=%s ip=%s", request.method, request.url.path, code, exc.detail,
                _user_name(request), request.client.host if request.client else "-")
    if wants_json(request):
        body: dict[str, Any] = {"status_code": code, "detail": message}
        if isinstance(exc, ValidationException) and exc.extra:
            body["extra"] = exc.extra
        return Response(body, status_code=code, headers=getattr(exc, "headers", None))
    if code == 401 and request.method == "GET":
        reason = "expired" if request.scope.get("pingshen_session_expired") else "required"
        return Redirect(f"/login?next={quote(request.url.path)}&reason={reason}", status_code=303)
    return _error_page(code, TITLES.get(code, "出错了"), message)


def handle_unexpected(request: Request, exc: Exception) -> Response[Any]:
    ref = secrets.token_hex(4)
    log.exception("unhandled error ref=%s on %s %s user=%s", ref, request.method, request.url.path,
                  _user_name(request), exc_info=exc)
    message = f"服务器内部错误，已记录（编号 {ref}）。请稍后再试，或把编号告知管理员。"
    if wants_json(request):
        return Response({"status_code": 500, "detail": message}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
    return _error_page(500, TITLES[500], message)


def _error_page(code: int, title: str, message: str) -> Template:
    # Explicit media type: exception handlers bypass the after_request hook (pages_are_html),
    # so the error page states it is HTML itself rather than relying on the template's suffix.
    return Template("errors/error.html.j2", status_code=code, media_type=MediaType.HTML,
                    context={"code": code, "title": title, "message": message})
