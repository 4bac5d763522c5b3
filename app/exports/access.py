"""Who may export which review.

Auditors (审计/纪检) read across agencies, or only their own agency when the operator sets
`PINGSHEN_AUDITOR_SCOPE=agency`; admins read everything; agency staff (经办人) and supervisors
(监督人) export their own agency's reviews; experts never reach these pages (route guards).
Reviews outside the user's scope answer 404, so their ids are not confirmed.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.accounts.tables import AGENCY_ROLES, Role
from app.reviews.tables import Review, ReviewStatus

log = logging.getLogger("pingshen.exports")

#: Before a review opens the panel's names are sealed from agency staff (财库〔2016〕198号 第二十条);
#: supervisors and auditors see them throughout (app/panels/view.py), so they may export drafts.
SEALED_READERS = frozenset({Role.SUPERVISOR.value, Role.AUDITOR.value})


def auditor_scope() -> str:
    """`all` (default) or `agency`, read at each request so an operator's change needs no code."""
    value = os.environ.get("PINGSHEN_AUDITOR_SCOPE", "all").strip().lower()
    return "agency" if value == "agency" else "all"


def _own_agency(user: Any) -> int | None:
    agency = user.agency
    return agency if isinstance(agency, int) or agency is None else agency.id


#: No agency has this id: a user limited to an agency but attached to none sees nothing.
NOBODY = -1


def agency_scope(user: Any) -> int | None:
    """The one agency whose reviews the user may export, or None for all agencies."""
    if user.role in AGENCY_ROLES or (user.role == Role.AUDITOR.value and auditor_scope() == "agency"):
        own = _own_agency(user)
        return NOBODY if own is None else own
    return None


def in_scope(user: Any, agency_id: int) -> bool:
    scope = agency_scope(user)
    return scope is None or scope == agency_id


async def exportable_review(user: Any, review_id: int) -> Review:
    """The review, if this user may export it: 404 outside their scope, 403 while names are sealed."""
    review = await Review.objects().where(Review.id == review_id).first()
    if review is None or not in_scope(user, review.agency):
        if review is not None:
            log.warning("exports: %s asked for review %s of another agency", user.username, review_id)
        raise NotFoundException("评审不存在或不属于您可查看的机构")
    if review.status == ReviewStatus.DRAFT.value and user.role not in SEALED_READERS:
        raise PermissionDeniedException("评审开始前专家名单保密（财库〔2016〕198号第二十条），暂不能导出")
    return review
