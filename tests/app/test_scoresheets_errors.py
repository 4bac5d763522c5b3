"""Bad input in online scoring: clear Chinese messages, nothing overwritten, the attempt logged."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.audit.tables import AuditRecord
from app.panels.tables import PanelSeat
from app.reviews.tables import Bid, Review
from app.scoresheets.tables import Declaration, Score, ScoreSheet
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    post,
    submit,
)


@pytest.fixture
async def scored(world, signed_in):  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             experts=2)
    clients = {name: await signed_in(name) for name in panel.experts}
    sheets = {name: await open_and_declare(c, panel) for name, c in clients.items()}
    return panel, clients, sheets


def _draft(client, sheet_id, version, scores):  # type: ignore[no-untyped-def]
    return client.post(f"/api/scoring/sheets/{sheet_id}/draft", json={"version": version, "scores": scores},
                       headers={"x-csrftoken": client.cookies["csrftoken"]})


async def _values(sheet_id: int) -> list[tuple[int, int, str]]:
    rows = await Score.select().where(Score.sheet == sheet_id).order_by(Score.id)
    return [(r["bid"], r["criterion"], f"{r['value']:.2f}") for r in rows]


async def test_out_of_range_is_refused_and_nothing_saved(scored, caplog):
    panel, clients, sheets = scored
    client, sheet_id = clients["ex1"], sheets["ex1"]
    a, t1, t2 = panel.bids["A"], panel.criteria["T1"], panel.criteria["T2"]
    assert (await _draft(client, sheet_id, 1, [{"bid": a, "criterion": t1, "value": "30"}])).status_code == 200
    with caplog.at_level(logging.WARNING, logger="pingshen.scoring"):
        response = await _draft(client, sheet_id, 2, [{"bid": a, "criterion": t1, "value": "45"},
                                                      {"bid": a, "criterion": t2, "value": "10"}])
    assert response.status_code == 400
    assert "得分须在 0–40 分之间（您填写了 45）" in response.json()["detail"]
    assert "A供应商有限公司" in response.json()["detail"]
    assert await _values(sheet_id) == [(a, t1, "30.00")]  # the earlier draft is intact, 10 not saved either
    assert (await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()).version == 2
    assert any("refused" in r.message for r in caplog.records)
    for bad, message in (("-1", "0–40"), ("12.345", "两位小数"), ("abc", "不是数字"), ("NaN", "不是数字")):
        response = await _draft(client, sheet_id, 2, [{"bid": a, "criterion": t1, "value": bad}])
        assert response.status_code == 400 and message in response.json()["detail"], bad
    # The form says the same, keeps what was typed, and submits nothing.
    values = form_values(panel, CONSULTATION_SCORES[1], CODES) | {f"v-{a}-{t1}": "41"}
    page = await submit(client, sheet_id, values)
    assert page.status_code == 400 and "得分须在 0–40 分之间" in page.text and 'value="41"' in page.text
    assert (await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()).status == "draft"


async def test_score_for_a_bid_not_in_the_review(scored, world):
    panel, clients, sheets = scored
    other = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=[("Q", "1000.00")],
                             experts=1, prefix="zz")
    foreign = other.bids["Q"]
    response = await _draft(clients["ex1"], sheets["ex1"], 1,
                            [{"bid": foreign, "criterion": panel.criteria["T1"], "value": "10"}])
    assert response.status_code == 400 and "不属于本次评审" in response.json()["detail"]
    response = await _draft(clients["ex1"], sheets["ex1"], 1,
                            [{"bid": panel.bids["A"], "criterion": other.criteria["T1"], "value": "10"}])
    assert response.status_code == 400 and "评分项" in response.json()["detail"]
    # An invalid bid (failed 资格审查) is not scored either.
    await Bid.update({Bid.valid: False}).where(Bid.id == panel.bids["B"])
    response = await _draft(clients["ex1"], sheets["ex1"], 1,
                            [{"bid": panel.bids["B"], "criterion": panel.criteria["T1"], "value": "10"}])
    assert response.status_code == 400 and "资格" in response.json()["detail"]
    assert await _values(sheets["ex1"]) == []


async def test_incomplete_submit_and_wrong_password(scored):
    panel, clients, sheets = scored
    client, sheet_id = clients["ex1"], sheets["ex1"]
    values = form_values(panel, CONSULTATION_SCORES[1], CODES)
    missing = {k: v for k, v in values.items() if k != f"v-{panel.bids['C']}-{panel.criteria['S1']}"}
    response = await submit(client, sheet_id, missing)
    assert response.status_code == 400 and "还有 1 项未评分" in response.text
    response = await submit(client, sheet_id, values, password="Wrong-Passw0rd!")
    assert response.status_code == 400 and "密码不正确" in response.text
    sheet = await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()
    assert sheet.status == "draft" and sheet.content_sha256 == ""
    assert await AuditRecord.exists().where(AuditRecord.action == "scoresheet.submit_refused")


async def test_second_submit_and_edit_after_submit_are_refused(scored):
    panel, clients, sheets = scored
    client, sheet_id = clients["ex1"], sheets["ex1"]
    values = form_values(panel, CONSULTATION_SCORES[1], CODES)
    assert (await submit(client, sheet_id, values)).status_code == 303
    before = await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()
    again = await submit(client, sheet_id, form_values(panel, CONSULTATION_SCORES[2], CODES))
    assert again.status_code == 409 and "不能重复提交" in again.text
    late = await _draft(client, sheet_id, before.version, [{"bid": panel.bids["A"], "criterion": panel.criteria["T1"],
                                                            "value": "1"}])
    assert late.status_code == 409 and "已提交" in late.json()["detail"]
    after = await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()
    assert (after.version, after.content_sha256) == (before.version, before.content_sha256)
    assert (panel.bids["A"], panel.criteria["T1"], "30.00") in await _values(sheet_id)
    refusals = await AuditRecord.count().where(AuditRecord.action.is_in(["scoresheet.submit_refused",
                                                                         "scoresheet.save_refused"]))
    assert refusals == 2


async def test_submit_after_the_review_closed(scored):
    panel, clients, sheets = scored
    await Review.update({Review.status: "closed"}).where(Review.id == panel.review_id)
    response = await submit(clients["ex2"], sheets["ex2"], form_values(panel, CONSULTATION_SCORES[2], CODES))
    assert response.status_code == 409 and "评审已结束" in response.text
    assert (await ScoreSheet.objects().where(ScoreSheet.id == sheets["ex2"]).first()).status == "draft"
    assert await AuditRecord.exists().where(AuditRecord.action == "scoresheet.submit_refused")


async def test_another_experts_sheet_by_url(scored, signed_in):
    panel, clients, sheets = scored
    intruder = clients["ex2"]
    assert (await intruder.get(f"/scoring/sheets/{sheets['ex1']}")).status_code == 404
    assert (await intruder.get(f"/api/scoring/sheets/{sheets['ex1']}")).status_code == 404
    response = await _draft(intruder, sheets["ex1"], 1, [{"bid": panel.bids["A"], "criterion": panel.criteria["T1"],
                                                          "value": "1"}])
    assert response.status_code == 404
    assert await _values(sheets["ex1"]) == []
    assert await AuditRecord.count().where(AuditRecord.action == "scoresheet.access_refused") == 3
    # An expert with no seat on the review, and a member who is not 组长, see nothing of it.
    outsider = await signed_in("expert")
    assert (await outsider.get(f"/scoring/reviews/{panel.review_id}/sheet")).status_code == 404
    assert (await outsider.get(f"/scoring/reviews/{panel.review_id}/report")).status_code == 404
    assert (await intruder.get(f"/scoring/reviews/{panel.review_id}")).status_code == 404
    # Agency staff of another agency neither.
    other = await signed_in("agency2")
    assert (await other.get(f"/scoring/reviews/{panel.review_id}")).status_code == 404
    assert (await post(other, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 404


async def test_two_tabs_saving_at_once(scored):
    panel, clients, sheets = scored
    client, sheet_id = clients["ex1"], sheets["ex1"]
    a, t1 = panel.bids["A"], panel.criteria["T1"]
    first = await _draft(client, sheet_id, 1, [{"bid": a, "criterion": t1, "value": "20"}])
    second = await _draft(client, sheet_id, 1, [{"bid": a, "criterion": t1, "value": "39"}])
    assert first.status_code == 200 and second.status_code == 409
    assert "为避免覆盖，本次保存未生效" in second.json()["detail"]
    assert await _values(sheet_id) == [(a, t1, "20.00")]


async def test_summary_actions_need_the_leader_or_agency(scored, signed_in):
    panel, clients, sheets = scored
    for i, name in enumerate(panel.experts, 1):
        assert (await submit(clients[name], sheets[name],
                             form_values(panel, CONSULTATION_SCORES[i], CODES))).status_code == 303
    # Nobody is 组长 yet: a member cannot return another's sheet.
    response = await post(clients["ex1"], f"/scoring/reviews/{panel.review_id}/returns",
                          {"sheet_id": str(sheets["ex2"]), "reason": "sum_error", "note": "x"})
    assert response.status_code == 404
    agency = await signed_in("agency")
    response = await post(agency, f"/scoring/reviews/{panel.review_id}/leader", {"seat_id": "999"})
    assert response.status_code == 400 and "组长须是本评审小组" in response.text
    auditor = await signed_in("auditor")
    page = await auditor.get(f"/scoring/reviews/{panel.review_id}")
    assert page.status_code == 200 and "汇总结果" in page.text
    assert "<h3>退回重评</h3>" not in page.text and "要求书面说明" not in page.text  # read only
    # Publishing before the panel signed is refused.
    response = await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})
    assert response.status_code == 409 and "签字" in response.text


async def test_declaring_a_conflict_calls_the_next_alternate(world, signed_in):
    pytest.importorskip("app.panels.seats")
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             alternates=1, prefix="cf")
    client = await signed_in("cf2")
    response = await post(client, f"/scoring/reviews/{panel.review_id}/declaration",
                          {"conflict": "yes", "conflict_text": "本人配偶在B供应商有限公司任职"})
    assert response.status_code == 303
    ended = await PanelSeat.objects().where(PanelSeat.id == panel.seats["cf2"]).first()
    assert ended.state == "recused" and "配偶" in ended.end_reason
    alternate = await PanelSeat.objects().where(PanelSeat.id == panel.alternates["cfalt1"]).first()
    assert (alternate.role, alternate.state, alternate.seat_no, alternate.replaces) == (
        "member", "invited", 2, panel.seats["cf2"])
    declaration = await Declaration.objects().where(Declaration.seat == panel.seats["cf2"]).first()
    assert declaration.conflict and not declaration.pledge
    # The member is off the panel: no sheet, no bid material.
    assert (await client.get(f"/scoring/reviews/{panel.review_id}/sheet")).status_code == 404
    assert not await ScoreSheet.exists().where(ScoreSheet.seat == panel.seats["cf2"])


async def test_conflict_without_reason_is_refused(world, signed_in):
    panel = await make_panel(world, kind="approval", criteria=CONSULTATION_CRITERIA[:1], bids=[("X", None)],
                             experts=1, prefix="nr")
    client = await signed_in("nr1")
    response = await post(client, f"/scoring/reviews/{panel.review_id}/declaration", {"conflict": "yes"})
    assert response.status_code == 400 and "请写明需要回避的原因" in response.text
    assert not await Declaration.exists().where(Declaration.review == panel.review_id)
    assert (await post(client, f"/scoring/reviews/{panel.review_id}/declaration",
                       {"conflict": "no", "pledge": "yes"})).status_code == 303
    again = await post(client, f"/scoring/reviews/{panel.review_id}/declaration", {"conflict": "no", "pledge": "yes"})
    assert again.status_code == 409 and "已签署" in again.text


async def test_two_tabs_saving_at_the_same_moment(scored, signed_in):
    panel, clients, sheets = scored
    tab1, tab2 = clients["ex1"], await signed_in("ex1")
    a, t1 = panel.bids["A"], panel.criteria["T1"]
    responses = await asyncio.gather(
        _draft(tab1, sheets["ex1"], 1, [{"bid": a, "criterion": t1, "value": "11"}]),
        _draft(tab2, sheets["ex1"], 1, [{"bid": a, "criterion": t1, "value": "22"}]))
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = "11.00" if responses[0].status_code == 200 else "22.00"
    assert await _values(sheets["ex1"]) == [(a, t1, winner)]
    assert (await ScoreSheet.objects().where(ScoreSheet.id == sheets["ex1"]).first()).version == 2


async def test_nothing_is_shown_before_the_review_opens(world, signed_in):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             experts=1, prefix="dr", status="draft")
    client = await signed_in("dr1")
    response = await client.get(f"/scoring/reviews/{panel.review_id}/sheet", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/scoring"
    assert "评审尚未开始" in (await client.get("/scoring")).text
    declared = await post(client, f"/scoring/reviews/{panel.review_id}/declaration", {"conflict": "no",
                                                                                        "pledge": "yes"})
    assert declared.status_code == 409 and not await Declaration.exists()
