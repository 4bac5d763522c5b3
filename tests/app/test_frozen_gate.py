"""Frozen records (issue 12): once scoring has ended, nothing that changes a review's panel, sheets,
bids, rubric, decisions or settings is accepted — a Chinese 409 refusal, and nothing written.

The regression of finding 1: publish a review, then as its 经办人 record a 回避 on a member's
seat. It used to answer 303, drop the member's signed sheet from the bundle and break
`pingshen verify`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from app.db import write_tx
from app.exports.collect import review_bundle
from app.panels.seats import token_hash
from app.panels.tables import Draw, Invitation, OutboxMessage, PanelSeat
from app.reviews import state
from app.reviews.state import ALLOWED, Change, FrozenError, Phase, ensure_may_change
from app.reviews.tables import Bid, Criterion, Review
from app.scoresheets.tables import (
    AnomalyNote,
    Declaration,
    PriceReview,
    RankingNote,
    Result,
    Score,
    ScoreSheet,
    ScoreSheetVersion,
    ScoringSettings,
    SheetReturn,
    Signature,
    TieSettlement,
)
from tests.app.helpers import PASSWORD, csrf
from tests.app.test_exports_fixtures import CODES, finished_consultation, run_verify
from tests.app.test_scoresheets_fixtures import CONSULTATION_SCORES, Panel, form_values, post

PER_REVIEW = (PanelSeat, Invitation, Draw, Bid, Criterion, ScoreSheet, SheetReturn, AnomalyNote, Signature,
              Declaration, ScoringSettings, Result, PriceReview, TieSettlement, RankingNote)


async def snapshot(review_id: int) -> dict[str, Any]:
    """Every stored row that belongs to the review (the audit trail aside)."""
    rows: dict[str, Any] = {"review": await Review.select().where(Review.id == review_id)}
    for table in PER_REVIEW:
        rows[table._meta.tablename] = await table.select().where(table.review == review_id).order_by(table.id)
    sheets = [s["id"] for s in rows["score_sheet"]] or [0]
    rows["scores"] = await Score.select().where(Score.sheet.is_in(sheets)).order_by(Score.id)
    rows["versions"] = await ScoreSheetVersion.select().where(ScoreSheetVersion.sheet.is_in(sheets))
    rows["outbox"] = await OutboxMessage.count()
    return rows


async def _extras(panel: Panel) -> dict[str, Any]:
    """An open invitation and an unanswered 书面说明 request on the finished review, so that the
    invitation answers and the explanation have something to refuse."""
    token = "frozen-test-token-" + "x" * 20
    async with write_tx():
        seat = PanelSeat(review=panel.review_id, expert=panel.expert_ids["xp1"], role="alternate", state="invited",
                         seat_no=0, drawn_role="alternate", drawn_order=9)
        await seat.save()
        invitation = Invitation(seat=seat.id, review=panel.review_id, expert=panel.expert_ids["xp1"],
                                token_hash=token_hash(token), email="xp1@example.cn",
                                sent_at=dt.datetime.now(dt.UTC),
                                deadline=dt.datetime.now(dt.UTC) + dt.timedelta(hours=24))
        await invitation.save()
        sheet = await ScoreSheet.objects().where(ScoreSheet.seat == panel.seats["xp1"]).first()
        note = AnomalyNote(review=panel.review_id, sheet=sheet.id, revision=sheet.revision, bid=panel.bids["A"],
                           criterion=panel.criteria["T1"], value="30", others_mean="30", deviation="0",
                           requested_by=1)
        await note.save()
        rep = PanelSeat(review=panel.review_id, name="采购人代表丙", org="昆明市社会保险局", role="purchaser_rep",
                        state="accepted", seat_no=9, source="manual")
        await rep.save()
    draw = await Draw.select(Draw.id).where(Draw.review == panel.review_id).first()
    return {"token": token, "invitation": invitation.id, "sheet": sheet.id, "note": note.id, "draw": draw["id"],
            "rep": rep.id}


def write_routes(panel: Panel, extra: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(who, url, form) for every write that touches the review: panel, sheets, bids, rubric,
    decisions and settings."""
    r, seat1, seat2 = panel.review_id, panel.seats["xp1"], panel.seats["xp2"]
    bid, crit, sheet = panel.bids["A"], panel.criteria["T1"], extra["sheet"]
    scores = form_values(panel, CONSULTATION_SCORES[1], CODES)
    return [
        # panel (评审小组)
        ("agency", f"/panels/seats/{seat1}/recuse", {"reason": "与供应商存在利害关系"}),
        ("supervisor", f"/panels/seats/{seat2}/recuse", {"reason": "回避"}),
        ("agency", f"/reviews/{r}/panel/recheck", {}),
        ("agency", f"/reviews/{r}/panel/reps", {"rep_name": "采购人代表乙", "rep_org": "昆明市社会保险局"}),
        ("agency", f"/reviews/{r}/panel/import", {"names": "甲,单位一\n乙,单位二\n丙,单位三", "reference": "CZ-9"}),
        ("agency", f"/reviews/{r}/panel/draws", {}),
        ("agency", f"/panels/draws/{extra['draw']}/cancel", {"reason": "取消"}),
        ("supervisor", f"/panels/draws/{extra['draw']}/confirm", {}),
        ("agency", f"/reviews/{r}/open", {}),
        ("anonymous", f"/invitations/{extra['token']}/accept", {}),
        ("anonymous", f"/invitations/{extra['token']}/decline", {"reason": "时间冲突"}),
        ("xp1", f"/my/invitations/{extra['invitation']}/accept", {}),
        ("xp1", f"/my/invitations/{extra['invitation']}/decline", {"reason": "时间冲突"}),
        ("agency", f"/scoring/reviews/{r}/leader", {"seat_id": str(seat2)}),
        ("agency", f"/reviews/{r}/panel/seats/{extra['rep']}/account", {"username": "rep_new"}),
        ("agency", f"/reviews/{r}/panel/seats/{extra['rep']}/account/link", {"username": "expert1"}),
        ("agency", f"/reviews/{r}/panel/seats/{extra['rep']}/account/unlink", {}),
        # review settings, rubric, bids
        ("agency", f"/reviews/{r}/settings", {"version": "1", "title": "改名", "panel_size": "5"}),
        ("agency", f"/reviews/{r}/rubric", {"template_id": "1"}),
        ("agency", f"/reviews/{r}/criteria", {"name": "新增因素", "max_points": "5", "group": "technical",
                                              "kind": "subjective"}),
        ("agency", f"/reviews/{r}/criteria/{crit}/delete", {}),
        ("agency", f"/reviews/{r}/bids", {"supplier_name": "迟到的供应商", "final_quote": "1000"}),
        ("agency", f"/reviews/{r}/bids/{bid}/delete", {}),
        ("agency", f"/scoring/reviews/{r}/settings", {"pass_score": "", "anomaly_threshold": "0.3", "version": "0"}),
        # sheets
        ("xp1", f"/scoring/reviews/{r}/declaration", {"conflict": "yes", "conflict_text": "与供应商有利害关系"}),
        ("xp1", f"/scoring/sheets/{sheet}", {**scores, "version": "99", "action": "save"}),
        ("xp1", f"/scoring/sheets/{sheet}", {**scores, "version": "99", "action": "submit", "password": PASSWORD}),
        ("xp1", f"/scoring/notes/{extra['note']}/explanation", {"explanation": "按评分细则打分"}),
        ("agency", f"/scoring/reviews/{r}/explanations", {"sheet_id": str(sheet), "bid_id": str(bid),
                                                          "criterion_id": str(crit)}),
        ("agency", f"/scoring/reviews/{r}/returns", {"sheet_id": str(sheet), "reason": "sum_error",
                                                     "note": "汇总有误"}),
        # decisions and signatures
        ("agency", f"/scoring/reviews/{r}/price-reviews", {"bid_id": str(bid), "explanation": "成本说明",
                                                           "received_on": "2026-11-20", "decision": "rejected",
                                                           "reasons": "不能证明"}),
        ("agency", f"/scoring/reviews/{r}/ties", {"rank": "1", f"pos-{bid}": "1", "method": "lot",
                                                  "basis": "抽签"}),
        ("agency", f"/scoring/reviews/{r}/ranking-notes", {"bid_id": str(bid), "note": "改写的排序理由",
                                                           "version": "0"}),
        ("agency", f"/scoring/reviews/{r}/refusals", {"seat_id": str(seat1)}),
        ("xp1", f"/scoring/reviews/{r}/signature", {"agree": "no", "dissent": "再签一次", "password": PASSWORD}),
    ]


