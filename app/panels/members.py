"""Who a signed-in person is on a panel (评审小组成员身份) — the one place that answers it.

A seat belongs to a *person*, never to an account:

- a roster expert's seat (`PanelSeat.expert` set) belongs to whoever signs in as that expert
  **now**: `Expert.user` is read at the moment of every check. An account linked before the
  draw, after acceptance, after the review opened, or re-linked mid-review therefore works
  the same, and an unlinked account loses the seat at once;
- a seat of someone outside our roster (采购人代表, a name imported from the 财政 library) carries
  that person's account in `PanelSeat.user`, set only from the panel page (`seat_accounts.py`).
  `PanelSeat.user` is never set on a roster seat (a database constraint refuses it).

Everything that asks "is this account that seat's member?" — scoring, declarations, signatures,
invitations answered while signed in, the 回避 re-check at sign-in — goes through here.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns.combination import Combinable

from app.panels.tables import PanelSeat
from app.reviews.tables import Review
from app.roster.tables import Expert


def _id(user: Any) -> int:
    return user if isinstance(user, int) else user.id


def held_by(user: Any) -> Combinable:
    """Where-clause: seats this account holds now (via its roster expert, or as a non-roster person).

    One query with a join, so the link and the seat are read together.
    """
    uid = _id(user)
    return (PanelSeat.expert.user == uid) | (PanelSeat.expert.is_null() & (PanelSeat.user == uid))


async def expert_of(user: Any) -> int | None:
    """The roster expert (专家) this account signs in as now, or None."""
    row = await Expert.select(Expert.id).where(Expert.user == _id(user)).first()
    return row["id"] if row else None


async def holds(user: Any, seat_id: int) -> bool:
    """Is this account the member of this seat right now?"""
    return await PanelSeat.exists().where((PanelSeat.id == seat_id) & held_by(user))


async def account_of(seat: dict[str, Any]) -> int | None:
    """seat → person → account: the user id that acts for this seat now, or None."""
    if seat["expert"] is None:
        return seat["user"]
    row = await Expert.select(Expert.user).where(Expert.id == seat["expert"]).first()
    return row["user"] if row else None


async def double_seat(user_id: int, *, expert_id: int | None = None, seat_id: int | None = None) -> str:
    """The review title where linking would give one account two live seats, or "".

    Checked before an account is linked to an expert (roster page) or to a non-roster seat
    (panel page), inside the same write transaction as the link.
    """
    live = ("standby", "invited", "accepted")
    held = await PanelSeat.select(PanelSeat.id, PanelSeat.review).where(
        held_by(user_id) & PanelSeat.state.is_in(list(live)))
    if expert_id is not None:
        held += await PanelSeat.select(PanelSeat.id, PanelSeat.review).where(
            (PanelSeat.expert == expert_id) & PanelSeat.state.is_in(list(live)))
    if seat_id is not None:
        held += await PanelSeat.select(PanelSeat.id, PanelSeat.review).where(PanelSeat.id == seat_id)
    seen: dict[int, int] = {}
    for row in held:
        if seen.setdefault(row["review"], row["id"]) != row["id"]:
            review = await Review.select(Review.title).where(Review.id == row["review"]).first()
            return review["title"] if review else str(row["review"])
    return ""
