"""Online scoring end to end: declaration, scoring by every member, autosave and recovery,
畸高畸低 explanation, return for re-scoring with history, signatures with a dissent,
publication — and the published result equal to `python -m scoring evaluate` on the stored input."""

from __future__ import annotations

import json
from decimal import Decimal

from app.audit.services import verify_chain
from app.audit.tables import AuditRecord
from app.exports.bundle import build_bundle, parse_bundle, sheet_content_sha256
from app.exports.verify import verify_bundle
from app.panels.tables import PanelSeat
from app.reviews.tables import Review
from app.scoresheets.records import bundle_parts
from app.scoresheets.tables import (
    AnomalyNote,
    Declaration,
    Result,
    Score,
    ScoreSheet,
    ScoreSheetVersion,
    SheetReturn,
    Signature,
)
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    post,
    run_scoring_cli,
    submit,
)


async def _published(review_id: int) -> dict:
    return await Result.select().where(Result.review == review_id).output(load_json=True).first()


async def test_consultation_end_to_end(world, signed_in, tmp_path):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    clients = {name: await signed_in(name) for name in panel.experts}
    agency = await signed_in("agency")
    first = clients["ex1"]

    # Before the declaration no bid material is shown.
    page = await first.get(f"/scoring/reviews/{panel.review_id}/sheet")
    assert page.status_code == 200 and "承诺书" in page.text and "A供应商有限公司" not in page.text
    assert page.headers["content-type"].startswith("text/html")
    refused = await post(first, f"/scoring/reviews/{panel.review_id}/declaration", {"conflict": "no"})
    assert refused.status_code == 400 and "请阅读并勾选承诺书" in refused.text
    sheets = {name: await open_and_declare(c, panel) for name, c in clients.items()}
    assert await Declaration.count().where(Declaration.review == panel.review_id) == 3
    page = await first.get(f"/scoring/sheets/{sheets['ex1']}")
    assert "A供应商有限公司" in page.text and "服务方案的评分细则" in page.text

    # Autosave a partial draft, then recover it as a reopened browser would.
    a, t1 = panel.bids["A"], panel.criteria["T1"]
    saved = await first.post(f"/api/scoring/sheets/{sheets['ex1']}/draft", json={
        "version": 1, "scores": [{"bid": a, "criterion": t1, "value": "30", "comment": "方案完整"},
                                 {"bid": a, "criterion": panel.criteria["T2"], "value": None}]},
        headers={"x-csrftoken": first.cookies["csrftoken"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.json()["scores"] == 1
    recovered = (await first.get(f"/api/scoring/sheets/{sheets['ex1']}")).json()
    assert recovered["status"] == "draft" and recovered["version"] == 2
    assert recovered["scores"] == [{"bid": a, "criterion": t1, "value": "30.00", "comment": "方案完整"}]
    page = await first.get(f"/scoring/sheets/{sheets['ex1']}")
    assert f'name="v-{a}-{t1}" id="v-{a}-{t1}" value="30.00"' in page.text and "方案完整" in page.text

    # A second tab still on version 1 is refused; nothing is overwritten.
    stale = await first.post(f"/api/scoring/sheets/{sheets['ex1']}/draft", json={
        "version": 1, "scores": [{"bid": a, "criterion": t1, "value": "5"}]},
        headers={"x-csrftoken": first.cookies["csrftoken"]})
    assert stale.status_code == 409 and "其他窗口" in stale.json()["detail"]
    assert [s["value"] for s in await Score.select(Score.value).where(Score.sheet == sheets["ex1"])] == [Decimal("30")]
    assert await AuditRecord.exists().where(AuditRecord.action == "scoresheet.save_refused")

    # Every member submits with their password; the sheet is locked and hashed.
    for i, name in enumerate(panel.experts, 1):
        response = await submit(clients[name], sheets[name], form_values(panel, CONSULTATION_SCORES[i], CODES))
        assert response.status_code == 303, response.text
    sheet = await ScoreSheet.objects().where(ScoreSheet.id == sheets["ex1"]).first()
    assert sheet.status == "submitted" and sheet.signed_at is not None
    mine = [{"bid": s["bid"], "criterion": s["criterion"], "value": str(s["value"]), "comment": s["comment"]}
            for s in await Score.select().where(Score.sheet == sheet.id)]
    assert sheet.content_sha256 == sheet_content_sha256(panel.review_id, {"expert": sheet.expert_key, "scores": mine})
    assert sheet.expert_key == str(panel.expert_ids["ex1"])

    # Others' scores stay hidden from members; the summary is for the 组长 only.
    assert (await clients["ex2"].get(f"/scoring/sheets/{sheets['ex1']}")).status_code == 404
    assert (await clients["ex2"].get(f"/scoring/reviews/{panel.review_id}")).status_code == 404
    report = await clients["ex2"].get(f"/scoring/reviews/{panel.review_id}/report")
    assert report.status_code == 200 and "35.5" not in report.text and "26.00" not in report.text

    # The panel chose ex1 as 组长; the agency records it.
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/leader",
                       {"seat_id": str(panel.seats["ex1"])})).status_code == 303
    summary = await first.get(f"/scoring/reviews/{panel.review_id}")
    assert summary.status_code == 200 and "汇总结果" in summary.text
    assert "30.00" in summary.text and "24.00" in summary.text and "26.67" in summary.text  # price scores
    assert "评分畸高畸低" in summary.text and "-15.25" in summary.text

    # 畸高畸低: ask ex3 for a written explanation of their total for B.
    b = panel.bids["B"]
    asked = await post(first, f"/scoring/reviews/{panel.review_id}/explanations",
                       {"sheet_id": str(sheets["ex3"]), "bid_id": str(b), "criterion_id": ""})
    assert asked.status_code == 303, asked.text
    note = await AnomalyNote.objects().where(AnomalyNote.sheet == sheets["ex3"]).first()
    assert (note.value, note.others_mean, note.deviation) == ("46.00", "61.25", "-15.25")
    assert "已要求说明" in (await first.get(f"/scoring/reviews/{panel.review_id}")).text
    again = await post(first, f"/scoring/reviews/{panel.review_id}/explanations",
                       {"sheet_id": str(sheets["ex3"]), "bid_id": str(b), "criterion_id": ""})
    assert again.status_code == 409 and "已要求该专家" in again.text
    # Signing waits for the explanation.
    blocked = await post(clients["ex2"], f"/scoring/reviews/{panel.review_id}/signature",
                         {"agree": "yes", "password": "Test-Passw0rd!"})
    assert blocked.status_code == 409 and "书面说明" in blocked.text
    assert "畸高畸低提示" in (await clients["ex3"].get(f"/scoring/sheets/{sheets['ex3']}")).text
    assert (await post(clients["ex3"], f"/scoring/notes/{note.id}/explanation",
                       {"explanation": "乙公司方案缺少应急预案"})).status_code == 303

    # Return for re-scoring: only a §1.8 reason, an anomaly only when unanimous.
    url = f"/scoring/reviews/{panel.review_id}/returns"
    base = {"sheet_id": str(sheets["ex3"]), "bid_id": str(b), "criterion_id": str(t1), "note": "服务方案评分明显偏低"}
    bad = await post(first, url, {**base, "reason": "changed_mind"})
    assert bad.status_code == 400 and "第三十二条" in bad.text
    bad = await post(first, url, {**base, "reason": "anomaly_unanimous"})
    assert bad.status_code == 400 and "一致认定" in bad.text
    assert (await post(first, url, {**base, "reason": "anomaly_unanimous", "unanimous": "yes"})).status_code == 303
    returned = await ScoreSheet.objects().where(ScoreSheet.id == sheets["ex3"]).first()
    assert (returned.status, returned.revision, returned.content_sha256) == ("returned", 2, "")
    kept = await ScoreSheetVersion.select().where(ScoreSheetVersion.sheet == returned.id).output(load_json=True)
    assert [v["revision"] for v in kept] == [1]
    assert {"bid": b, "criterion": t1, "value": "26.00", "comment": ""} in kept[0]["scores"]
    back = await SheetReturn.objects().where(SheetReturn.sheet == returned.id).first()
    leader = await PanelSeat.select(PanelSeat.expert.user.as_alias("user")).where(
        PanelSeat.id == panel.seats["ex1"]).first()
    assert back.reason == "anomaly_unanimous" and back.unanimous and back.returned_by == leader["user"]

    corrected = {**CONSULTATION_SCORES[3], "B": ("30", "12", "8")}
    assert (await submit(clients["ex3"], sheets["ex3"], form_values(panel, corrected, CODES))).status_code == 303
    history = await ScoreSheetVersion.select().where(ScoreSheetVersion.sheet == returned.id).order_by(
        ScoreSheetVersion.revision).output(load_json=True)
    assert [v["revision"] for v in history] == [1, 2]
    assert {"bid": b, "criterion": t1, "value": "30.00", "comment": ""} in history[1]["scores"]
    assert history[0]["content_sha256"] != history[1]["content_sha256"]

    # Signatures: agree, dissent with reasons (none is refused), wrong password refused.
    sign = f"/scoring/reviews/{panel.review_id}/signature"
    assert (await post(first, sign, {"agree": "yes", "password": "Test-Passw0rd!"})).status_code == 303
    no_reason = await post(clients["ex2"], sign, {"agree": "no", "dissent": "", "password": "Test-Passw0rd!"})
    assert no_reason.status_code == 400 and "理由" in no_reason.text
    assert (await post(clients["ex2"], sign, {"agree": "no", "dissent": "乙公司技术方案更优，应排第一",
                                              "password": "Test-Passw0rd!"})).status_code == 303
    wrong = await post(clients["ex3"], sign, {"agree": "yes", "password": "Wrong-Passw0rd!"})
    assert wrong.status_code == 400 and "密码不正确" in wrong.text
    assert (await Review.objects().where(Review.id == panel.review_id).first()).status == "open"
    assert (await post(clients["ex3"], sign, {"agree": "yes", "password": "Test-Passw0rd!"})).status_code == 303
    assert (await Review.objects().where(Review.id == panel.review_id).first()).status == "closed"
    dissent = await Signature.objects().where(Signature.agree == False).first()  # noqa: E712
    assert dissent.seat == panel.seats["ex2"] and "乙公司" in dissent.dissent

    # The agency publishes; the stored output is exactly what the command line gives on the stored input.
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 303
    result = await _published(panel.review_id)
    assert [b_["total"] for b_ in result["output"]["bids"]] == ["83.34", "81.50", "80.67"]
    assert result["output"]["candidates"] == [panel.bids["C"], panel.bids["B"], panel.bids["A"]]
    names = [c["name"] for c in result["outcome"]["candidates"]]
    assert names == ["C供应商有限公司", "B供应商有限公司", "A供应商有限公司"]
    assert result["input"]["category"] == "service" and result["input"]["price_weight"] == "0.3"
    corrected_score = {"expert": str(panel.expert_ids["ex3"]), "bid": b, "criterion": t1, "value": "30"}
    assert corrected_score in result["input"]["scores"]
    assert run_scoring_cli(result["input"], tmp_path) == result["output"]
    # The review bundle built from this area's records passes `pingshen verify`'s checks.
    raw = build_bundle(**await bundle_parts(panel.review_id))
    report = verify_bundle(raw, parse_bundle(raw))
    assert report.failures == [] and len(report.checks) > 10
    assert raw["returns"][0]["old_value"] == "26.00" and raw["returns"][0]["new_value"] == "30.00"
    tampered = json.loads(json.dumps(raw))
    tampered["sheets"][0]["scores"][0]["value"] = "1.00"
    assert verify_bundle(tampered, parse_bundle(tampered)).failures
    review = await Review.objects().where(Review.id == panel.review_id).first()
    assert review.status == "published" and review.published_at is not None
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 409

    auditor = await signed_in("auditor")
    api = await auditor.get(f"/api/scoring/reviews/{panel.review_id}/result")
    assert api.status_code == 200 and api.json()["output"] == result["output"]
    for action in ("scoresheet.declaration_signed", "scoresheet.submitted", "scoresheet.returned",
                   "scoresheet.anomaly_explained", "scoresheet.report_signed", "review.closed",
                   "review.result_published"):
        assert await AuditRecord.exists().where(AuditRecord.action == action), action
    assert (await verify_chain()).ok


async def _score_all(panel, clients, table, codes):  # type: ignore[no-untyped-def]
    for i, name in enumerate(panel.experts, 1):
        sheet_id = await open_and_declare(clients[name], panel)
        response = await submit(clients[name], sheet_id, form_values(panel, table[i], codes))
        assert response.status_code == 303, response.text


async def test_approval_pass_fail_with_a_refusal(world, signed_in, tmp_path):
    criteria = [("T1", "必要性", "50", "subjective", False), ("T2", "可行性", "50", "subjective", False)]
    panel = await make_panel(world, kind="approval", criteria=criteria, bids=[("X", None), ("Y", None)], prefix="ap")
    clients = {name: await signed_in(name) for name in panel.experts}
    agency = await signed_in("agency")
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/settings",
                       {"pass_score": "70", "version": "0"})).status_code == 303
    table = {1: {"X": ("40", "38"), "Y": ("30", "32")},
             2: {"X": ("42", "36"), "Y": ("33", "30")},
             3: {"X": ("39", "37"), "Y": ("35", "36")}}
    await _score_all(panel, clients, table, ["T1", "T2"])
    sign = f"/scoring/reviews/{panel.review_id}/signature"
    for name in ("ap1", "ap2"):
        assert (await post(clients[name], sign, {"agree": "yes", "password": "Test-Passw0rd!"})).status_code == 303
    # ap3 refuses to sign and gives no reason: deemed to agree (§1.7).
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/refusals",
                       {"seat_id": str(panel.seats["ap3"])})).status_code == 303
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 303
    result = await _published(panel.review_id)
    items = {i["name"]: (i["total"], i["passed"]) for i in result["outcome"]["items"]}
    assert items == {"项目X": ("77.33", True), "项目Y": ("65.33", False)}
    assert result["input"]["method"] == "approval" and result["input"]["pass_score"] == "70"
    assert run_scoring_cli(result["input"], tmp_path) == result["output"]
    assert not result["balance_payment_due"]
    refusal = await Signature.objects().where(Signature.refused == True).first()  # noqa: E712
    assert refusal.seat == panel.seats["ap3"] and refusal.agree and refusal.recorded_by == world.users["agency"]


