"""The domain areas of the app, in dependency order.

Each area is a package `app/<area>/` that may have:
- `routes.py` with `ROUTES` (controllers and handlers) and `NAV` (navigation items);
- `piccolo_app.py` with its tables and migrations.
The server and Piccolo's registry are both built from this list, so adding an area is one line.
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import Any

AREAS = ["state", "accounts", "audit", "roster", "conflicts", "reviews", "panels", "plans", "scoresheets", "exports",
         "web"]


def _has(module: str) -> bool:
    return find_spec(module) is not None


def piccolo_apps() -> list[str]:
    return [f"app.{a}.piccolo_app" for a in AREAS if _has(f"app.{a}") and _has(f"app.{a}.piccolo_app")]


def route_modules() -> list[Any]:
    return [importlib.import_module(f"app.{a}.routes") for a in AREAS if _has(f"app.{a}") and _has(f"app.{a}.routes")]
