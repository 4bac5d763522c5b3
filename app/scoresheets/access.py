"""Who may see what in online scoring: a member sees only their own seat and sheet, the 组长 and
agency staff see the panel's summary, auditors read.

Refusals answer 404 (not 403) for objects the user may not know exist, and are logged.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.guards import ensure_agency_access
from app.accounts.tables import AGENCY_ROLES, Role
from app.panels.members import held_by
from app.panels.tables import PanelSeat, SeatRole, SeatState
from app.reviews.tables import Review, ReviewStatus
from app.roster.tables import Expert

log = logging.getLogger("pingshen.scoring")

#: Seats that score: members and 采购人代表 who accepted (docs/reviews.md, "The panel that scores").
SCORING_ROLES = (SeatRole.MEMBER.value, SeatRole.PURCHASER_REP.value)


class FlowError(ValueError):
    """A refused scoring step; `errors` maps field → Chinese message, `status_code` the HTTP answer."""

    def __init__(self, errors: dict[str, str], status_code: int = 400):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status_code = status_code


def expert_key(seat: Any) -> str:
    """The member's id in the scoring input: the roster expert id, or "P<seat id>" for a person
    without a roster row (a 采购人代表)."""
    expert = seat["expert"] if isinstance(seat, dict) else seat.expert
    seat_id = seat["id"] if isinstance(seat, dict) else seat.id
    if isinstance(expert, dict):
        expert = expert.get("id")
    elif expert is not None and not isinstance(expert, int):
        expert = expert.id
    return str(expert) if expert is not None else f"P{seat_id}"


async def get_review(review_id: int) -> Review:
    review = await Review.objects().where(Review.id == review_id).first()
    if review is None:
        raise NotFoundException("评审不存在")
    return review


async def seated(review_id: int) -> list[dict[str, Any]]:
    """The panel that scores, in seat order, each with a display name and its scoring key."""
    rows = await (
        PanelSeat.select(
            PanelSeat.id, PanelSeat.expert, PanelSeat.user, PanelSeat.role, PanelSeat.seat_no,
            PanelSeat.is_leader, PanelSeat.name, PanelSeat.org,
            PanelSeat.expert.name.as_alias("expert_name"), PanelSeat.expert.employer.as_alias("expert_org"),
            PanelSeat.user.display_name.as_alias("user_name"),
        )
        .where(PanelSeat.review == review_id)
        .where(PanelSeat.role.is_in(list(SCORING_ROLES)))
        .where(PanelSeat.state == SeatState.ACCEPTED.value)
        .order_by(PanelSeat.seat_no)
        .order_by(PanelSeat.id)
    )
    for row in rows:
        row["key"] = expert_key(row)
        row["display"] = row["expert_name"] or row["name"] or row["user_name"] or row["key"]
    return rows


async def my_seat(user: Any, review_id: int) -> PanelSeat | None:
    """The accepted scoring seat this account holds on the review now (app/panels/members.py decides)."""
    return await (
        PanelSeat.objects()
        .where(PanelSeat.review == review_id)
        .where(held_by(user))
        .where(PanelSeat.role.is_in(list(SCORING_ROLES)))
        .where(PanelSeat.state == SeatState.ACCEPTED.value)
        .first()
    )


async def member_review(user: Any, review_id: int) -> tuple[Review, PanelSeat]:
    """An expert's own review: 404 unless they hold an accepted scoring seat on it."""
    seat = await my_seat(user, review_id)
    if seat is None:
        log.warning("scoring: %s asked for review %s without a seat", user.username, review_id)
        raise NotFoundException("评审不存在，或您不是该评审小组成员")
    return await get_review(review_id), seat


async def staff_view(user: Any, review_id: int) -> tuple[Review, str, PanelSeat | None]:
    """The review for its summary page, and how the user sees it: "leader", "staff" or "reader"."""
    review = await get_review(review_id)
    if user.role == Role.EXPERT.value:
        seat = await my_seat(user, review_id)
        if seat is None or not seat.is_leader:
            log.warning("scoring: %s (not 组长) asked for the summary of review %s", user.username, review_id)
            raise NotFoundException("评审不存在，或您不是该评审小组组长")
        return review, "leader", seat
    ensure_agency_access(user, review.agency)
    if user.role == Role.AGENCY.value:
        return review, "staff", None
    return review, "reader", None


def can_act(view: str) -> bool:
    return view in ("leader", "staff")


def ensure_open(review: Review) -> None:
    if review.status != ReviewStatus.OPEN.value:
        raise FlowError({"review": "评审不在评审中（已结束、已公布、已终止或尚未开始），不能再修改评分"}, 409)


async def reviews_for(user: Any) -> list[dict[str, Any]]:
    """The reviews a user may open from the scoring list page."""
    columns = (Review.id, Review.title, Review.kind, Review.status, Review.scheduled_at,
               Review.project.name.as_alias("project_name"))
    if user.role == Role.EXPERT.value:
        seats = await (
            PanelSeat.select(PanelSeat.review, PanelSeat.is_leader)
            .where(held_by(user))
            .where(PanelSeat.role.is_in(list(SCORING_ROLES)))
            .where(PanelSeat.state == SeatState.ACCEPTED.value)
        )
        leader = {s["review"]: s["is_leader"] for s in seats}
        if not leader:
            return []
        rows = await Review.select(*columns).where(Review.id.is_in(list(leader))).order_by(Review.id, ascending=False)
        for row in rows:
            row["is_leader"] = leader[row["id"]]
        return rows
    query = (Review.select(*columns).where(Review.status != ReviewStatus.DRAFT.value)
             .order_by(Review.id, ascending=False))
    if user.role in AGENCY_ROLES:
        own = user.agency if isinstance(user.agency, int) or user.agency is None else user.agency.id
        query = query.where(Review.agency == own)
    return await query


async def expert_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {r["id"]: r["name"] for r in await Expert.select(Expert.id, Expert.name).where(Expert.id.is_in(ids))}
