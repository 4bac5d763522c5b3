"""Finding reviews (by date, agency, project, expert) and reading one review's audit trail."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from litestar.exceptions import ClientException

from app.accounts.tables import Agency
from app.exports.access import agency_scope, exportable_review
from app.exports.collect_audit import review_audit_rows
from app.panels.tables import Draw, Invitation, PanelSeat
from app.reviews.tables import Review, ReviewStatus
from app.roster.tables import Expert
from app.scoresheets.tables import AnomalyNote, ScoreSheet
from app.web.parsing import plain_date

LIMIT = 200


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    agency: int | None = None
    project: str = ""
    expert: str = ""


def parse_date(text: str) -> dt.date | None:
    """A date typed in a form: None when blank or not a real YYYY-MM-DD (1900–2999)."""
    return plain_date((text or "").strip())


def filter_date(text: str) -> dt.date | None:
    """A date filter from the query string; blank is no filter, anything else unreadable is a 400."""
    text = (text or "").strip()
    if not text:
        return None
    day = plain_date(text)
    if day is None:
        raise ClientException(f"日期“{text[:20]}”无效：请按 YYYY-MM-DD 填写 1900–2999 年间的日期")
    return day


def _day_start(day: dt.date) -> dt.datetime:
    # Dates on the page are Beijing dates; the columns hold UTC.
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone(dt.timedelta(hours=8)))


async def _reviews_with_expert(text: str) -> list[int]:
    like = f"%{text}%"
    experts = [r["id"] for r in await Expert.select(Expert.id).where(Expert.name.like(like)).limit(1000)]
    seats = PanelSeat.select(PanelSeat.review).where(PanelSeat.name.like(like))
    if experts:
        seats = PanelSeat.select(PanelSeat.review).where(PanelSeat.name.like(like) | PanelSeat.expert.is_in(experts))
    return sorted({r["review"] for r in await seats})


def in_range(moment: dt.datetime | None, filters: Filters) -> bool:
    if moment is None:
        return filters.date_from is None and filters.date_to is None
    if filters.date_from and moment < _day_start(filters.date_from):
        return False
    return not (filters.date_to and moment >= _day_start(filters.date_to + dt.timedelta(days=1)))


async def find_reviews(user: Any, filters: Filters) -> list[dict[str, Any]]:
    """Reviews in the user's scope matching every filter, newest first. The date is the review's
    date: when it opened (评审开始), or its scheduled time, or when it was created."""
    query = Review.select(
        Review.id, Review.title, Review.kind, Review.status, Review.agency, Review.scheduled_at, Review.opened_at,
        Review.created_at, Review.project.name.as_alias("project_name"), Review.project.code.as_alias("project_code"),
        Review.agency.name.as_alias("agency_name"),
    ).order_by(Review.id, ascending=False)
    scope = agency_scope(user)
    if scope is not None:
        query = query.where(Review.agency == scope)
    elif filters.agency:
        query = query.where(Review.agency == filters.agency)
    if user.role not in ("supervisor", "auditor"):
        query = query.where(Review.status != ReviewStatus.DRAFT.value)  # names sealed before opening
    if filters.project.strip():
        like = f"%{filters.project.strip()}%"
        query = query.where(Review.project.name.like(like) | Review.project.code.like(like) | Review.title.like(like))
    if filters.expert.strip():
        ids = await _reviews_with_expert(filters.expert.strip())
        query = query.where(Review.id.is_in(ids or [0]))
    rows = []
    for row in await query:
        row["date"] = row["opened_at"] or row["scheduled_at"] or row["created_at"]
        if in_range(row["date"], filters):
            rows.append(row)
        if len(rows) >= LIMIT:
            break
    return rows


async def agencies_for(user: Any) -> list[dict[str, Any]]:
    scope = agency_scope(user)
    query = Agency.select(Agency.id, Agency.name).order_by(Agency.id)
    return await (query.where(Agency.id == scope) if scope is not None else query)


async def _objects(review_id: int) -> dict[str, list[int]]:
    async def ids(table: Any) -> list[int]:
        return [r["id"] for r in await table.select(table.id).where(table.review == review_id)]

    return {"panel_draw": await ids(Draw), "panel_seat": await ids(PanelSeat),
            "panel_invitation": await ids(Invitation), "score_sheet": await ids(ScoreSheet),
            "score_anomaly_note": await ids(AnomalyNote)}


def _changes(old: str, new: str) -> list[str]:
    before, after = json.loads(old or "{}"), json.loads(new or "{}")
    lines = []
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) != after.get(key):
            a = json.dumps(before[key], ensure_ascii=False) if key in before else "（无）"
            b = json.dumps(after[key], ensure_ascii=False) if key in after else "（删除）"
            lines.append(f"{key}: {a} → {b}")
    return lines


async def audit_trail(user: Any, review_id: int, *, action: str = "", actor: str = "",
                      date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict[str, Any]:
    """The review's records (downloads included, unlike the bundle), filtered, oldest first."""
    review = await exportable_review(user, review_id)
    rows = await review_audit_rows(review.id, await _objects(review.id), with_downloads=True)
    filters = Filters(date_from=date_from, date_to=date_to)
    shown = [r for r in rows if (not action or r["action"].startswith(action))
             and (not actor or r["actor"] == actor) and in_range(r["created_at"], filters)]
    for row in shown:
        row["changes"] = _changes(row["old_values"], row["new_values"])
    return {"review": review, "rows": shown, "total": len(rows),
            "actions": sorted({r["action"] for r in rows}), "actors": sorted({r["actor"] for r in rows})}


__all__ = ["Filters", "agencies_for", "audit_trail", "filter_date", "find_reviews", "parse_date"]
