"""Permission guards. Every route declares one: hiding a link is never the check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from app.accounts.tables import AGENCY_ROLES, Role

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def current_user(connection: ASGIConnection) -> Any:
    return connection.scope.get("user")


def requires_role(*roles: Role) -> Guard:
    allowed = frozenset(r.value for r in roles)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException("请先登录")
        if user.role not in allowed:
            raise PermissionDeniedException("您的角色无权访问此页面")

    guard.roles = allowed  # type: ignore[attr-defined]  # read by docs and the permission table test
    return guard


def requires_signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException("请先登录")


ALL_ROLES = tuple(Role)
STAFF = (Role.ADMIN, Role.AGENCY, Role.SUPERVISOR)
READERS = (Role.ADMIN, Role.AGENCY, Role.SUPERVISOR, Role.AUDITOR)


def ensure_agency_access(user: Any, agency_id: int | None) -> None:
    """Agency staff see only their own agency's objects.

    Answers 404 rather than 403 so that ids of other agencies' objects are not confirmed.
    """
    if user.role in AGENCY_ROLES:
        own = user.agency if isinstance(user.agency, int) or user.agency is None else user.agency.id
        if agency_id != own:
            raise NotFoundException("对象不存在或不属于您的机构")
