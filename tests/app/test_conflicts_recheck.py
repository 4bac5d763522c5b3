"""Late 回避: a bid added after the draw and an expert's sign-in re-check the seated and standby experts;
a conflicted one is removed through the panels' replacement flow (递补), and every removal is audited.
A failure of the sign-in re-check never blocks the sign-in."""

from __future__ import annotations

import json
import logging

import pytest

from app.audit.tables import AuditRecord
from app.conflicts import recheck
from app.reviews import bids
from app.reviews.tables import Bid, Review
from app.roster.tables import Expert
from tests.app.helpers import sign_in
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


async def late_recusals() -> list[dict]:
    rows = await AuditRecord.select(AuditRecord.actor, AuditRecord.object_id, AuditRecord.new_values).where(
        AuditRecord.action == "conflicts.late_recusal").order_by(AuditRecord.id)
    return [{**r, "new": json.loads(r["new_values"])} for r in rows]


def seat(rows: list[dict], seat_id: int) -> dict:
    return next(s for s in rows if s["id"] == seat_id)


async def test_a_new_bid_recuses_a_seated_expert_and_the_next_alternate_moves_in(world, review):
    staff = await actor(world, "agency")
    before = await seats_of(review)
    target, first_alternate = members(before)[1], alternates(before)[0]
    bid_id = await bids.add_bid(staff, review, bids.BidInput(supplier_name=target["org"], title="培训实施方案"))
    assert await Bid.exists().where(Bid.id == bid_id)
    after = await seats_of(review)
    ended = seat(after, target["id"])
    assert ended["state"] == "recused" and target["org"] in ended["end_reason"]
    assert ended["replaced_by"] == first_alternate["id"]
    moved = seat(after, first_alternate["id"])
    assert (moved["role"], moved["state"], moved["seat_no"]) == ("member", "invited", target["seat_no"])
    assert len(members(after)) == len(members(before))
    [record] = await late_recusals()
    assert record["object_id"] == str(target["id"]) and record["actor"] == "agency1"
    assert record["new"]["trigger"] == "bids_changed" and record["new"]["codes"] == ["employer_is_bidder"]
    assert await AuditRecord.exists().where(AuditRecord.action == "panel.seat_recused")
    assert await AuditRecord.exists().where(AuditRecord.action == "panel.seat_replaced")


async def test_a_new_bid_recuses_a_conflicted_alternate_and_leaves_the_members(world, review):
    staff = await actor(world, "agency")
    before = await seats_of(review)
    standby = alternates(before)[-1]
    await bids.add_bid(staff, review, bids.BidInput(supplier_name=standby["org"], title="方案"))
    after = await seats_of(review)
    assert seat(after, standby["id"])["state"] == "recused"
    assert [s["id"] for s in members(after)] == [s["id"] for s in members(before)]
    assert [r["object_id"] for r in await late_recusals()] == [str(standby["id"])]


async def test_a_bid_without_conflicts_or_before_the_draw_changes_no_seat(world, review):
    staff = await actor(world, "agency")
    before = await seats_of(review)
    await bids.add_bid(staff, review, bids.BidInput(supplier_name="与专家无关的公司", title="方案"))
    assert await seats_of(review) == before
    assert await late_recusals() == []
    checked = await AuditRecord.select(AuditRecord.new_values).where(AuditRecord.action == "panel.rechecked").first()
    assert json.loads(checked["new_values"])["recused"] == 0
    # The 磋商 review of the same project has no panel yet: nothing to re-check, nothing recorded.
    consultation = await Review.select(Review.id).where(
        (Review.kind == "consultation") & (Review.project == (await Review.select(Review.project).where(
            Review.id == review).first())["project"])).first()
    await bids.add_bid(staff, consultation["id"], bids.BidInput(supplier_name="单位001"))
    assert await AuditRecord.count().where(AuditRecord.action == "panel.rechecked") == 1


async def link(world, expert_id: int) -> None:
    await Expert.update({Expert.user: world.users["expert"]}).where(Expert.id == expert_id)


async def test_sign_in_recuses_an_expert_whose_employer_became_a_bidder(world, review, client):
    staff = await actor(world, "agency")
    await bids.add_bid(staff, review, bids.BidInput(supplier_name="昆明安泰咨询有限公司", title="方案"))
    before = await seats_of(review)
    target, first_alternate = members(before)[0], alternates(before)[0]
    await link(world, target["expert"])
    # The expert changed employer since the draw (their profile), to a bidder of this review.
    await Expert.update({Expert.employer: "昆明安泰咨询（有限公司）"}).where(Expert.id == target["expert"])
    response = await sign_in(client, "expert1")
    assert response.status_code == 303
    after = await seats_of(review)
    assert seat(after, target["id"])["state"] == "recused"
    assert seat(after, first_alternate["id"])["seat_no"] == target["seat_no"]
    [record] = await late_recusals()
    assert record["actor"] == "system" and record["new"]["trigger"] == "sign_in"
    assert record["new"]["expert_id"] == target["expert"]
    # Signing in again finds nothing more to do.
    assert await recheck.recheck_expert_at_sign_in(await actor(world, "expert")) == []


async def test_sign_in_leaves_published_or_closed_reviews_and_other_roles_alone(world, review):
    staff = await actor(world, "agency")
    await bids.add_bid(staff, review, bids.BidInput(supplier_name="昆明安泰咨询有限公司", title="方案"))
    target = members(await seats_of(review))[0]
    await link(world, target["expert"])
    await Expert.update({Expert.employer: "昆明安泰咨询有限公司"}).where(Expert.id == target["expert"])
    await Review.update({Review.status: "closed"}).where(Review.id == review)
    assert await recheck.recheck_expert_at_sign_in(await actor(world, "expert")) == []
    assert await recheck.recheck_expert_at_sign_in(staff) == []
    assert seat(await seats_of(review), target["id"])["state"] == "invited"


async def test_a_failing_recheck_never_blocks_sign_in(world, review, client, monkeypatch, caplog):
    target = members(await seats_of(review))[0]
    await link(world, target["expert"])

    async def broken(user):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(recheck, "_recheck_expert", broken)
    with caplog.at_level(logging.ERROR, logger="pingshen.conflicts"):
        response = await sign_in(client, "expert1")
    assert response.status_code == 303
    assert "re-check at sign-in failed" in caplog.text
    assert seat(await seats_of(review), target["id"])["state"] == "invited"
    assert await AuditRecord.exists().where(AuditRecord.action == "account.signed_in")

    async def worse(user):
        raise RuntimeError("even the guard failed")

    monkeypatch.setattr(recheck, "recheck_expert_at_sign_in", worse)
    from app.accounts.services import authenticate
    from tests.app.helpers import PASSWORD

    result = await authenticate("expert1", PASSWORD)
    assert result.user is not None and result.message == ""
