"""Auditor pages on a review built through the real scoring pages: every document downloaded
as .xlsx and PDF and checked against the stored scoring result; scope; audited downloads."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from urllib.parse import quote

import openpyxl
from pypdf import PdfReader

from app.audit.tables import AuditRecord
from app.exports.bundle import bundle_sha256
from app.exports.services import DOCUMENTS
from app.scoresheets.tables import Result
from app.state.queue import run_pending
from tests.app.helpers import post_form
from tests.app.test_exports_fixtures import finished_consultation, run_verify
from tests.app.test_scoresheets_fixtures import CONSULTATION_SCORES


def cells(content: bytes) -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[str(c) for c in row if c is not None] for ws in book.worksheets for row in ws.iter_rows(values_only=True)]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def downloads(**where: str) -> list[dict]:
    rows = await AuditRecord.select().where(AuditRecord.action == "export.downloaded").order_by(AuditRecord.seq)
    return [json.loads(r["new_values"]) | {"actor": r["actor"]} for r in rows]


async def test_auditor_downloads_every_document_matching_the_result(world, signed_in, tmp_path):
    panel = await finished_consultation(world, signed_in)
    result = await Result.select().where(Result.review == panel.review_id).output(load_json=True).first()
    auditor = await signed_in("auditor")
    found = await auditor.get("/exports/", params={"project": "危化", "expert": "张专家"})
    assert found.status_code == 200 and f'/exports/reviews/{panel.review_id}"' in found.text
    page = await auditor.get(f"/exports/reviews/{panel.review_id}")
    assert page.status_code == 200 and "草稿" not in page.text.split("<main>")[1].split("</main>")[0]

    bundle = await auditor.get(f"/exports/reviews/{panel.review_id}/bundle")
    raw = json.loads(bundle.content)
    sha = bundle_sha256(raw)
    assert sha in page.text
    assert run_verify(raw, tmp_path).returncode == 0

    files = {}
    for doc in DOCUMENTS:
        for fmt in ("xlsx", "pdf"):
            response = await auditor.get(f"/exports/reviews/{panel.review_id}/documents/{doc.slug}/{fmt}")
            assert response.status_code == 200, (doc.slug, fmt, response.text[:200])
            name = f"评审{panel.review_id}-{doc.title}.{fmt}"
            assert f"filename*=UTF-8''{quote(name)}" in response.headers["content-disposition"]
            files[(doc.slug, fmt)] = response.content
    # Every file's footer carries the same bundle hash as the bundle just downloaded.
    for (slug, fmt), content in files.items():
        text = pdf_text(content) if fmt == "pdf" else "\n".join("".join(r) for r in cells(content))
        assert sha in text.replace("\n", ""), (slug, fmt)
        assert "草稿" not in text, (slug, fmt)

    # 评分汇总表: each bid's rank, mean, price score and total exactly as scoring returned them.
    summary = cells(files[("summary", "xlsx")])
    summary_pdf = pdf_text(files[("summary", "pdf")])
    for bid in result["output"]["bids"]:
        row = next(r for r in summary if len(r) > 1 and r[1] == bid["name"])  # names, not ids
        assert row[0] == str(bid["rank"])
        assert [bid["subjective"], bid["price_score"], bid["total"]] == row[5:8]
        assert bid["total"] in summary_pdf
    # 个人评分表: every score of every member, as entered on the scoring page.
    book = openpyxl.load_workbook(io.BytesIO(files[("score-sheets", "xlsx")]))
    sheets_pdf = pdf_text(files[("score-sheets", "pdf")])
    member_names = {str(m["expert"]): m["name"] for m in raw["panel"]}  # one sheet per member, by name
    assert [ws.title for ws in book.worksheets] == [member_names[str(panel.expert_ids[n])] for n in panel.experts]
    for i, ws in enumerate(book.worksheets, 1):
        rows = [[str(c) for c in r if c not in (None, "")] for r in ws.iter_rows(values_only=True)]
        expected = [f"{sum(Decimal(v) for v in CONSULTATION_SCORES[i][b]):.2f}" for b in "ABC"]
        assert ["小计", *expected] in rows
        for criterion, position in (("服务方案", 0), ("项目团队", 1), ("服务承诺", 2)):
            row = next(r for r in rows if len(r) > 1 and r[1] == criterion)
            assert [Decimal(v) for v in row[-3:]] == [Decimal(CONSULTATION_SCORES[i][b][position]) for b in "ABC"]
        assert all(e in sheets_pdf for e in expected)
    # 评审报告: candidates in order and the dissent.
    report = pdf_text(files[("report", "pdf")])
    assert "不同意" in report and "保留意见" in report
    names = {b["id"]: b["name"] for b in result["output"]["bids"]}
    for bid_id in result["output"]["candidates"]:
        assert names[bid_id] in report
    # 抽取记录: the seed of the recorded draw.
    assert str(raw["draws"][0]["seed"]) in pdf_text(files[("draw", "pdf")])

    records = await downloads()
    assert len(records) == 1 + len(DOCUMENTS) * 2
    assert {(r["document"], r["format"]) for r in records} >= {(d.title, f) for d in DOCUMENTS for f in ("xlsx", "pdf")}
    assert all(r["actor"] == "auditor1" and r["bundle_sha256"] == sha and r["draft"] is False for r in records)
    # Downloads are audited but do not change the bundle (its hash stays the footer's).
    again = json.loads((await auditor.get(f"/exports/reviews/{panel.review_id}/bundle")).content)
    assert bundle_sha256(again) == sha

    trail = await auditor.get(f"/exports/reviews/{panel.review_id}/audit", params={"action": "export.downloaded"})
    assert trail.status_code == 200 and trail.text.count(">下载文件</span>") >= len(records)
    assert ">提交评分表</span>" not in trail.text
    full = await auditor.get(f"/exports/reviews/{panel.review_id}/audit")
    assert ">提交评分表</span>" in full.text and ">公布结果</span>" in full.text

    archive = await auditor.get(f"/exports/reviews/{panel.review_id}/archive")
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "评审包.json" in names and len(names) == 1 + len(DOCUMENTS) * 2


async def test_scope_expert_other_agency_and_auditor_setting(world, signed_in, monkeypatch):
    panel = await finished_consultation(world, signed_in)
    url = f"/exports/reviews/{panel.review_id}"
    expert = await signed_in(panel.experts[0])
    assert (await expert.get(url, follow_redirects=False)).status_code == 403
    assert (await expert.get(url + "/documents/summary/pdf", follow_redirects=False)).status_code == 403
    other = await signed_in("agency2")
    assert (await other.get(url)).status_code == 404
    assert (await other.get(url + "/bundle")).status_code == 404
    assert f"/exports/reviews/{panel.review_id}\"" not in (await other.get("/exports/")).text
    for role in ("agency", "supervisor", "admin"):
        client = await signed_in(role)
        assert (await client.get(url + "/documents/report/xlsx")).status_code == 200, role
    assert {r["actor"] for r in await downloads()} == {"agency1", "supervisor1", "admin1"}
    assert not any(r["actor"] in ("agency2", panel.experts[0]) for r in await downloads())
    auditor = await signed_in("auditor")
    assert (await auditor.get(url)).status_code == 200
    monkeypatch.setenv("PINGSHEN_AUDITOR_SCOPE", "agency")  # the auditor account belongs to no agency
    assert (await auditor.get(url)).status_code == 404
    assert (await auditor.get(url + "/documents/summary/pdf")).status_code == 404


async def test_unfinished_review_exports_only_as_a_draft(world, signed_in):
    panel = await finished_consultation(world, signed_in, publish=False)
    auditor = await signed_in("auditor")
    page = await auditor.get(f"/exports/reviews/{panel.review_id}")
    assert "草稿" in page.text
    pdf = await auditor.get(f"/exports/reviews/{panel.review_id}/documents/summary/pdf")
    assert "草稿" in pdf.headers["content-disposition"] or quote("草稿") in pdf.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert all("草稿" in p.extract_text() for p in reader.pages)
    xlsx = await auditor.get(f"/exports/reviews/{panel.review_id}/documents/score-sheets/xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert all("草稿" in str(ws["A1"].value) for ws in book.worksheets)
    raw = json.loads((await auditor.get(f"/exports/reviews/{panel.review_id}/bundle")).content)
    assert raw["review"]["status"] == "signed"
    assert all(r["draft"] for r in await downloads())


async def test_season_export_with_progress(world, signed_in, monkeypatch):
    monkeypatch.setenv("PINGSHEN_EXPORT_WORKERS", "2")  # worker processes from a forkserver, as served
    panel = await finished_consultation(world, signed_in)
    agency = await signed_in("agency")
    bad = await post_form(agency, "/exports/season", {"date_from": "2026-12-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.text
    started = await post_form(agency, "/exports/season", {"date_from": "", "date_to": ""})
    assert started.status_code == 303
    job_id = started.headers["location"].split("job=")[1]
    page = await agency.get("/exports/season")
    assert f'data-job="{job_id}"' in page.text and "/static/js/exports.js" in page.text
    assert (await agency.get(f"/api/exports/season/{job_id}")).json()["phase"] == "queued"
    assert await run_pending() == 1  # the job queue's runner (a server process runs it in the background)
    job = (await agency.get(f"/api/exports/season/{job_id}")).json()
    assert job["state"] == "done", job
    assert job["total"] == job["collected"] == job["rendered"] == 1
    other = await signed_in("auditor")  # a job is its owner's
    assert (await other.get(f"/api/exports/season/{job_id}")).status_code == 404
    response = await agency.get(f"/exports/season/{job_id}/download")
    assert response.status_code == 200 and "filename*=UTF-8''" in response.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert f"{panel.review_id}/评审包.json" in names and "清单.csv" in names
    assert any(r["document"] == "季度归档" for r in await downloads())
