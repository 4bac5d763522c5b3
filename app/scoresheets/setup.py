"""Before and while scoring: the 组长 the panel chose, and the settings the scoring input needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.audit import services as audit
from app.db import write_tx
from app.panels.tables import PanelSeat
from app.reviews.state import Change, ensure_may_change
from app.reviews.tables import ReviewKind, ReviewStatus
from app.scoresheets.access import FlowError, seated, staff_view
from app.scoresheets.panel import settings_of
from app.scoresheets.tables import ScoringSettings
from app.web.parsing import plain_decimal


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def choose_leader(user: Any, review_id: int, seat_id: int) -> None:
    """记录组长 — agency staff record the 组长 the panel chose among its members."""
    review, view, _ = await staff_view(user, review_id)
    if view != "staff":
        raise FlowError({"role": "只有经办人可以登记组长"}, 403)
    if review.status not in (ReviewStatus.DRAFT.value, ReviewStatus.OPEN.value):
        raise FlowError({"review": "评审已结束，不能更换组长"}, 409)
    members = {m["id"]: m for m in await seated(review.id)}
    if seat_id not in members:
        raise FlowError({"seat": "组长须是本评审小组已到位的成员"})
    old = [m["id"] for m in members.values() if m["is_leader"]]
    async with write_tx():
        await ensure_may_change(review.id, Change.PANEL)
        await PanelSeat.update({PanelSeat.is_leader: False}).where(
            (PanelSeat.review == review.id) & (PanelSeat.id != seat_id))
        await PanelSeat.update({PanelSeat.is_leader: True}).where(PanelSeat.id == seat_id)
        await audit.record(actor=user, action="scoresheet.leader_chosen", object_type="review", object_id=review.id,
                           agency_id=review.agency, old={"leader_seats": old},
                           new={"leader_seat": seat_id, "name": members[seat_id]["display"]})


def _decimal(text: str, field: str, errors: dict[str, str], low: Decimal, high: Decimal) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    value = plain_decimal(text)
    if value is None:
        errors[field] = f"“{text}”不是数字"
        return None
    if value < low or value > high:
        errors[field] = f"须在 {low}–{high} 之间"
        return None
    return value


async def save_settings(user: Any, review_id: int, *, pass_score: str, anomaly_threshold: str,
                        price_weight_approved: bool, version: int) -> ScoringSettings:
    review, view, _ = await staff_view(user, review_id)
    if view != "staff":
        raise FlowError({"role": "只有经办人可以修改评分设置"}, 403)
    if review.status not in (ReviewStatus.DRAFT.value, ReviewStatus.OPEN.value):
        raise FlowError({"review": "评审已结束，评分设置不能再改"}, 409)
    errors: dict[str, str] = {}
    score = _decimal(pass_score, "pass_score", errors, Decimal(0), Decimal(100))
    threshold = _decimal(anomaly_threshold, "anomaly_threshold", errors, Decimal("0.01"), Decimal(1))
    if review.kind != ReviewKind.CONSULTATION.value and score is None and not errors.get("pass_score"):
        errors["pass_score"] = "立项评审和验收须设定合格分"
    if errors:
        raise FlowError(errors)
    current = await settings_of(review.id)
    stored = current._exists_in_db
    if stored and current.version != version:
        raise FlowError({"version": "评分设置已被他人修改，请刷新页面"}, 409)
    async with write_tx():
        await ensure_may_change(review.id, Change.SCORING_SETTINGS)
        old = {"pass_score": current.pass_score, "anomaly_threshold": current.anomaly_threshold,
               "price_weight_approved": current.price_weight_approved}
        current.pass_score, current.anomaly_threshold = score, threshold
        current.price_weight_approved = price_weight_approved
        current.updated_by, current.updated_at = user.id, now_utc()
        current.version = current.version + 1 if stored else 1
        await current.save()
        await audit.record(actor=user, action="scoresheet.settings_saved", object_type="review", object_id=review.id,
                           agency_id=review.agency, old=old,
                           new={"pass_score": score, "anomaly_threshold": threshold,
                                "price_weight_approved": price_weight_approved})
    return current
