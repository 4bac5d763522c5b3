"""Who a signed-in 评审专家 account is on the pages: a roster expert, or someone outside the roster.

A 采购人代表 or an imported 财政 name signs in with an account of role 评审专家 but has no
roster record: they have no 个人资料 page, and a 采购人代表 is labelled as such.
"""

from __future__ import annotations

from typing import Any

from app.accounts.tables import ROLE_LABELS, Role

#: scope keys set by CurrentUserMiddleware for page requests
OUTSIDE_ROSTER = "pingshen_outside_roster"
ROLE_LABEL = "pingshen_role_label"
#: navigation a person outside the roster does not have
ROSTER_ONLY = frozenset({"/me/profile"})


async def describe(user: Any) -> tuple[bool, str]:
    """(outside the roster?, the role label to show)."""
    label = ROLE_LABELS.get(user.role, user.role)
    if user.role != Role.EXPERT.value:
        return False, label
    # Lazy imports: app.web is loaded before the areas.
    from app.panels.tables import PanelSeat, SeatRole
    from app.roster.tables import Expert

    if await Expert.exists().where(Expert.user == user.id):
        return False, label
    rep = await PanelSeat.exists().where((PanelSeat.user == user.id) & PanelSeat.expert.is_null()
                                         & (PanelSeat.role == SeatRole.PURCHASER_REP.value))
    return True, "采购人代表" if rep else label


def role_label(scope: Any) -> str:
    user = scope.get("user")
    if user is None:
        return ""
    return scope.get(ROLE_LABEL) or ROLE_LABELS.get(user.role, user.role)
