"""Invitations and replacements: decline, timeout and late 回避 move the next alternate in, in order;
when alternates run out a 补抽 fills the seat; links answer once, before the deadline, only for their expert."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.audit.tables import AuditRecord
from app.panels import drawing, invitations
from app.panels import seats as seat_services
from app.panels.seats import PanelError
from app.panels.tables import Draw, Invitation, OutboxMessage, PanelSeat
from app.reviews.tables import Bid
from app.roster.tables import Expert
from tests.app.helpers import post_form
from tests.app.panels_support import (
    actor,
    alternates,
    drawn_approval_review,
    members,
)
from tests.app.panels_support import seats as seats_of


@pytest.fixture
async def review(world):
    return await drawn_approval_review(world)


async def token_for(seat_id: int) -> str:
    invitation = await Invitation.select(Invitation.id).where(Invitation.seat == seat_id).first()
    body = (await OutboxMessage.select(OutboxMessage.body).where(
        OutboxMessage.invitation == invitation["id"]).first())["body"]
    return re.search(r"/invitations/([\w-]+)", body).group(1)


async def test_decline_by_link_moves_the_alternates_in_in_order(world, review, client):
    before = await seats_of(review)
    first, second = alternates(before)
    seat = members(before)[2]
    token = await token_for(seat["id"])
    page = await client.get(f"/invitations/{token}")
    assert page.status_code == 200 and "接受邀请" in page.text
    response = await post_form(client, f"/invitations/{token}/decline", {"reason": "当天另有评审任务"})
    assert response.status_code == 200 and "已记录您的谢绝" in response.text
    after = await seats_of(review)
    old = next(s for s in after if s["id"] == seat["id"])
    assert old["state"] == "declined" and old["replaced_by"] == first["id"]
    taken = next(s for s in after if s["id"] == first["id"])
    assert (taken["role"], taken["state"], taken["seat_no"], taken["replaces"]) == ("member", "invited", 3, seat["id"])
    assert await Invitation.exists().where(Invitation.seat == first["id"])
    # The next decline takes the second alternate, not the first again.
    other = members(after)[0]
    await invitations.answer_by_token(await token_for(other["id"]), accept=False, reason="身体原因")
    assert next(s for s in await seats_of(review) if s["id"] == second["id"])["seat_no"] == other["seat_no"]
    declined = await Invitation.select().where(Invitation.seat == seat["id"]).first()
    assert declined["answer"] == "declined" and declined["reason"] == "当天另有评审任务"


async def test_a_link_answers_once_and_not_after_the_deadline(world, review, client):
    seat_a, seat_b = members(await seats_of(review))[:2]
    token = await token_for(seat_a["id"])
    assert (await post_form(client, f"/invitations/{token}/accept")).status_code == 200
    again = await post_form(client, f"/invitations/{token}/decline", {"reason": "改主意"})
    assert again.status_code == 400 and "不能重复使用" in again.text
    assert (await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == seat_a["id"]).first())["state"] == "accepted"
    late = await token_for(seat_b["id"])
    await Invitation.update({Invitation.deadline: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(
        Invitation.seat == seat_b["id"])
    refused = await post_form(client, f"/invitations/{late}/accept")
    assert refused.status_code == 400 and "过期" in refused.text
    now = await seats_of(review)
    assert next(s for s in now if s["id"] == seat_b["id"])["state"] == "expired"
    assert next(s for s in now if s["role"] == "member" and s["seat_no"] == seat_b["seat_no"]
                and s["state"] == "invited")["replaces"] == seat_b["id"]
    reasons = [r["new_values"] for r in await AuditRecord.select(AuditRecord.new_values).where(
        AuditRecord.action == "panel.invitation_refused")]
    assert any("already_answered" in r for r in reasons) and any("deadline_passed" in r for r in reasons)
    assert (await post_form(client, "/invitations/forged-token/accept")).status_code == 404


async def test_an_expert_cannot_answer_for_another(world, review, signed_in):
    mine, theirs = members(await seats_of(review))[:2]
    await Expert.update({Expert.user: world.users["expert"]}).where(Expert.id == mine["expert"])
    expert = await signed_in("expert")
    page = await expert.get("/my/invitations")
    assert page.status_code == 200 and page.text.count("/accept") == 1
    other = await Invitation.select(Invitation.id).where(Invitation.seat == theirs["id"]).first()
    response = await post_form(expert, f"/my/invitations/{other['id']}/accept")
    assert response.status_code == 403 and "只能答复发给您本人的邀请" in response.text
    assert (await Invitation.select(Invitation.answer).where(Invitation.id == other["id"]).first())["answer"] == ""
    assert await AuditRecord.exists().where(AuditRecord.action == "panel.invitation_refused")
    own = await Invitation.select(Invitation.id).where(Invitation.seat == mine["id"]).first()
    assert (await post_form(expert, f"/my/invitations/{own['id']}/accept")).status_code == 303
    assert (await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == mine["id"]).first())["state"] == "accepted"


async def test_late_conflict_from_a_new_bid_recuses_and_replaces(world, review):
    staff = await actor(world, "agency")
    target = members(await seats_of(review))[1]
    first_alternate = alternates(await seats_of(review))[0]
    # Written directly: add_bid re-checks by itself (tests/app/test_conflicts_recheck.py); this is the manual button.
    await Bid.insert(Bid(review=review, position=1, supplier_name=target["org"], title="培训实施方案"))
    found = await seat_services.recheck_panel(staff, review)
    assert [f["seat_id"] for f in found] == [target["id"]] and found[0]["replaced_by"] == first_alternate["id"]
    now = await seats_of(review)
    recused = next(s for s in now if s["id"] == target["id"])
    assert recused["state"] == "recused" and target["org"] in recused["end_reason"]
    assert next(s for s in now if s["id"] == first_alternate["id"])["seat_no"] == target["seat_no"]


async def test_manual_recusal_needs_a_reason(world, review):
    seat = members(await seats_of(review))[0]
    with pytest.raises(PanelError) as caught:
        await seat_services.recuse_seat(await actor(world, "supervisor"), seat["id"], "  ")
    assert caught.value.errors == {"reason": "请写明回避原因"}
    assert (await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == seat["id"]).first())["state"] == "invited"


async def test_redraw_fills_the_seat_when_alternates_run_out(world, review):
    staff, supervisor = await actor(world, "agency"), await actor(world, "supervisor")
    used = {s["expert"] for s in await seats_of(review)}
    for seat in members(await seats_of(review))[:3]:
        await seat_services.recuse_seat(staff, seat["id"], "签到时发现与申报单位有合作关系")
    now = await seats_of(review)
    assert alternates(now) == []
    vacant = [s for s in now if s["role"] == "member" and s["state"] == "recused" and s["replaced_by"] is None]
    assert len(vacant) == 1
    assert await AuditRecord.exists().where(AuditRecord.action == "panel.seat_vacant")
    redraw_id = await drawing.prepare_draw(staff, review)
    redraw = await Draw.select().where(Draw.id == redraw_id).output(load_json=True).first()
    assert redraw["purpose"] == "redraw" and redraw["input"]["panels"][0]["size"] == 1
    assert not used & {e["id"] for e in redraw["input"]["experts"]}
    await drawing.confirm_draw(supervisor, redraw_id)
    final = await seats_of(review)
    filler = next(s for s in final if s["draw"] == redraw_id and s["role"] == "member")
    assert filler["seat_no"] == vacant[0]["seat_no"] and filler["replaces"] == vacant[0]["id"]
    assert filler["expert"] not in used and len(members(final)) == 5
    # A second 补抽 while alternates stand by is refused.
    await seat_services.recuse_seat(staff, filler["id"], "回避")
    with pytest.raises(PanelError):
        await drawing.prepare_draw(staff, review)