async def _clients(signed_in: Any, client: Any, panel: Panel) -> dict[str, Any]:
    return {"agency": await signed_in("agency"), "supervisor": await signed_in("supervisor"),
            "xp1": await signed_in("xp1"), "anonymous": client}


async def _refused_everywhere(panel: Panel, clients: dict[str, Any], extra: dict[str, Any],
                              routes: list[tuple[str, str, dict[str, str]]]) -> None:
    before = await snapshot(panel.review_id)
    problems = []
    for who, url, form in routes:
        response = await post(clients[who], url, form)
        after = await snapshot(panel.review_id)
        if response.status_code != 409:
            problems.append(f"{who} POST {url}: {response.status_code}")
        elif "text/html" not in response.headers.get("content-type", ""):
            problems.append(f"{who} POST {url}: {response.headers.get('content-type')}")
        elif not any(word in response.text for word in ("不能", "未生效")):
            problems.append(f"{who} POST {url}: no Chinese refusal")
        if after != before:
            changed = [k for k in before if before[k] != after[k]]
            problems.append(f"{who} POST {url} wrote: {changed}")
            before = after
    assert not problems, "\n".join(problems)
    # The autosave API answers JSON, and refuses as well.
    token = await csrf(clients["xp1"])
    response = await clients["xp1"].post(
        f"/api/scoring/sheets/{extra['sheet']}/draft", headers={"x-csrftoken": token},
        json={"version": 99, "scores": [{"bid": panel.bids["A"], "criterion": panel.criteria["T1"], "value": "1"}]})
    assert response.status_code == 409 and response.json()["detail"], response.text
    assert await snapshot(panel.review_id) == before


