"""采用计划 — seats and invitations for every review of a solved plan, one transaction per review.

Each review gets a confirmed Draw record carrying the plan's seed and input hash, a reference to the
plan's input (stored once, on the plan: 500 copies of a 20,000-expert input would be a gigabyte) and
its own panel of the result (plan_id in the output), so the panel page, the replay and the bundle show where the
seats came from; declines and 回避 then replace from that panel's own ordered alternates, as today.
"""

from __future__ import annotations

from typing import Any

from app.audit import services as audit
from app.db import write_tx
from app.panels import mail
from app.panels.context import conflicts_of
from app.panels.seats import end_seat, invite, now_utc
from app.panels.tables import Draw, DrawPurpose, DrawStatus, Invitation, PanelSeat, SeatRole, SeatState
from app.plans.inputs import plan_reference
from app.plans.services import PlanError, get_plan, plan_reviews
from app.plans.tables import Plan, PlanReview, PlanStatus
from app.reviews.state import Change, FrozenError, ensure_may_change
from app.reviews.tables import Review, ReviewStatus


def review_output(plan: dict[str, Any], panel_id: str) -> dict[str, Any]:
    """The draw record's output: the plan's result restricted to one panel (replayable alone)."""
    out = plan["output"]
    panels = [p for p in out["panels"] if str(p["id"]) == panel_id]
    return {"mode": out["mode"], "status": out["status"], "seed": out["seed"], "input_sha256": out["input_sha256"],
            "panels": panels, "plan_id": plan["id"]}


async def _staff_review(actor: Any, plan: dict[str, Any], link: dict[str, Any], orgs: dict[Any, str]) -> None:
    review = await Review.objects().where(Review.id == link["review"]).first()
    out = review_output(plan, link["panel_id"])
    panel = out["panels"][0]
    conflicts = await conflicts_of(review, [*panel["members"], *panel["alternates"]])
    now = now_utc()
    async with write_tx():
        await ensure_may_change(review.id, Change.DRAW)  # the one gate every write to a review asks (state.py)
        fresh = await Review.select(Review.status).where(Review.id == review.id).first()
        taken = Draw.status.is_in([DrawStatus.PENDING.value, DrawStatus.CONFIRMED.value])
        if fresh["status"] != ReviewStatus.DRAFT.value or await Draw.exists().where((Draw.review == review.id) & taken):
            raise PlanError({"plan": f"评审“{review.title}”已开始或已有抽取，不能采用计划为其组建小组"},
                            status_code=409)
        number = await Draw.count().where(Draw.review == review.id) + 1
        draw = Draw(review=review.id, agency=review.agency, number=number, purpose=DrawPurpose.INITIAL.value,
                    status=DrawStatus.CONFIRMED.value, input=plan_reference(plan["id"], link["panel_id"]),
                    input_sha256=plan["input_sha256"],
                    pool_sha256=plan["pool_sha256"], pool_size=plan["pool_size"],
                    excluded=(plan["excluded"] or {}).get(str(review.id), {}), seed=plan["seed"], output=out,
                    operator=plan["operator"], supervisor=plan["supervisor"], created_at=plan["created_at"],
                    confirmed_at=plan["confirmed_at"], seats_filled=len(panel["members"]))
        await draw.save()
        await PlanReview.update({PlanReview.draw: draw.id}).where(PlanReview.id == link["id"])
        created: list[tuple[int, int, str]] = []
        for order, expert_id in enumerate(panel["members"], start=1):
            seat = PanelSeat(review=review.id, draw=draw.id, expert=expert_id, org=orgs.get(expert_id, ""),
                             role=SeatRole.MEMBER.value, state=SeatState.INVITED.value, seat_no=order,
                             drawn_role=SeatRole.MEMBER.value, drawn_order=order, source="draw")
            await seat.save()
            created.append((seat.id, expert_id, SeatRole.MEMBER.value))
        for order, expert_id in enumerate(panel["alternates"], start=1):
            seat = PanelSeat(review=review.id, draw=draw.id, expert=expert_id, org=orgs.get(expert_id, ""),
                             role=SeatRole.ALTERNATE.value, state=SeatState.STANDBY.value, seat_no=0,
                             drawn_role=SeatRole.ALTERNATE.value, drawn_order=order, source="draw")
            await seat.save()
            created.append((seat.id, expert_id, SeatRole.ALTERNATE.value))
        await audit.record(actor=actor, action="panel.draw_confirmed", object_type="panel_draw", object_id=draw.id,
                           agency_id=review.agency,
                           new={"review_id": review.id, "plan_id": plan["id"], "seed": plan["seed"],
                                "input_sha256": plan["input_sha256"], "pool_sha256": plan["pool_sha256"],
                                "members": panel["members"], "alternates": panel["alternates"],
                                "operator_id": plan["operator"], "supervisor_id": plan["supervisor"]})
        # A bid registered since the plan was prepared: the conflicted expert leaves at once, replaced in order.
        for seat_id, expert_id, _role in sorted(created, key=lambda c: c[2] == SeatRole.MEMBER.value):
            if expert_id in conflicts:
                seat_row = await PanelSeat.select().where(PanelSeat.id == seat_id).first()
                if seat_row["state"] in (SeatState.INVITED.value, SeatState.STANDBY.value):
                    reason = "回避：" + "；".join(c.reason for c in conflicts[expert_id])
                    await end_seat(actor, review, seat_row, SeatState.RECUSED.value, reason, now)
        invited = {r["seat"] for r in await Invitation.select(Invitation.seat).where(Invitation.review == review.id)}
        for seat_id, expert_id, role in created:
            state = await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == seat_id).first()
            if role == SeatRole.MEMBER.value and state["state"] == SeatState.INVITED.value and seat_id not in invited:
                await invite(review, seat_id, expert_id, now)


async def accept_plan(actor: Any, plan_id: int) -> int:
    """经办人采用计划 — returns the number of reviews staffed."""
    plan = await get_plan(actor, plan_id)
    if plan["status"] != PlanStatus.SOLVED.value:
        raise PlanError({"plan": "只有已求解、尚未采用的计划可以采用"}, status_code=409)
    links = await plan_reviews(plan_id)
    async with write_tx():
        claimed = await Plan.update({Plan.status: PlanStatus.ACCEPTED.value, Plan.accepted_by: actor.id,
                                     Plan.accepted_at: now_utc()}).where(
            (Plan.id == plan_id) & (Plan.status == PlanStatus.SOLVED.value)).returning(Plan.id)
        if not claimed:
            raise PlanError({"plan": "计划状态已变化，请刷新"}, status_code=409)
        await audit.record(actor=actor, action="plan.accepted", object_type="season_plan", object_id=plan_id,
                           agency_id=plan["agency"], new={"reviews": [link["review"] for link in links]})
    orgs = {e["id"]: e["org"] or "" for e in plan["input"]["experts"]}
    staffed, refused = 0, []
    for link in links:
        if link["draw"] is not None:
            continue
        try:
            await _staff_review(actor, plan, link, orgs)
            staffed += 1
        except PlanError as exc:
            refused.append(exc.errors["plan"])
        except FrozenError as exc:  # the review moved on (ended, terminated) since the plan was solved
            refused.append(f"评审编号 {link['review']}：{exc.detail}")
    await mail.deliver_pending()
    if refused:
        raise PlanError({"plan": f"已为 {staffed} 个评审组建小组；以下未能组建：" + "；".join(refused)},
                        status_code=409)
    return staffed
