"""JSON API for the roster, under the same guards as the pages."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, MultipartBody

from app.roster import importer, services
from app.roster.config import rules
from app.roster.controllers import IMPORT_LIMIT, KEEP, READ, export_response, filters_of
from app.roster.schemas import ExpertOut, ExpertPage, ImportProblem, ImportResult, ImportUpload
from app.roster.specialties import load_tree


def _out(row: dict[str, Any]) -> ExpertOut:
    return ExpertOut(**{k: row[k] for k in ExpertOut.__struct_fields__})


def _result(report: importer.ImportReport) -> ImportResult:
    return ImportResult(ok=report.ok, total=report.total, bad_rows=report.bad_rows, imported=report.imported,
                        file_error=report.file_error,
                        problems=[ImportProblem(p.row, p.column, p.message) for p in report.problems])


async def _content(data: ImportUpload) -> tuple[bytes, str] | None:
    if not isinstance(data.file, UploadFile):
        return None
    return await data.file.read(), data.file.filename or ""


class ExpertApiController(Controller):
    path = "/api/experts"
    tags = ["专家库"]
    guards = [READ]

    @get("/", operation_id="ListExperts", summary="专家列表（筛选、搜索、分页）")
    async def list_experts(self, request: Request, q: FromQuery[str] = "", specialty: FromQuery[str] = "",
                           region: FromQuery[str] = "", status: FromQuery[str] = "", title: FromQuery[str] = "",
                           level: FromQuery[str] = "", employer: FromQuery[str] = "",
                           page: FromQuery[int] = 1) -> ExpertPage:
        tree = await load_tree()
        rows, total = await services.list_experts(filters_of(q, specialty, region, status, title, level, employer),
                                                  page=page, tree=tree)
        return ExpertPage(total=total, page=page, page_size=rules().page_size,
                          items=[_out(services.present(r, tree, role=request.user.role)) for r in rows])

    @get("/{expert_id:int}", operation_id="GetExpert", summary="专家详情")
    async def get_expert(self, request: Request, expert_id: FromPath[int]) -> ExpertOut:
        row = await services.get_expert(expert_id)
        if row is None:
            raise NotFoundException(f"专家 {expert_id} 不存在")
        return _out(services.present(row, await load_tree(), role=request.user.role))

    @get("/export.xlsx", operation_id="ExportExperts", summary="按筛选条件导出 .xlsx")
    async def export(self, request: Request, q: FromQuery[str] = "", specialty: FromQuery[str] = "",
                     region: FromQuery[str] = "", status: FromQuery[str] = "", title: FromQuery[str] = "",
                     level: FromQuery[str] = "", employer: FromQuery[str] = "") -> Response[bytes]:
        return await export_response(request, filters_of(q, specialty, region, status, title, level, employer))

    @post("/import/dry-run", guards=[KEEP], operation_id="DryRunExpertImport", summary="导入预检（不写入）",
          request_max_body_size=IMPORT_LIMIT, status_code=200)
    async def dry_run(self, data: MultipartBody[ImportUpload]) -> Response[ImportResult]:
        upload = await _content(data)
        if upload is None:
            return Response(_result(importer.ImportReport(ok=False, file_error="请上传 .xlsx 文件（字段名 file）")),
                            status_code=400)
        report = await importer.dry_run(*upload)
        return Response(_result(report), status_code=200 if report.ok else 400)

    @post("/import", guards=[KEEP], operation_id="ImportExperts", summary="导入（全部成功或全部不写入）",
          request_max_body_size=IMPORT_LIMIT, status_code=201)
    async def import_experts(self, request: Request, data: MultipartBody[ImportUpload]) -> Response[ImportResult]:
        upload = await _content(data)
        if upload is None:
            return Response(_result(importer.ImportReport(ok=False, file_error="请上传 .xlsx 文件（字段名 file）")),
                            status_code=400)
        report = await importer.commit(request.user, *upload)
        return Response(_result(report), status_code=201 if report.ok else 400)
