"""The panel's decisions (app/scoresheets/decisions.py): 异常低价审查 (财库〔2026〕2号), ties left
after every 214号 tie-break, and the reasons for the ranking — recorded by the 组长 or agency
staff, required before signing and publication, and carried into the bundle and the 评审报告."""

from __future__ import annotations

import io
import json

import openpyxl
from pypdf import PdfReader

from app.audit.tables import AuditRecord
from app.exports.collect import review_bundle
from app.exports.render import render_review
from app.reviews.tables import Bid, Review
from app.scoresheets.tables import PriceReview, RankingNote, Result, Signature, TieSettlement
from tests.app.helpers import PASSWORD
from tests.app.test_exports_fixtures import run_verify
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    post,
    run_scoring_cli,
    submit,
)

# D quotes 30000: below half the mean and of the second-lowest, and below 45 % of the budget (120000).
PRICE_BIDS = [("A", "80000.00"), ("B", "100000.00"), ("C", "90000.00"), ("D", "30000.00")]
PRICE_SCORES = {i: {**scores, "D": ("28", "14", "6")} for i, scores in CONSULTATION_SCORES.items()}
# A and B: same quote and the same scores from everyone — still tied (for 2nd place, behind C)
# after every tie-break.
TIE_BIDS = [("A", "80000.00"), ("B", "80000.00"), ("C", "90000.00")]
TIE_SCORES = {i: {"A": s["A"], "B": s["A"], "C": s["C"]} for i, s in CONSULTATION_SCORES.items()}


async def _scored(world, signed_in, bids, scores):  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=bids, prefix="dx")
    clients = {name: await signed_in(name) for name in panel.experts}
    for i, name in enumerate(panel.experts, 1):
        sheet_id = await open_and_declare(clients[name], panel)
        response = await submit(clients[name], sheet_id, form_values(panel, scores[i], CODES))
        assert response.status_code == 303, response.text
    agency = await signed_in("agency")
    response = await post(agency, f"/scoring/reviews/{panel.review_id}/leader", {"seat_id": str(panel.seats["dx1"])})
    assert response.status_code == 303, response.text
    return panel, clients, agency


async def _sign_all(panel, clients) -> None:  # type: ignore[no-untyped-def]
    for name in panel.experts:
        response = await post(clients[name], f"/scoring/reviews/{panel.review_id}/signature",
                              {"agree": "yes", "password": PASSWORD})
        assert response.status_code == 303, response.text


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
                   if c is not None)


async def test_abnormal_low_price_rejected_changes_ranking_and_reaches_the_report(world, signed_in, tmp_path):
    panel, clients, agency = await _scored(world, signed_in, PRICE_BIDS, PRICE_SCORES)
    leader, review_id, d = clients["dx1"], panel.review_id, panel.bids["D"]
    url = f"/scoring/reviews/{review_id}/price-reviews"

    page = await leader.get(f"/scoring/reviews/{review_id}")
    assert page.status_code == 200 and "异常低价审查" in page.text and "记录异常低价审查结论" in page.text
    before = (await agency.get(f"/api/scoring/reviews/{review_id}/result")).status_code
    assert before == 404

    # No signature while the flag has no decision; nor publication (even if the review were closed).
    refused = await post(clients["dx2"], f"/scoring/reviews/{review_id}/signature",
                         {"agree": "yes", "password": PASSWORD})
    assert refused.status_code == 409 and "异常低价" in refused.text
    await Review.update({Review.status: "closed"}).where(Review.id == review_id)
    refused = await post(agency, f"/scoring/reviews/{review_id}/publish", {})
    assert refused.status_code == 409 and "尚未作出审查结论" in refused.text and "不能公布结果" in refused.text
    await Review.update({Review.status: "open"}).where(Review.id == review_id)

    # Bad input: Chinese messages, nothing written.
    good = {"bid_id": str(d), "explanation": "D公司：采用自有讲师团队，成本明细见附件", "received_on": "2026-03-15",
            "decision": "rejected", "reasons": "成本证明不足以支撑报价，未能证明报价合理"}
    for change, message in [({"explanation": " "}, "请填写供应商的书面说明"),
                            ({"received_on": "15/03/2026"}, "请按 年-月-日"),
                            ({"received_on": "2999-01-01"}, "不能晚于今天"),
                            ({"decision": "maybe"}, "请选择审查结论"),
                            ({"reasons": ""}, "请填写评审小组的审查意见和理由"),
                            ({"bid_id": str(panel.bids["A"])}, "没有异常低价提示")]:
        response = await post(leader, url, {**good, **change})
        assert response.status_code == 400 and message in response.text, (change, response.text[-500:])
    assert await PriceReview.count() == 0
    # Only the 组长 of this review or staff of its agency.
    assert (await post(clients["dx2"], url, good)).status_code == 404
    assert (await post(await signed_in("agency2"), url, good)).status_code == 404
    assert (await post(await signed_in("supervisor"), url, good)).status_code == 403
    assert await PriceReview.count() == 0 and (await Bid.objects().get(Bid.id == d)).valid

    ranked_before = (await leader.get(f"/scoring/reviews/{review_id}")).text
    assert "D供应商有限公司" in ranked_before
    response = await post(leader, url, good)
    assert response.status_code == 303, response.text
    assert (await post(leader, url, good)).status_code == 409  # once only
    bid = await Bid.objects().get(Bid.id == d)
    assert not bid.valid and "异常低价审查" in bid.invalid_reason
    actions = {r["action"] for r in await AuditRecord.select(AuditRecord.action)}
    assert {"scoresheet.price_review_recorded", "review.bid_invalidated"} <= actions

    note = {"bid_id": str(panel.bids["C"]), "note": "C服务方案最完整，价格分次高", "version": "0"}
    assert (await post(leader, f"/scoring/reviews/{review_id}/ranking-notes", {**note, "note": ""})).status_code == 400
    assert (await post(leader, f"/scoring/reviews/{review_id}/ranking-notes", note)).status_code == 303
    stale = await post(agency, f"/scoring/reviews/{review_id}/ranking-notes", {**note, "note": "旧页面"})
    assert stale.status_code == 409 and "刷新" in stale.text
    assert (await RankingNote.objects().first()).note == note["note"]

    await _sign_all(panel, clients)
    assert (await post(agency, f"/scoring/reviews/{review_id}/publish", {})).status_code == 303
    result = await Result.select().where(Result.review == review_id).output(load_json=True).first()
    assert result["output"] == run_scoring_cli(result["input"], tmp_path)
    ranks = {b["id"]: b["rank"] for b in result["output"]["bids"]}
    assert ranks[d] is None and d not in result["output"]["candidates"]
    assert ranks[panel.bids["C"]] == 1  # D, first on price before the decision, is out
    assert next(b for b in result["input"]["bids"] if b["id"] == d)["valid"] is False

    raw = await review_bundle(review_id)
    (apr,) = raw["abnormal_price_reviews"]
    assert apr["bid"] == d and apr["decision"] == "rejected" and apr["explanation_received_on"] == "2026-03-15"
    assert set(apr["triggers"]) == {"below_mean", "below_second_lowest", "below_max_price"}
    assert raw["ranking_notes"] == [{"bid": panel.bids["C"], "note": note["note"]}]
    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    files = dict(render_review(raw, "2026-11-23T10:00:00+08:00"))
    for text in (_pdf_text(files["评审报告.pdf"]), _xlsx_text(files["评审报告.xlsx"])):
        assert "未能证明报价合理" in text and "不能证明报价合理，投标无效" in text
        assert "C服务方案最完整" in text


