"""What a review's panel is checked against for 回避: the purchaser, the bidders, the project."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.reviews.tables import Bid, Project, Review

CHINA = dt.timezone(dt.timedelta(hours=8))


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


async def panel_context(review: Review, on: dt.date | None = None) -> Any:
    """The `PanelContext` of the 回避 engine (app/conflicts), for the review as it is now."""
    from app.conflicts.engine import Bidder, PanelContext

    project = await Project.objects().where(Project.id == review.project).first()
    bids = await Bid.select().where((Bid.review == review.id) & (Bid.valid == True)).order_by(Bid.position)  # noqa: E712
    return PanelContext(
        purchaser_name=project.purchaser_name, purchaser_credit_code=project.purchaser_credit_code,
        bidders=tuple(Bidder(name=b["supplier_name"], credit_code=b["credit_code"],
                             legal_representative=b["legal_representative"], head=b["head"]) for b in bids),
        project_id=project.id, review_id=review.id, on_date=on or today(),
    )


async def conflicts_of(review: Review, expert_ids: list[int]) -> dict[int, list[Any]]:
    """回避 of these experts against the review now (bids may have been added since the draw)."""
    if not expert_ids:
        return {}
    from app.conflicts.services import find_conflicts

    return await find_conflicts(await panel_context(review), expert_ids)
