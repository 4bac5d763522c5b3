"""Auditor pages: search reviews, one review's documents, its audit trail, season export.
Thin: parse, call one service, render. Nothing here changes a review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import File, Redirect, Template

from app.accounts.guards import requires_role
from app.accounts.tables import Role
from app.exports import jobs, search, services
from app.exports.schemas import SeasonForm, SeasonJob
from app.reviews.tables import KIND_LABELS, STATUS_LABELS
from app.web.parsing import plain_int
from app.web.templating import Page

READERS = requires_role(Role.ADMIN, Role.AGENCY, Role.SUPERVISOR, Role.AUDITOR)
LABELS = {"kinds": KIND_LABELS, "statuses": STATUS_LABELS}


def _page(name: str, context: dict[str, Any], status: int = 200) -> Template:
    return Template(f"exports/{name}.html.j2", context={**LABELS, **context}, status_code=status,
                    media_type=MediaType.HTML)


def disposition(filename: str) -> dict[str, str]:
    # RFC 5987: Chinese names need filename*=UTF-8''…; the plain name is an ASCII fallback.
    ascii_name = "pingshen" + filename[filename.rfind("."):]
    return {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store"}


def _send(download: services.Download) -> Response[bytes]:
    return Response(download.content, media_type=download.media_type, headers=disposition(download.filename))


def _filters(date_from: str, date_to: str, agency: str, project: str, expert: str,
             date: Callable[[str], dt.date | None] = search.filter_date) -> search.Filters:
    return search.Filters(date_from=date(date_from), date_to=date(date_to),
                          agency=plain_int(agency.strip(), low=0), project=project,
                          expert=expert)


class ExportPages(Controller):
    path = "/exports"
    include_in_schema = False
    guards = [READERS]

    @get("/")
    async def index(self, request: Request, date_from: FromQuery[str] = "", date_to: FromQuery[str] = "",
                    agency: FromQuery[str] = "", project: FromQuery[str] = "", expert: FromQuery[str] = "") -> Template:
        filters = _filters(date_from, date_to, agency, project, expert)
        return _page("index", {"reviews": await search.find_reviews(request.user, filters),
                               "agencies": await search.agencies_for(request.user), "limit": search.LIMIT,
                               "form": {"date_from": date_from, "date_to": date_to, "agency": agency,
                                        "project": project, "expert": expert}})

    @get("/reviews/{review_id:int}")
    async def review(self, request: Request, review_id: FromPath[int]) -> Template:
        return _page("review", await services.review_page(request.user, review_id))

    @get("/reviews/{review_id:int}/documents/{slug:str}/{fmt:str}")
    async def document(self, request: Request, review_id: FromPath[int], slug: FromPath[str],
                       fmt: FromPath[str]) -> Response[bytes]:
        return _send(await services.document(request.user, review_id, slug, fmt))

    @get("/reviews/{review_id:int}/bundle")
    async def bundle(self, request: Request, review_id: FromPath[int]) -> Response[bytes]:
        return _send(await services.bundle_file(request.user, review_id))

    @get("/reviews/{review_id:int}/archive")
    async def archive(self, request: Request, review_id: FromPath[int]) -> Response[bytes]:
        return _send(await services.archive(request.user, review_id))

    @get("/reviews/{review_id:int}/audit")
    async def audit(self, request: Request, review_id: FromPath[int], action: FromQuery[str] = "",
                    actor: FromQuery[str] = "", date_from: FromQuery[str] = "",
                    date_to: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
        trail = await search.audit_trail(request.user, review_id, action=action.strip(), actor=actor.strip(),
                                         date_from=search.filter_date(date_from), date_to=search.filter_date(date_to))
        form = {"action": action, "actor": actor, "date_from": date_from, "date_to": date_to}
        # 100 records a page: a review's trail runs to thousands of rows.
        pages = max(1, -(-len(trail["rows"]) // 100))
        page = min(max(page, 1), pages)
        shown = trail["rows"][(page - 1) * 100:page * 100]
        return _page("audit", {**trail, "matched": len(trail["rows"]), "rows": shown,
                               "page": page, "pages": pages, "form": form,
                               "query": {k: v for k, v in form.items() if v}})

    @get("/season")
    async def season(self, request: Request) -> Template:
        return _page("season", {"jobs": await jobs.jobs_of(request.user), "errors": {}, "form": SeasonForm(),
                                "agencies": await search.agencies_for(request.user)})

    @post("/season")
    async def start_season(self, request: Request, data: URLEncodedBody[SeasonForm]) -> Page:
        filters = _filters(data.date_from, data.date_to, data.agency, "", "", date=search.parse_date)
        errors = {}
        if data.date_from.strip() and filters.date_from is None:
            errors["date_from"] = "日期格式应为 2026-01-01"
        if data.date_to.strip() and filters.date_to is None:
            errors["date_to"] = "日期格式应为 2026-03-31"
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            errors["date_to"] = "结束日期不能早于开始日期"
        if not errors:
            try:
                record = await jobs.start(request.user, filters)
            except ValueError as exc:
                errors["date_from"] = str(exc)
            else:
                return Redirect(f"/exports/season?job={record['id']}", status_code=303)
        return _page("season", {"jobs": await jobs.jobs_of(request.user), "errors": errors, "form": data,
                                "agencies": await search.agencies_for(request.user)}, 400)

    @get("/season/{job_id:str}/download")
    async def season_download(self, request: Request, job_id: FromPath[str]) -> File:
        path, filename = await jobs.download(request.user, job_id)
        return File(path, filename=filename, media_type=services.MEDIA["zip"], headers=disposition(filename))


class ExportApi(Controller):
    path = "/api/exports"
    tags = ["导出"]
    guards = [READERS]

    @get("/season/{job_id:str}", operation_id="SeasonExportProgress", summary="季度归档导出进度")
    async def season_progress(self, request: Request, job_id: FromPath[str]) -> SeasonJob:
        record = await jobs.read_job(request.user, job_id)
        return SeasonJob(**{k: record[k] for k in SeasonJob.__struct_fields__})
