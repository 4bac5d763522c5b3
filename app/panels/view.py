"""What each role sees of a panel. Names are sealed (198号 第20条; regulations §6 step 5): agency
staff see counts and confirmation states until the review opens; the supervisor and auditors
see names throughout.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.panels.drawing import draws_of
from app.panels.queries import seats_of, vacant_seat_numbers
from app.panels.seats import panel_complete
from app.panels.tables import ROLE_LABELS, STATE_LABELS, SeatRole, SeatState
from app.reviews.tables import Review, ReviewStatus

NAME_ROLES = frozenset({"supervisor", "auditor"})


def can_see_names(user: Any, review: Review) -> bool:
    return user.role in NAME_ROLES or (review.status != ReviewStatus.DRAFT.value and user.role in {"agency", "admin"})


async def panel_view(user: Any, review: Review) -> dict[str, Any]:
    seats = await seats_of(review.id)
    names = can_see_names(user, review)
    rows = []
    for s in sorted(seats, key=lambda s: ({"purchaser_rep": 0, "member": 1, "alternate": 2}[s["role"]],
                                          s["seat_no"] if s["role"] != SeatRole.ALTERNATE.value else s["drawn_order"],
                                          s["id"])):
        rows.append({
            "id": s["id"], "role": s["role"], "role_label": ROLE_LABELS[s["role"]], "state": s["state"],
            "state_label": STATE_LABELS[s["state"]], "seat_no": s["seat_no"], "drawn_order": s["drawn_order"],
            "source": s["source"], "replaces": s["replaces"], "replaced_by": s["replaced_by"],
            "name": (s["expert_name"] or s["name"]) if names or s["role"] == SeatRole.PURCHASER_REP.value else "",
            "org": (s["org"] or s["expert_org"] or "") if names or s["role"] == SeatRole.PURCHASER_REP.value else "",
            "end_reason": s["end_reason"] if names else "",
            "is_expert": s["expert"] is not None,
            # Roster seats: the expert and their account only once names are visible (a roster
            # link would unseal the name); other seats: their own account, kept by the 经办人.
            "expert": s["expert"] if names else None,
            "account": (s["expert_account"] if names else None) if s["expert"] is not None else s["seat_account"],
        })
    members = Counter(s["state"] for s in seats if s["role"] == SeatRole.MEMBER.value)
    return {
        "seats": rows, "names_visible": names,
        "counts": {
            "needed": review.panel_size - review.purchaser_reps,
            "accepted": members[SeatState.ACCEPTED.value], "invited": members[SeatState.INVITED.value],
            "declined": members[SeatState.DECLINED.value], "expired": members[SeatState.EXPIRED.value],
            "recused": members[SeatState.RECUSED.value],
            "standby": sum(1 for s in seats if s["role"] == SeatRole.ALTERNATE.value
                           and s["state"] == SeatState.STANDBY.value),
            "reps": sum(1 for s in seats if s["role"] == SeatRole.PURCHASER_REP.value
                        and s["state"] == SeatState.ACCEPTED.value),
        },
        "vacant": vacant_seat_numbers(seats), "problems": panel_complete(review, seats),
        # Accepted scoring seats nobody can sign in for yet (roster ones counted only once unsealed).
        "without_account": sum(1 for r in rows if r["state"] == SeatState.ACCEPTED.value
                               and r["role"] != SeatRole.ALTERNATE.value and not r["account"]
                               and (names or not r["is_expert"])),
        "draws": await draws_of(review.id),
    }