async def test_publish_then_recuse_is_refused_and_the_bundle_still_verifies(world, signed_in, tmp_path):
    panel = await finished_consultation(world, signed_in)
    agency = await signed_in("agency")
    seat = panel.seats["xp2"]

    response = await post(agency, f"/panels/seats/{seat}/recuse", {"reason": "发现与供应商存在利害关系"})

    assert response.status_code == 409, response.text
    assert "text/html" in response.headers["content-type"]
    assert "结果已公布" in response.text and "更正" in response.text
    row = await PanelSeat.select(PanelSeat.state, PanelSeat.end_reason).where(PanelSeat.id == seat).first()
    assert row == {"state": "accepted", "end_reason": ""}
    raw = await review_bundle(panel.review_id)
    assert len(raw["sheets"]) == 3 and len(raw["signatures"]) == 3
    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


async def test_every_write_is_refused_after_publication(world, signed_in, client):
    panel = await finished_consultation(world, signed_in)
    extra = await _extras(panel)
    clients = await _clients(signed_in, client, panel)
    routes = [*write_routes(panel, extra), ("agency", f"/scoring/reviews/{panel.review_id}/publish", {})]
    await _refused_everywhere(panel, clients, extra, routes)


async def test_every_write_is_refused_once_scoring_has_ended(world, signed_in, client):
    panel = await finished_consultation(world, signed_in, publish=False)
    assert (await Review.select(Review.status).where(Review.id == panel.review_id).first())["status"] == "closed"
    extra = await _extras(panel)
    clients = await _clients(signed_in, client, panel)
    await _refused_everywhere(panel, clients, extra, write_routes(panel, extra))


# --- the gate itself ------------------------------------------------------------------------------


async def _review_in(world: Any, status: str, *, with_panel: bool = False) -> int:
    from app.reviews.tables import Project

    async with write_tx():
        project = Project(agency=world.agency_id, name="状态机项目", budget=Decimal("1000"), purchaser_name="某单位")
        await project.save()
        review = Review(project=project.id, agency=world.agency_id, kind="approval", title="状态机", status=status)
        await review.save()
        if with_panel:
            await PanelSeat(review=review.id, name="甲", role="member", state="accepted", seat_no=1).save()
    return review.id


@pytest.mark.parametrize(("status", "with_panel", "phase"), [
    ("draft", False, Phase.DRAFT), ("draft", True, Phase.DRAWN), ("open", False, Phase.OPEN),
    ("closed", False, Phase.CLOSED), ("published", False, Phase.PUBLISHED), ("terminated", False, Phase.TERMINATED),
])
async def test_gate_allows_each_change_only_in_its_phases(world, status, with_panel, phase):
    review_id = await _review_in(world, status, with_panel=with_panel)
    for change in Change:
        async with write_tx():
            if phase in ALLOWED[change]:
                assert (await ensure_may_change(review_id, change)).id == review_id
            else:
                with pytest.raises(FrozenError) as refused:
                    await ensure_may_change(review_id, change)
                assert refused.value.status_code == 409 and state.PHASE_LABELS[phase] in refused.value.detail
    # After scoring ends only publication (closed) or a correction (published) may move.
    if phase == Phase.CLOSED:
        assert {c for c in Change if phase in ALLOWED[c]} == {Change.PUBLICATION}
    if phase == Phase.PUBLISHED:
        assert {c for c in Change if phase in ALLOWED[c]} == {Change.CORRECTION}
    if phase == Phase.TERMINATED:
        assert not {c for c in Change if phase in ALLOWED[c]}


async def test_gate_refuses_outside_a_write_transaction(world):
    review_id = await _review_in(world, "open")
    with pytest.raises(RuntimeError, match="write_tx"):
        await ensure_may_change(review_id, Change.PANEL)


async def test_a_stale_read_cannot_overtake_publication(world, signed_in):
    """The page read the review while it was open; it closed before the write: the gate, reading again
    inside the transaction, refuses and the seat stays."""
    from app.audit.services import SYSTEM
    from app.panels.seats import end_seat

    panel = await finished_consultation(world, signed_in, publish=False)
    stale = await Review.objects().where(Review.id == panel.review_id).first()
    stale.status = "open"
    seat = await PanelSeat.select().where(PanelSeat.id == panel.seats["xp1"]).first()
    with pytest.raises(FrozenError):
        async with write_tx():
            await end_seat(SYSTEM, stale, seat, "recused", "回避", dt.datetime.now(dt.UTC))
    assert (await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == seat["id"]).first())["state"] == "accepted"
