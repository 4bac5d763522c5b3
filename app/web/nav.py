"""Navigation by role. Each area adds its entries here; guards still check every route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[str]


NAV: list[NavItem] = [
    NavItem("首页", "/", frozenset({"admin", "agency", "supervisor", "expert", "auditor"})),
    NavItem("用户管理", "/admin/users", frozenset({"admin"})),
    NavItem("审计日志", "/audit", frozenset({"admin", "auditor", "supervisor"})),
    NavItem("修改密码", "/account/password", frozenset({"admin", "agency", "supervisor", "expert", "auditor"})),
]


def nav_for(user: Any, path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    items = []
    for item in NAV:
        if user.role in item.roles:
            active = path == item.href if item.href == "/" else path.startswith(item.href)
            items.append({"label": item.label, "href": item.href, "active": active})
    return items