async def test_acceptance_marks_balance_payment_due(world, signed_in, tmp_path):
    criteria = [("T1", "目标完成情况", "60", "subjective", True), ("T2", "资金使用", "40", "subjective", False)]
    panel = await make_panel(world, kind="acceptance", criteria=criteria, bids=[("Z", None)], prefix="ac")
    clients = {name: await signed_in(name) for name in panel.experts}
    agency = await signed_in("agency")
    table = {1: {"Z": ("50", "32")}, 2: {"Z": ("48", "30")}, 3: {"Z": ("52", "35")}}
    await _score_all(panel, clients, table, ["T1", "T2"])
    for name in panel.experts:
        response = await post(clients[name], f"/scoring/reviews/{panel.review_id}/signature",
                              {"agree": "yes", "password": "Test-Passw0rd!"})
        assert response.status_code == 303
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 303
    result = await _published(panel.review_id)
    assert result["outcome"]["items"] == [{"bid": panel.bids["Z"], "name": "项目Z", "total": "82.33", "passed": True}]
    assert result["balance_payment_due"] is True and result["outcome"]["balance_payment_due"] is True
    assert result["input"]["criteria"][0]["veto"] is True and result["input"]["pass_score"] == "60"
    assert run_scoring_cli(result["input"], tmp_path) == result["output"]
    page = await agency.get(f"/scoring/reviews/{panel.review_id}")
    assert "验收合格" in page.text and "已标记为应支付" in page.text
    seats = await PanelSeat.count().where(PanelSeat.review == panel.review_id)
    assert seats == 3