async def test_tie_at_the_candidates_needs_a_settlement(world, signed_in, tmp_path):
    panel, clients, agency = await _scored(world, signed_in, TIE_BIDS, TIE_SCORES)
    leader, review_id = clients["dx1"], panel.review_id
    a, b = panel.bids["A"], panel.bids["B"]
    page = await agency.get(f"/scoring/reviews/{review_id}")
    assert "第 2 名并列" in page.text and "涉及成交候选供应商" in page.text

    refused = await post(clients["dx3"], f"/scoring/reviews/{review_id}/signature",
                         {"agree": "yes", "password": PASSWORD})
    assert refused.status_code == 409 and "并列" in refused.text
    url = f"/scoring/reviews/{review_id}/ties"
    good = {"rank": "2", f"pos-{a}": "2", f"pos-{b}": "1", "method": "lot",
            "basis": "监督人王某在场，B供应商抽中第一签"}
    for change, message in [({f"pos-{a}": "1"}, "不能重复"), ({f"pos-{a}": ""}, "请为每家并列供应商填写名次顺序"),
                            ({"method": "coin"}, "请选择处理方式"), ({"basis": ""}, "请填写处理经过"),
                            ({"rank": "1"}, "没有该名次的并列")]:
        response = await post(leader, url, {**good, **change})
        assert response.status_code == 400 and message in response.text, (change, response.text[-500:])
    assert await TieSettlement.count() == 0
    assert (await post(clients["dx2"], url, good)).status_code == 404

    assert (await post(agency, url, good)).status_code == 303
    assert (await post(leader, url, good)).status_code == 409
    (row,) = await TieSettlement.select().output(load_json=True)
    assert row["order"] == [b, a] and row["bids"] == sorted([a, b])

    await _sign_all(panel, clients)
    assert await Signature.count() == 3
    assert (await post(agency, f"/scoring/reviews/{review_id}/publish", {})).status_code == 303
    result = await Result.select().where(Result.review == review_id).output(load_json=True).first()
    assert result["output"] == run_scoring_cli(result["input"], tmp_path)

    raw = await review_bundle(review_id)
    notes = {n["bid"]: n["note"] for n in raw["ranking_notes"]}
    assert set(notes) == {a, b} and "在监督下抽签" in notes[a] and "B供应商有限公司、A供应商有限公司" in notes[a]
    assert run_verify(raw, tmp_path).returncode == 0
    files = dict(render_review(raw, "2026-11-23T10:00:00+08:00"))
    assert "B供应商抽中第一签" in _xlsx_text(files["评审报告.xlsx"])
    assert "B供应商抽中第一签" in _pdf_text(files["评审报告.pdf"])
    audit = [json.loads(r["new_values"]) for r in await AuditRecord.select().where(
        AuditRecord.action == "scoresheet.tie_settled")]
    assert audit == [{"rank": 2, "bids": sorted([a, b]), "order": [b, a], "method": "lot", "basis": good["basis"]}]


async def test_accepted_price_keeps_the_bid_and_allows_signing(world, signed_in):
    panel, clients, agency = await _scored(world, signed_in, PRICE_BIDS, PRICE_SCORES)
    review_id, d = panel.review_id, panel.bids["D"]
    response = await post(agency, f"/scoring/reviews/{review_id}/price-reviews", {
        "bid_id": str(d), "explanation": "自有场地和讲师", "received_on": "2026-03-15", "decision": "accepted",
        "reasons": "成本测算合理，可保证服务质量"})
    assert response.status_code == 303, response.text
    assert (await Bid.objects().get(Bid.id == d)).valid
    await _sign_all(panel, clients)
    assert (await Review.objects().get(Review.id == review_id)).status == "closed"
    page = await agency.get(f"/scoring/reviews/{review_id}")
    assert "成本测算合理" in page.text and "报价合理，投标有效" in page.text
