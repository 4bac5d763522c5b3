"""Pages are pages: every route outside /api answers text/html, success or error.

The routes come from the app's route table, as in test_permissions.py: a GET route added to
the app is walked here without anyone listing it, and answers text/html with status 200 as a
permitted role on a world with real objects (a finished 磋商 review, a drawn 立项评审), unless
it is a download listed in DOWNLOADS with its own media type. The error forms of every POST
route are in test_form_errors.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar, MediaType
from litestar.routes import HTTPRoute

from app.panels.tables import Invitation, OutboxMessage, PanelSeat
from app.scoresheets.tables import ScoreSheet
from app.server import create_app
from app.web.templating import pages_are_html
from tests.app.panels_support import drawn_approval_review
from tests.app.perm_common import PUBLIC
from tests.app.plans_support import solved_plan
from tests.app.test_exports_fixtures import finished_consultation
from tests.app.test_permissions import PARAMS, TABLE

NOT_PAGES = ("/api/", "/static", "/schema")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# GET routes that are downloads, not pages: the media type of a successful answer. Their
# errors (403/404) are pages like any other and must be text/html.
DOWNLOADS: dict[str, str] = {
    "GET /roster/export.xlsx": XLSX,
    "GET /roster/import/template.xlsx": XLSX,
    "GET /exports/reviews/{review_id:int}/archive": "application/zip",
    "GET /exports/reviews/{review_id:int}/bundle": "application/json",
    "GET /exports/reviews/{review_id:int}/documents/{slug:str}/{fmt:str}": "application/pdf",
    "GET /exports/season/{job_id:str}/download": "application/zip",
}
# Not a page and not under /api: the load balancer's probe answers a small JSON document.
PROBES = {"GET /health"}
# Pages that cannot answer 200 in this world, with what they answer instead (still a page).
NOT_200: dict[str, int] = {
    "GET /exports/season/{job_id:str}/download": 404,  # no season export job has run
}
# Who visits a page: the first permitted role in this order; pages only for experts are
# visited by a seated member (expert1 has no seat and no roster record).
PREFERENCE = ("agency", "supervisor", "admin", "auditor", "expert")
MEMBER = "xp1"


def app_routes(app: Litestar) -> dict[str, Any]:
    found = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(NOT_PAGES):
            continue
        for method, handler in route.route_handler_map.items():
            if method not in {"HEAD", "OPTIONS"}:
                found[f"{method} {route.path}"] = handler[0] if isinstance(handler, tuple) else handler
    return found


def page_routes() -> list[str]:
    return sorted(k for k in app_routes(create_app()) if k.startswith("GET ") and k not in PROBES)


def test_the_lists_name_only_routes_that_exist():
    routes = app_routes(create_app())
    assert (DOWNLOADS.keys() | PROBES | NOT_200.keys()) - routes.keys() == set()


def test_no_page_handler_is_typed_as_json():
    """`-> Any` (or any data type) makes Litestar's media type for the handler JSON; a page
    handler is typed `-> Template`, `-> Page` (Template | Redirect) or a Response."""
    wrong = [f"{key} ({h.fn.__module__}.{h.fn.__qualname__})" for key, h in app_routes(create_app()).items()
             if key not in PROBES and h.media_type == MediaType.JSON]
    assert wrong == []


def test_the_html_hook_is_the_only_after_request_hook():
    """Litestar runs only the innermost layer's after_request: a controller or handler with a
    hook of its own would silently switch pages_are_html off for its routes."""
    app = create_app()
    assert app.after_request is pages_are_html
    others = [f"{key}: {layer}" for key, handler in app_routes(app).items()
              for layer in handler.ownership_layers[1:] if layer.after_request is not None]
    assert others == []


@dataclass
class Site:
    params: dict[str, str]


@pytest.fixture
async def site(world, signed_in) -> Site:
    panel = await finished_consultation(world, signed_in)
    approval_id = await drawn_approval_review(world)
    draw = await PanelSeat.select(PanelSeat.draw).where(PanelSeat.review == approval_id).first()
    invitation = await Invitation.select(Invitation.id).first()
    body = (await OutboxMessage.select(OutboxMessage.body).where(
        OutboxMessage.invitation == invitation["id"]).first())["body"]
    sheet = await ScoreSheet.select(ScoreSheet.id).where(ScoreSheet.seat == panel.seats[MEMBER]).first()
    plan_id = await solved_plan(world)
    return Site(params={
        **PARAMS, "plan_id": str(plan_id),
        "review_id": str(panel.review_id), "project_id": str(panel.project_id), "draw_id": str(draw["draw"]),
        "expert_id": str(panel.expert_ids[MEMBER]), "sheet_id": str(sheet["id"]),
        "token": re.search(r"/invitations/([\w-]+)", body).group(1)})


def visitor(key: str) -> str | None:
    rule = TABLE[key]
    if rule == PUBLIC:
        return None
    if rule == frozenset({"expert"}):
        return MEMBER
    return next(role for role in PREFERENCE if role in rule)


def is_html(response: Any) -> bool:
    return response.headers.get("content-type", "").split(";")[0].strip() == "text/html"


async def test_every_page_answers_html_as_a_permitted_role(site, signed_in, client):
    clients: dict[str | None, Any] = {None: client}
    wrong = []
    walked = 0
    for key in page_routes():
        who = visitor(key)
        if who not in clients:
            clients[who] = await signed_in(who)
        path = key.split(" ", 1)[1]
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: site.params.get(m.group(1), "1"), path)
        response = await clients[who].get(url, follow_redirects=True)
        walked += 1
        expected_status = NOT_200.get(key, 200)
        if response.status_code != expected_status:
            wrong.append(f"{key} as {who}: status {response.status_code}, expected {expected_status}")
        kind = response.headers.get("content-type", "")
        if key in DOWNLOADS and response.status_code == 200:
            if not kind.startswith(DOWNLOADS[key]):
                wrong.append(f"{key} as {who}: download served as {kind}")
        elif not is_html(response):
            wrong.append(f"{key} as {who}: {response.status_code} served as {kind!r}")
        elif response.status_code == 200 and "<html" not in response.text:
            wrong.append(f"{key} as {who}: text/html without a page")
    assert wrong == []
    assert walked >= 35  # the walk really went through the app's pages (40 when written)


@pytest.mark.parametrize("path", ["/no-such-page", "/reviews/999999", "/roster/experts/999999"])
async def test_not_found_is_a_page(path, signed_in):
    agency = await signed_in("agency")
    response = await agency.get(path)
    assert response.status_code == 404
    assert is_html(response) and "页面不存在" in response.text


async def test_refused_and_signed_out_answers_are_pages(signed_in, client):
    expert = await signed_in("expert")
    refused = await expert.get("/admin/users")
    assert refused.status_code == 403 and is_html(refused) and "没有权限" in refused.text
    token = client.cookies.get("csrftoken") or (await client.get("/login")).cookies.get("csrftoken")
    anonymous = await client.post("/projects", data={"_csrf_token": token}, follow_redirects=False)
    assert anonymous.status_code == 401 and is_html(anonymous) and "请先登录" in anonymous.text


async def test_the_api_still_answers_json(signed_in):
    agency = await signed_in("agency")
    missing = await agency.get("/api/reviews/999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/json")
    assert missing.json()["status_code"] == 404
