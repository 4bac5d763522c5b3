"""Route × role → allowed or not, for every route the app has.

The table is the specification: the rows below plus the `ROWS` of every `perm_<area>.py`
beside this file (each area keeps its own rows, with `PARAMS` for its path parameters). A
route added to the app without a row fails `test_every_route_is_in_the_table`, so no route
can ship without a decided permission.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from litestar.routes import HTTPRoute

from app.server import create_app
from tests.app.helpers import ROLES
from tests.app.perm_common import PUBLIC, SIGNED_IN

# "METHOD path" -> roles allowed (or PUBLIC: no sign-in needed).
TABLE: dict[str, frozenset[str] | str] = {
    "GET /": PUBLIC,
    "GET /health": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": SIGNED_IN,
    "GET /account/password": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "GET /api/me": SIGNED_IN,
    "GET /admin/users": frozenset({"admin"}),
    "POST /admin/users": frozenset({"admin"}),
    "GET /audit": frozenset({"admin", "auditor", "supervisor"}),
    "GET /api/audit": frozenset({"admin", "auditor", "supervisor"}),
    "GET /api/audit/verify": frozenset({"admin", "auditor"}),
}

# Values for path parameters, by name (objects the `world` fixture creates, or any id: a
# guard must refuse before the handler looks the object up).
PARAMS: dict[str, str] = {}

for _file in sorted(Path(__file__).parent.glob("perm_*.py")):
    if _file.stem == "perm_common":
        continue
    _module = importlib.import_module(f"tests.app.{_file.stem}")
    _clash = TABLE.keys() & _module.ROWS.keys()
    assert not _clash, f"{_file.name} repeats rows {_clash}"
    TABLE.update(_module.ROWS)
    PARAMS.update(getattr(_module, "PARAMS", {}))

SKIP_PREFIXES = ("/static", "/schema")


def app_routes() -> set[str]:
    found = set()
    for route in create_app().routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(SKIP_PREFIXES):
            continue
        for method in route.route_handler_map:
            if method not in {"HEAD", "OPTIONS"}:
                found.add(f"{method} {route.path}")
    return found


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PARAMS.get(m.group(1), "1"), path)


def test_every_route_is_in_the_table():
    routes = app_routes()
    assert routes - TABLE.keys() == set(), "routes without a permission row"
    assert TABLE.keys() - routes == set(), "rows for routes that do not exist"


async def _call(client, method: str, path: str):  # type: ignore[no-untyped-def]
    url = concrete(path)
    if method == "GET":
        return await client.get(url, follow_redirects=False)
    token = client.cookies.get("csrftoken") or ""
    return await client.request(method, url, data={"_csrf_token": token}, follow_redirects=False)


def _ordered(keys: list[str]) -> list[str]:
    # Sign-out last: it ends the session the other checks need.
    return sorted(keys, key=lambda k: (k == "POST /logout", k))


@pytest.mark.parametrize("role", ROLES)
async def test_role_table(role, signed_in):
    client = await signed_in(role)
    wrong = []
    for key in _ordered(list(TABLE)):
        method, path = key.split(" ", 1)
        rule = TABLE[key]
        allowed = rule == PUBLIC or role in rule
        response = await _call(client, method, path)
        refused = response.status_code in (401, 403)
        if allowed == refused:
            wrong.append(f"{key}: {role} got {response.status_code}")
        if not allowed and response.status_code != 403:
            wrong.append(f"{key}: {role} should get 403, got {response.status_code}")
    assert wrong == []


async def test_anonymous_table(client):
    await client.get("/login")
    wrong = []
    for key in _ordered(list(TABLE)):
        method, path = key.split(" ", 1)
        response = await _call(client, method, path)
        if TABLE[key] == PUBLIC:
            if response.status_code in (401, 403):
                wrong.append(f"{key}: public route refused ({response.status_code})")
        elif path.startswith("/api/") or method != "GET":
            if response.status_code != 401:
                wrong.append(f"{key}: expected 401, got {response.status_code}")
        elif not (response.status_code == 303 and response.headers["location"].startswith("/login")):
            wrong.append(f"{key}: expected redirect to sign-in, got {response.status_code}")
    assert wrong == []


def test_openapi_lists_the_api_and_not_the_pages():
    schema = create_app().openapi_schema.to_schema()
    paths = schema["paths"]
    assert "/api/me" in paths and "/api/audit" in paths
    assert "/admin/users" not in paths and "/login" not in paths
