"""The `plan` part of a review's bundle (app/exports): the season plan that staffed the review.

Everything an auditor needs to replay it offline: the exact input, its hashes, the seed, the whole
result (every panel of the plan) and, for `randomized`, the published probabilities. `pingshen
verify` re-solves it (app/exports/verify.py `check_plan`).
"""

from __future__ import annotations

from typing import Any

from app.accounts.tables import User
from app.plans.tables import Plan, PlanReview, PlanStatus


async def plan_part(review_id: int) -> list[dict[str, Any]]:
    links = await PlanReview.select(PlanReview.plan, PlanReview.panel_id).where(
        (PlanReview.review == review_id) & (PlanReview.plan.status == PlanStatus.ACCEPTED.value)
        & PlanReview.draw.is_not_null())
    out = []
    for link in links:
        plan = await Plan.select().where(Plan.id == link["plan"]).output(load_json=True).first()
        names = {u["id"]: u["display_name"] for u in await User.select(User.id, User.display_name).where(
            User.id.is_in([i for i in (plan["operator"], plan["supervisor"]) if i is not None] or [0]))}
        out.append({
            "id": plan["id"], "title": plan["title"], "mode": plan["mode"], "q": plan["q"],
            "load_cap": plan["load_cap"], "yearly_cap": plan["yearly_cap"], "panel_id": link["panel_id"],
            "input": plan["input"], "input_sha256": plan["input_sha256"], "pool_sha256": plan["pool_sha256"],
            "seed": plan["seed"], "output": plan["output"], "probabilities": plan["probabilities"] or {},
            "operator": names.get(plan["operator"], ""), "supervisor": names.get(plan["supervisor"], ""),
            "confirmed_at": plan["confirmed_at"], "accepted_at": plan["accepted_at"],
        })
    return out
