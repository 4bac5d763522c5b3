"""Late 回避: re-check seated and standby experts when bids change or when an expert signs in.

The draw already left conflicted experts out of the pool; conflicts that appear later (a bidder
registered after the draw, an expert's own declarations updated since) are found here. Every
conflicted seat is ended as 回避 through `app.panels.seats.end_seat`, which audits the seat and
runs the replacement flow (递补 by the next standby alternate, or a vacant seat for 补抽).

Callers: `app.reviews.bids.add_bid` (inside its write transaction, so the bid and the removals
commit together) and `app.accounts.services.authenticate` (after a successful sign-in; a failure
here is logged and never blocks the sign-in). Both import this module lazily.
"""

from __future__ import annotations

import logging
from typing import Any

from app.audit import services as audit
from app.audit.services import SYSTEM
from app.db import write_tx

log = logging.getLogger("pingshen.conflicts")

#: Reviews whose seats a sign-in re-check may still change: a panel being formed or scoring.
#: A closed review (scores final, not yet published) keeps its panel: the agency decides there.
RECHECKED_REVIEW_STATES = ("draft", "open")


def _open_seat_states() -> tuple[str, ...]:
    from app.panels.tables import ACTIVE_STATES, SeatState

    return (*ACTIVE_STATES, SeatState.STANDBY.value)


async def _recuse(actor: Any, review: Any, seats: list[dict[str, Any]], trigger: str) -> list[dict[str, Any]]:
    """End every conflicted seat among `seats` as 回避; inside the caller's write transaction.

    Members first, then alternates in substitution order, each re-read before it is ended: an
    alternate may already have been skipped (and marked) by the replacement of an earlier seat.
    """
    from app.panels.context import conflicts_of
    from app.panels.seats import end_seat, now_utc
    from app.panels.tables import PanelSeat, SeatRole

    open_states = _open_seat_states()
    conflicts = await conflicts_of(review, sorted({s["expert"] for s in seats}))
    found: list[dict[str, Any]] = []
    order = sorted(seats, key=lambda s: (s["role"] != SeatRole.MEMBER.value, s["seat_no"], s["drawn_order"], s["id"]))
    for seat in order:
        if seat["expert"] not in conflicts:
            continue
        fresh = await PanelSeat.select().where(PanelSeat.id == seat["id"]).first()
        if fresh is None or fresh["state"] not in open_states:
            continue
        found_here = conflicts[seat["expert"]]
        reason = "回避：" + "；".join(c.reason for c in found_here)
        result = await end_seat(actor, review, fresh, "recused", reason, now_utc())
        await audit.record(actor=actor, action="conflicts.late_recusal", object_type="panel_seat",
                           object_id=seat["id"], agency_id=review.agency,
                           old={"state": fresh["state"], "role": fresh["role"]},
                           new={"review_id": review.id, "expert_id": seat["expert"], "trigger": trigger,
                                "codes": [c.code for c in found_here], "reason": reason,
                                "replaced_by": result.get("replaced_by")})
        found.append({"seat_id": seat["id"], "expert_id": seat["expert"], "reason": reason, **result})
    return found


async def recheck_review_after_bids(actor: Any, review: Any) -> list[dict[str, Any]]:
    """Bids of `review` changed: re-check its seated and standby experts, recuse the conflicted.

    Call inside the write transaction that changed the bids; then `deliver_mail()` after it commits
    when anything was found (a replacement invites the next alternate).
    """
    from app.panels.tables import PanelSeat

    async with write_tx():
        seats = await PanelSeat.select().where(
            (PanelSeat.review == review.id) & PanelSeat.expert.is_not_null()
            & PanelSeat.state.is_in(list(_open_seat_states())))
        if not seats:
            return []
        found = await _recuse(actor, review, seats, "bids_changed")
        await audit.record(actor=actor, action="panel.rechecked", object_type="review", object_id=review.id,
                           agency_id=review.agency,
                           new={"checked": len(seats), "recused": len(found), "trigger": "bids_changed"})
    return found


async def recheck_expert_at_sign_in(user: Any) -> list[dict[str, Any]]:
    """An expert signed in: re-check their open seats (reviews being formed or scored) for 回避.

    Never raises: a problem is logged and the sign-in goes on. Removals are audited with the
    system as actor (the expert did not ask for them) and `trigger: sign_in`.
    """
    if getattr(user, "role", None) != "expert":
        return []
    try:
        found = await _recheck_expert(user)
    except Exception:
        log.exception("回避 re-check at sign-in failed for user %s; sign-in continues", getattr(user, "id", None))
        return []
    if found:
        await deliver_mail()
    return found


async def _recheck_expert(user: Any) -> list[dict[str, Any]]:
    from app.panels.members import expert_of
    from app.panels.tables import PanelSeat
    from app.reviews.tables import Review

    expert_id = await expert_of(user)  # who this account is now: app/panels/members.py
    if expert_id is None:
        return []
    seats = await PanelSeat.select().where(
        (PanelSeat.expert == expert_id) & PanelSeat.state.is_in(list(_open_seat_states()))
        & PanelSeat.review.status.is_in(list(RECHECKED_REVIEW_STATES)))
    found: list[dict[str, Any]] = []
    for review_id in sorted({s["review"] for s in seats}):
        async with write_tx():
            review = await Review.objects().where(Review.id == review_id).first()
            if review is None or review.status not in RECHECKED_REVIEW_STATES:
                continue
            here = [s for s in seats if s["review"] == review_id]
            found += await _recuse(SYSTEM, review, here, "sign_in")
    if found:
        log.warning("回避 at sign-in: expert %s removed from %d seat(s)", expert_id, len(found))
    return found


async def deliver_mail() -> None:
    """Send the replacement invitations now; the outbox keeps them when that fails."""
    from app.panels import mail

    try:
        await mail.deliver_pending()
    except Exception:
        log.exception("回避 re-check: invitation mail could not be delivered now (kept in the outbox)")
