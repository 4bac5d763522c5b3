"""待办 on each role's home page, asserted from real draws, invitations, sheets and reviews."""

from __future__ import annotations

import datetime as dt
import html

from app.accounts.tables import User
from app.panels import drawing
from app.panels.tables import Draw, Invitation, PanelSeat
from app.reviews.tables import Review
from app.scoresheets.tables import ScoreSheet
from app.web import queues
from tests.app.panels_support import actor, add_experts, drawn_approval_review, project_with_reviews, set_panel
from tests.app.test_scoresheets_fixtures import CONSULTATION_BIDS, CONSULTATION_CRITERIA, make_panel


def test_time_left_in_words() -> None:
    now = dt.datetime(2026, 11, 29, 1, 0, tzinfo=dt.UTC)
    assert queues.time_left(now + dt.timedelta(minutes=29, seconds=10), now) == "还剩 30 分钟"
    assert queues.time_left(now + dt.timedelta(minutes=125), now) == "还剩 2 小时 5 分钟"
    assert queues.time_left(now + dt.timedelta(days=3), now) == "还剩 3 天"
    assert queues.time_left(now - dt.timedelta(seconds=1), now) == "已超时"


async def test_supervisor_sees_draws_waiting_with_time_left(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    await add_experts([["safety.chemical"]] * 6 + [["occupational_health"]] * 6)
    _, approval_id, _ = await project_with_reviews(world)
    await set_panel(world, approval_id, require="safety.chemical:1", accept="safety, occupational_health")
    draw_id = await drawing.prepare_draw(await actor(world, "agency"), approval_id)
    draw = await Draw.objects().where(Draw.id == draw_id).first()
    now = draw.confirm_by - dt.timedelta(minutes=12)
    found = await queues.queue_for(await actor(world, "supervisor"), now)
    [item] = found["待确认的抽取"]
    assert item["href"] == f"/panels/draws/{draw_id}" and "还剩 12 分钟" in item["detail"]
    # Another agency's supervisor-less staff see nothing of it; the page shows it with its link.
    supervisor = await signed_in("supervisor")
    page = html.unescape((await supervisor.get("/")).text)
    assert f'href="/panels/draws/{draw_id}"' in page and "待确认的抽取" in page
    await drawing.confirm_draw(await actor(world, "supervisor"), draw_id)
    assert (await queues.queue_for(await actor(world, "supervisor")))["待确认的抽取"] == []


async def test_agency_sees_unanswered_invitations_missing_sheets_and_reviews_to_publish(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    approval_id = await drawn_approval_review(world)
    invited = await Invitation.count().where((Invitation.review == approval_id) & (Invitation.answer == ""))
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    closed = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                              prefix="cl", status="closed")
    found = await queues.queue_for(await actor(world, "agency"))
    assert invited > 0 and len(found["未答复的邀请"]) == invited
    assert {i["href"] for i in found["未答复的邀请"]} == {f"/reviews/{approval_id}/panel"}
    [missing] = found["缺少的评分表"]
    assert missing["href"] == f"/scoring/reviews/{panel.review_id}" and "已提交评分表 0 / 3" in missing["detail"]
    [ready] = found["待公布的评审"]
    assert ready["href"] == f"/scoring/reviews/{closed.review_id}"
    # The other agency's staff have none of it.
    other = await queues.queue_for(await actor(world, "agency2"))
    assert all(items == [] for items in other.values())
    page = html.unescape((await (await signed_in("agency")).get("/")).text)
    assert "已提交评分表 0 / 3，还差 3 份" in page


async def test_expert_sees_invitations_and_sheets_due(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    member = panel.experts[0]
    user = await User.objects().where(User.username == member).first()
    found = await queues.queue_for(user)
    [due] = found["待完成的评分"]
    assert due["href"] == f"/scoring/reviews/{panel.review_id}/sheet" and due["detail"] == "尚未开始评分"
    assert found["待答复的邀请"] == []
    seat = await PanelSeat.objects().where(PanelSeat.id == panel.seats[member]).first()
    await ScoreSheet.insert(ScoreSheet(review=panel.review_id, seat=seat.id, user=user.id, expert_key="k",
                                       status="submitted"))
    assert (await queues.queue_for(user))["待完成的评分"] == []
    # An invitation waiting for this expert appears with its deadline.
    review = await Review.objects().where(Review.id == panel.review_id).first()
    extra = PanelSeat(review=review.id, expert=panel.expert_ids[member], role="alternate", state="invited")
    await extra.save()
    now = dt.datetime.now(dt.UTC)
    await Invitation.insert(Invitation(seat=extra.id, review=review.id, expert=panel.expert_ids[member],
                                       token_hash="x" * 64, deadline=now + dt.timedelta(hours=5, minutes=3)))
    [invitation] = (await queues.queue_for(user, now))["待答复的邀请"]
    assert invitation["href"] == "/my/invitations" and "还剩 5 小时 3 分钟" in invitation["detail"]
    assert (await queues.queue_for(user, now + dt.timedelta(hours=6)))["待答复的邀请"] == []


async def test_auditor_sees_newly_published_reviews(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             status="published")
    now = dt.datetime.now(dt.UTC)
    await Review.update({Review.published_at: now - dt.timedelta(days=2)}).where(Review.id == panel.review_id)
    auditor = await actor(world, "auditor")
    [item] = (await queues.queue_for(auditor, now))["新公布的评审（30 天内）"]
    assert item["href"] == f"/exports/reviews/{panel.review_id}" and item["detail"] == "昆明市社会保险局"
    assert (await queues.queue_for(auditor, now + dt.timedelta(days=40)))["新公布的评审（30 天内）"] == []
    page = html.unescape((await (await signed_in("auditor")).get("/")).text)
    assert f'href="/exports/reviews/{panel.review_id}"' in page


async def test_supervisor_sees_a_season_plan_waiting(world) -> None:  # type: ignore[no-untyped-def]
    from app.plans import services as plans
    from app.plans.tables import Plan
    from tests.app.plans_support import ready_reviews, roster

    await roster()
    reviews = await ready_reviews(world, 2)
    plan_id = await plans.prepare_plan(await actor(world, "agency"), title="2026年春季评审计划", mode="balanced",
                                       review_ids=reviews)
    plan = await Plan.objects().where(Plan.id == plan_id).first()
    found = await queues.queue_for(await actor(world, "supervisor"), plan.confirm_by - dt.timedelta(minutes=7))
    [item] = found["待确认的抽取"]
    assert item["href"] == f"/plans/{plan_id}" and "评审计划：2026年春季评审计划" == item["title"]
    assert "还剩 7 分钟" in item["detail"]