async def test_acceptance_veto_question_is_yes_no_without_points(world, signed_in, tmp_path):
    """否决项 as a 是/否 question: no points in any total; one member's 是 makes the project 验收不合格."""
    criteria = [("T1", "目标完成情况", "60", "subjective", False), ("T2", "资金使用", "40", "subjective", False),
                ("V", "存在虚报冒领、弄虚作假", "0", "subjective", True)]
    panel = await make_panel(world, kind="acceptance", criteria=criteria, bids=[("Z", None)], prefix="vq")
    clients = {name: await signed_in(name) for name in panel.experts}
    agency = await signed_in("agency")
    first = panel.experts[0]
    sheet_id = await open_and_declare(clients[first], panel)
    page = (await clients[first].get(f"/scoring/sheets/{sheet_id}")).text
    key = f"{panel.bids['Z']}-{panel.criteria['V']}"
    # a radio pair, not a score box, and no maximum to type against
    assert f'type="radio" class="veto-answer" name="v-{key}" value="1"' in page
    assert f'name="v-{key}" id="v-{key}"' not in page and "是否存在：存在虚报冒领、弄虚作假" in page
    refused = await submit(clients[first], sheet_id, form_values(panel, {"Z": ("50", "32", "0.5")}, ["T1", "T2", "V"]))
    assert refused.status_code == 400 and "否决项请选择“是”或“否”" in refused.text
    table = {1: {"Z": ("50", "32", "1")}, 2: {"Z": ("48", "30", "1")}, 3: {"Z": ("52", "35", "0")}}
    for i, name in enumerate(panel.experts, 1):
        sheet = sheet_id if i == 1 else await open_and_declare(clients[name], panel)
        response = await submit(clients[name], sheet, form_values(panel, table[i], ["T1", "T2", "V"]))
        assert response.status_code == 303, response.text
    for name in panel.experts:
        response = await post(clients[name], f"/scoring/reviews/{panel.review_id}/signature",
                              {"agree": "yes", "password": "Test-Passw0rd!"})
        assert response.status_code == 303
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 303
    result = await _published(panel.review_id)
    # 82.33 as without the question: the answers carry no points; one 是 fails the project
    assert result["outcome"]["items"] == [{"bid": panel.bids["Z"], "name": "项目Z", "total": "82.33", "passed": False}]
    assert result["balance_payment_due"] is False
    assert result["input"]["criteria"][2] == {"id": panel.criteria["V"], "name": "存在虚报冒领、弄虚作假", "max": "1",
                                              "group": "business", "kind": "subjective", "veto": True,
                                              "points": False}
    assert run_scoring_cli(result["input"], tmp_path) == result["output"]
    page = (await agency.get(f"/scoring/reviews/{panel.review_id}")).text
    assert "验收不合格" in page
