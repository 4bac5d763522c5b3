"""Small reads shared by the panel services (and by reviews, which must not import the services)."""

from __future__ import annotations

from typing import Any

from app.panels.tables import ACTIVE_STATES, Draw, DrawStatus, PanelSeat, SeatRole, SeatState


async def has_confirmed_draw(review_id: int) -> bool:
    return await Draw.exists().where((Draw.review == review_id) & (Draw.status == DrawStatus.CONFIRMED.value))


async def seats_of(review_id: int) -> list[dict[str, Any]]:
    return await PanelSeat.select(
        PanelSeat.all_columns(), PanelSeat.expert.name.as_alias("expert_name"),
        PanelSeat.expert.employer.as_alias("expert_org"), PanelSeat.expert.email.as_alias("expert_email"),
        PanelSeat.expert.specialties.as_alias("expert_specialties"),
        # The account acting for the seat: the roster expert's (Expert.user) or, for a person
        # outside the roster, the seat's own (app/panels/members.py).
        PanelSeat.expert.user.username.as_alias("expert_account"), PanelSeat.user.username.as_alias("seat_account"),
    ).where(PanelSeat.review == review_id).order_by(PanelSeat.id)


def active_members(seats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Expert members now on the panel (invited or accepted), by seat number."""
    return sorted((s for s in seats if s["role"] == SeatRole.MEMBER.value and s["state"] in ACTIVE_STATES),
                  key=lambda s: s["seat_no"])


def standby_alternates(seats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Alternates not yet called, in substitution order (earliest draw first, then drawn order)."""
    return sorted((s for s in seats if s["role"] == SeatRole.ALTERNATE.value and s["state"] == SeatState.STANDBY.value),
                  key=lambda s: (s["draw"] or 0, s["drawn_order"]))


def vacant_seat_numbers(seats: list[dict[str, Any]]) -> list[int]:
    """Member seats that ended with nobody taking them over: a 补抽 must fill them."""
    return sorted(s["seat_no"] for s in seats if s["role"] == SeatRole.MEMBER.value
                  and s["state"] not in ACTIVE_STATES and s["replaced_by"] is None)
