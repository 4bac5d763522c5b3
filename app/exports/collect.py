"""The review bundle of one review, read from the database (docs/exports.md §1 and §5).

The pure layer (`bundle.py`, the renderers, `verify.py`) never sees a table; this module is the
only place that turns the reviews, panels, scoresheets and audit rows into the bundle's plain
dicts. It only reads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.tables import Agency, User
from app.exports.bundle import build_bundle
from app.exports.collect_audit import review_audit_rows
from app.exports.collect_panel import draws_of_review, sitting_panel
from app.exports.collect_scores import scores_part
from app.plans.bundle import plan_part
from app.reviews.tables import Bid, Project, Review, ReviewStatus
from app.scoresheets.decisions import bundle_records

#: Review status → the bundle's vocabulary. Only a published result is final
#: (bundle.FINISHED_STATUSES); everything else exports as a draft watermarked 草稿.
STATUS_MAP = {
    ReviewStatus.DRAFT.value: "preparing",
    ReviewStatus.OPEN.value: "scoring",
    ReviewStatus.CLOSED.value: "signed",
    ReviewStatus.PUBLISHED.value: "published",
    ReviewStatus.TERMINATED.value: "terminated",
}


def money(value: Any) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


async def review_row(review_id: int) -> Review:
    review = await Review.objects().where(Review.id == review_id).first()
    if review is None:
        raise NotFoundException("评审不存在")
    return review


async def users_named(ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await User.select(User.id, User.display_name, User.username).where(User.id.is_in(wanted))
    return {r["id"]: f"{r['display_name']}（{r['username']}）" for r in rows}


async def _review_part(review: Review) -> dict[str, Any]:
    project = await Project.select().where(Project.id == review.project).first()
    agency = await Agency.select(Agency.id, Agency.name).where(Agency.id == review.agency).first()
    bids = await Bid.select(Bid.supplier_name, Bid.title).where(Bid.review == review.id).order_by(
        Bid.position).order_by(Bid.id)
    # 磋商: the bids are the suppliers who responded; the system does not record when each obtained
    # the 磋商文件 or how they were invited, so those stay empty rather than invented.
    return {
        "id": review.id, "kind": review.kind, "title": review.title,
        "agency": {"id": agency["id"], "name": agency["name"]} if agency else {"id": review.agency, "name": ""},
        "project": {"id": project["id"], "name": project["name"], "code": project["code"],
                    "purchaser": project["purchaser_name"], "budget": money(project["budget"]),
                    "max_price": None},
        "status": STATUS_MAP.get(review.status, review.status),
        "place": review.location,
        "opened_at": review.opened_at,
        "started_at": review.scheduled_at or review.opened_at,
        "finished_at": review.published_at or review.closed_at,
        "invitation": {"method": "", "description": "",
                       "suppliers": [{"name": b["title"] or b["supplier_name"], "obtained_at": None} for b in bids]},
    }


async def _qualification(review_id: int) -> list[dict[str, Any]]:
    rows = await Bid.select(Bid.id, Bid.valid, Bid.invalid_reason).where(Bid.review == review_id).order_by(
        Bid.position).order_by(Bid.id)
    return [{"bid": r["id"], "passed": bool(r["valid"]), "notes": r["invalid_reason"]} for r in rows]


async def review_bundle(review_id: int) -> dict[str, Any]:
    """The bundle of one review, as `build_bundle` validates it (docs/exports.md §1)."""
    review = await review_row(review_id)
    panel = await sitting_panel(review.id)
    draws, draw_objects = await draws_of_review(review.id)
    scores = await scores_part(review)
    audit_rows = await review_audit_rows(review.id, {**draw_objects, **scores.pop("objects")})
    return build_bundle(
        review=await _review_part(review),
        scoring_input=scores.pop("input"), scoring_output=scores.pop("output"),
        panel=panel, draws=draws, audit_records=audit_rows,
        qualification=await _qualification(review.id),
        plan=await plan_part(review.id),
        **await bundle_records(review.id),
        **scores,
    )


__all__ = ["STATUS_MAP", "money", "review_bundle", "review_row", "users_named"]
