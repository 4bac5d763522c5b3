"""待办 — what waits for each role, shown on their home page with a link to where it is done.

Read-only queries over the areas' tables; each item is a plain dict
{"title", "detail", "href", "due"} so the page and the tests read the same thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.accounts.tables import Role
from app.panels.members import expert_of, held_by
from app.panels.tables import Draw, DrawStatus, Invitation, PanelSeat, SeatRole, SeatState
from app.reviews.tables import Review, ReviewStatus
from app.scoresheets.tables import ScoreSheet, SheetStatus

SCORING_ROLES = [SeatRole.MEMBER.value, SeatRole.PURCHASER_REP.value]
#: How long a published review stays "new" on an auditor's list.
NEW_FOR = dt.timedelta(days=30)


def _agency(user: Any) -> int | None:
    return user.agency if isinstance(user.agency, int) or user.agency is None else user.agency.id


def time_left(deadline: dt.datetime | None, now: dt.datetime) -> str:
    """剩余时间 in words: "还剩 12 分钟", "还剩 3 小时 5 分钟", or "已超时"."""
    if deadline is None:
        return ""
    seconds = int((deadline - now).total_seconds())
    if seconds <= 0:
        return "已超时"
    minutes = max(1, (seconds + 59) // 60)
    if minutes < 60:
        return f"还剩 {minutes} 分钟"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"还剩 {hours} 小时" + (f" {rest} 分钟" if rest else "")
    return f"还剩 {hours // 24} 天"


async def supervisor_queue(user: Any, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """监督人: draws of their agency waiting for confirmation, soonest deadline first."""
    rows = await Draw.select(
        Draw.id, Draw.number, Draw.confirm_by, Draw.review, Draw.review.title.as_alias("review_title"),
        Draw.operator.display_name.as_alias("operator_name"),
    ).where((Draw.agency == _agency(user)) & (Draw.status == DrawStatus.PENDING.value)).order_by(Draw.confirm_by)
    draws = [{
        "title": f"{r['review_title']} · 第 {r['number']} 次抽取",
        "detail": f"经办人 {r['operator_name'] or '—'} 发起；{time_left(r['confirm_by'], now)}（须在 30 分钟内确认）",
        "href": f"/panels/draws/{r['id']}", "due": r["confirm_by"],
        "overdue": r["confirm_by"] is not None and r["confirm_by"] <= now} for r in rows]
    from app.plans.tables import Plan, PlanStatus  # lazy: plans is a later area

    plans = await Plan.select(Plan.id, Plan.title, Plan.confirm_by,
                              Plan.operator.display_name.as_alias("operator_name")).where(
        (Plan.agency == _agency(user)) & (Plan.status == PlanStatus.PENDING.value)).order_by(Plan.confirm_by)
    draws += [{
        "title": f"评审计划：{p['title']}",
        "detail": f"经办人 {p['operator_name'] or '—'} 发起；{time_left(p['confirm_by'], now)}（须在 30 分钟内确认）",
        "href": f"/plans/{p['id']}", "due": p["confirm_by"],
        "overdue": p["confirm_by"] is not None and p["confirm_by"] <= now} for p in plans]
    return {"待确认的抽取": draws}


async def agency_queue(user: Any, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """经办人: invitations unanswered, sheets missing in open reviews, reviews ready to publish."""
    agency = _agency(user)
    invited = await Invitation.select(
        Invitation.id, Invitation.deadline, Invitation.review, Invitation.review.title.as_alias("review_title"),
        Invitation.seat.expert.name.as_alias("expert_name"), Invitation.seat.name.as_alias("seat_name"),
    ).where((Invitation.review.agency == agency) & (Invitation.answer == "")
            & (Invitation.seat.state == SeatState.INVITED.value)).order_by(Invitation.deadline)
    unanswered = [{
        "title": f"{r['review_title']} · {r['expert_name'] or r['seat_name'] or '未具名专家'}",
        "detail": f"邀请未答复，{time_left(r['deadline'], now)}", "href": f"/reviews/{r['review']}/panel",
        "due": r["deadline"], "overdue": r["deadline"] <= now} for r in invited]

    open_reviews = await Review.select(Review.id, Review.title).where(
        (Review.agency == agency) & (Review.status == ReviewStatus.OPEN.value)).order_by(Review.id)
    missing = []
    for review in open_reviews:
        seats = await PanelSeat.count().where(
            (PanelSeat.review == review["id"]) & PanelSeat.role.is_in(SCORING_ROLES)
            & (PanelSeat.state == SeatState.ACCEPTED.value))
        submitted = await ScoreSheet.count().where(
            (ScoreSheet.review == review["id"]) & (ScoreSheet.status == SheetStatus.SUBMITTED.value))
        if submitted < seats:
            detail = f"已提交评分表 {submitted} / {seats}，还差 {seats - submitted} 份"
            missing.append({"title": review["title"], "detail": detail,
                            "href": f"/scoring/reviews/{review['id']}", "due": None, "overdue": False})

    closed = await Review.select(Review.id, Review.title, Review.closed_at).where(
        (Review.agency == agency) & (Review.status == ReviewStatus.CLOSED.value)).order_by(Review.closed_at)
    ready = [{"title": r["title"], "detail": "评分已结束，待核对后公布结果", "href": f"/scoring/reviews/{r['id']}",
              "due": None, "overdue": False} for r in closed]
    return {"未答复的邀请": unanswered, "缺少的评分表": missing, "待公布的评审": ready}


async def expert_queue(user: Any, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """评审专家 (and 采购人代表 accounts): invitations to answer and score sheets due."""
    own = await expert_of(user)
    invitations = []
    if own is not None:
        rows = await Invitation.select(
            Invitation.id, Invitation.deadline, Invitation.review.title.as_alias("review_title"),
            Invitation.review.scheduled_at.as_alias("scheduled_at"),
        ).where((Invitation.expert == own) & (Invitation.answer == "") & (Invitation.deadline > now)).order_by(
            Invitation.deadline)
        invitations = [{"title": r["review_title"], "detail": f"请答复邀请，{time_left(r['deadline'], now)}",
                        "href": "/my/invitations", "due": r["deadline"], "overdue": False} for r in rows]
    seats = await PanelSeat.select(PanelSeat.id, PanelSeat.review, PanelSeat.review.title.as_alias("review_title"),
                                   PanelSeat.review.scheduled_at.as_alias("scheduled_at")).where(
        held_by(user) & PanelSeat.role.is_in(SCORING_ROLES) & (PanelSeat.state == SeatState.ACCEPTED.value)
        & (PanelSeat.review.status == ReviewStatus.OPEN.value)).order_by(PanelSeat.review)
    due = []
    for seat in seats:
        sheet = await ScoreSheet.select(ScoreSheet.status).where(ScoreSheet.seat == seat["id"]).first()
        if sheet is not None and sheet["status"] == SheetStatus.SUBMITTED.value:
            continue
        state = {None: "尚未开始评分", SheetStatus.DRAFT.value: "评分表草稿未提交",
                 SheetStatus.RETURNED.value: "评分表被退回，请重评"}[sheet["status"] if sheet else None]
        due.append({"title": seat["review_title"], "detail": state,
                    "href": f"/scoring/reviews/{seat['review']}/sheet", "due": seat["scheduled_at"],
                    "overdue": False})
    return {"待答复的邀请": invitations, "待完成的评分": due}


async def auditor_queue(user: Any, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """审计: reviews published in the last 30 days, newest first."""
    rows = await Review.select(Review.id, Review.title, Review.published_at,
                               Review.agency.name.as_alias("agency_name")).where(
        (Review.status == ReviewStatus.PUBLISHED.value) & (Review.published_at >= now - NEW_FOR)).order_by(
        Review.published_at, ascending=False)
    return {"新公布的评审（30 天内）": [{"title": r["title"], "detail": r["agency_name"] or "",
                                   "href": f"/exports/reviews/{r['id']}", "due": r["published_at"],
                                   "overdue": False} for r in rows]}


QUEUES = {
    Role.SUPERVISOR.value: supervisor_queue,
    Role.AGENCY.value: agency_queue,
    Role.EXPERT.value: expert_queue,
    Role.AUDITOR.value: auditor_queue,
}


async def queue_for(user: Any, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The work lists for this user's role ({} for roles without one)."""
    make = QUEUES.get(user.role)
    return await make(user, now or dt.datetime.now(dt.UTC)) if make else {}
