"""Navigation by role. Each area lists its items in its routes.py; guards still check every route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[str]
    order: int = 50


ALL_ROLES = frozenset({"admin", "agency", "supervisor", "expert", "auditor"})

_NAV: list[NavItem] = []


def register(items: list[NavItem]) -> None:
    for item in items:
        if item not in _NAV:
            _NAV.append(item)
    _NAV.sort(key=lambda i: i.order)


def nav_for(user: Any, path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    items = []
    for item in _NAV:
        if user.role in item.roles:
            active = path == item.href if item.href == "/" else path.startswith(item.href)
            items.append({"label": item.label, "href": item.href, "active": active})
    return items
