"""Open the generated .xlsx (openpyxl) and PDF (pypdf) and check every number against scoring's output."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from app.exports.bundle import bundle_sha256
from app.exports.model import DRAFT_MARK
from app.exports.pdf import render_pdf
from app.exports.render import review_documents
from app.exports.xlsx import render_xlsx

from .exports_fixtures import GENERATED_AT, small_bundle, subtotal


@pytest.fixture(scope="module")
def final() -> dict:
    return small_bundle(11, status="published")


@pytest.fixture(scope="module")
def draft() -> dict:
    return small_bundle(12, status="scoring")


def docs_of(bundle: dict) -> dict:
    return {d.key: d for d in review_documents(bundle, GENERATED_AT)}


def workbook(doc) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)))


def pages(doc) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(doc))).pages]


def rows(ws) -> list[list[str]]:
    return [[c for c in r if c is not None] for r in ws.iter_rows(values_only=True)]


def summary_rows(bundle: dict, table: list[list[str]]) -> dict[str, list[str]]:
    """Summary rows keyed by bid id (the bid column reads the bid's name)."""
    out = {}
    for row in table:
        for b in bundle["scoring"]["output"]["bids"]:
            if len(row) > 1 and str(row[1]) == b["name"] and str(b["id"]) not in out:  # the ranking comes first
                out[str(b["id"])] = row
    return out


def test_summary_xlsx_matches_the_scoring_output_cell_by_cell(final):
    out = final["scoring"]["output"]
    experts = list(dict.fromkeys(s["expert"] for s in final["scoring"]["input"]["scores"]))
    table = summary_rows(final, rows(workbook(docs_of(final)["评分汇总表"]).active))
    assert set(table) == {str(b["id"]) for b in out["bids"]}
    for b in out["bids"]:
        row = table[str(b["id"])]
        if not b["valid"]:
            assert row[0] == "—"
            continue
        assert row[0] == str(b["rank"])
        subtotals = row[2:2 + len(experts)]
        for expert, shown in zip(experts, subtotals, strict=True):
            assert shown == f"{subtotal(final, expert, str(b['id'])):.2f}"
        # mean, price score and total exactly as scoring/ wrote them (decimal strings, not re-rounded)
        assert row[2 + len(experts):5 + len(experts)] == [b["subjective"], b["price_score"], b["total"]]


def test_summary_pdf_shows_every_figure_in_its_bid_row(final):
    text = "\n".join(pages(docs_of(final)["评分汇总表"]))
    lines = text.splitlines()
    experts = list(dict.fromkeys(s["expert"] for s in final["scoring"]["input"]["scores"]))
    for b in final["scoring"]["output"]["bids"]:
        if not b["valid"]:
            continue
        start = next(i for i, line in enumerate(lines) if line == b["name"])  # the ranking, before the anomalies
        cells = lines[start + 1:start + 1 + len(experts) + 3]
        expected = [f"{subtotal(final, e, str(b['id'])):.2f}" for e in experts]
        assert cells == [*expected, b["subjective"], b["price_score"], b["total"]]
        assert lines[start - 1] == str(b["rank"])
    for anomaly in final["scoring"]["output"]["anomalies"]:
        assert anomaly["deviation"] in text


def test_personal_sheets_have_every_criterion_score_and_hash(final):
    doc = docs_of(final)["个人评分表"]
    wb = workbook(doc)
    texts = pages(doc)
    assert len(wb.sheetnames) == len(final["sheets"]) == len(texts)  # one sheet and one page per expert
    criteria = final["scoring"]["input"]["criteria"]
    for sheet, ws, page in zip(final["sheets"], wb.worksheets, texts, strict=True):
        table = rows(ws)
        assert [sheet["content_sha256"]] in [r[1:] for r in table if r and r[0] == "内容哈希"]
        assert sheet["content_sha256"] in page and sheet["name"] in page
        header = next(r for r in table if r[:2] == ["序号", "评分项"])
        ids = {b["name"]: b["id"] for b in final["scoring"]["input"]["bids"]}
        bids = [ids[name] for name in header[4:]]  # columns are headed by the bids' names
        for i, c in enumerate(criteria, 1):
            row = next(r for r in table if r[:2] == [str(i), c["name"]])
            for bid, shown in zip(bids, row[4:], strict=True):
                given = next(s["value"] for s in sheet["scores"] if s["bid"] == bid and s["criterion"] == c["id"])
                assert shown == str(given)
        total_row = next(r for r in table if r and r[0] == "小计")
        assert total_row[1:] == [f"{subtotal(final, sheet['expert'], b):.2f}" for b in bids]


def test_report_has_the_article_26_contents(final):
    text = "\n".join(pages(docs_of(final)["评审报告"]))
    for heading in ("邀请方式及情况", "响应文件开启日期和地点", "评审小组成员名单", "资格审查", "异常低价审查",
                    "退回重评", "排序及理由", "签字及不同意见"):
        assert heading in text
    for member in final["panel"]:
        assert member["name"] in text
    for b in final["scoring"]["output"]["bids"]:
        if b["valid"]:
            reason = f"总分 {b['total']}（主观分 {b['subjective']} + 价格分 {b['price_score']}）"
            assert reason in text.replace("\n", "")


def test_draw_record_has_seed_pool_hash_members_and_alternates(final):
    draw = final["draws"][0]
    text = "\n".join(pages(docs_of(final)["抽取记录"]))
    for value in (str(draw["seed"]), draw["output"]["input_sha256"], draw["operator"], draw["supervisor"],
                  str(len(draw["input"]["experts"]))):
        assert value in text
    panel = draw["output"]["panels"][0]
    for expert in panel["members"] + panel["alternates"]:
        assert expert in text
    for rep in draw["replacements"]:
        assert rep["reason"] in text


def test_audit_trail_lists_every_record_with_old_and_new_values(final):
    ws = workbook(docs_of(final)["审计记录"]).active
    seqs = [r[0] for r in rows(ws) if r and re.fullmatch(r"\d+", str(r[0]))]
    assert seqs == [str(r["seq"]) for r in final["audit_records"]]
    changes = [r[5] for r in rows(ws) if r and re.fullmatch(r"\d+", str(r[0]))]
    assert any("→" in c for c in changes)


def test_every_page_and_sheet_carries_the_footer_hash(final):
    sha = bundle_sha256(final)
    for doc in review_documents(final, GENERATED_AT):
        for page in pages(doc):
            # generated at 10:00 Beijing time, printed without the ISO "T" and offset; no "·" (no glyph)
            assert sha in page and f"评审编号 {final['review']['id']}" in page and "2026-11-23 10:00:00" in page
            assert "·" not in page and GENERATED_AT not in page
        for ws in workbook(doc).worksheets:
            assert sha in ws.oddFooter.center.text
            assert any(sha in str(r[0]) for r in rows(ws) if r)


def test_unfinished_review_is_watermarked_draft_everywhere(draft, final):
    for doc in review_documents(draft, GENERATED_AT):
        assert all(DRAFT_MARK in page for page in pages(doc))
        for ws in workbook(doc).worksheets:
            assert DRAFT_MARK in str(ws["A1"].value) and ws.oddHeader.center.text == DRAFT_MARK
    for doc in review_documents(final, GENERATED_AT):
        assert not any(DRAFT_MARK in page for page in pages(doc))
        assert all(DRAFT_MARK not in str(ws["A1"].value) for ws in workbook(doc).worksheets)


def test_same_data_same_pdf_bytes(final):
    doc = docs_of(final)["评分汇总表"]
    assert render_pdf(doc) == render_pdf(doc)
