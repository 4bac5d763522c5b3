"""A plan's draw records point at the plan's input instead of copying it (one copy per plan, not per review)."""

from __future__ import annotations

from typing import Any

from app.plans.tables import Plan


def plan_reference(plan_id: int, panel_id: str) -> dict[str, Any]:
    """What a plan's Draw.input holds: where the exact input is (the plan), and which panel is this review's."""
    return {"season_plan": plan_id, "panel": panel_id}


async def plan_input(plan_id: int) -> dict[str, Any]:
    row = await Plan.select(Plan.input).where(Plan.id == plan_id).output(load_json=True).first()
    return row["input"] if row else {}


async def with_plan_input(draw: dict[str, Any], cache: dict[int, Any] | None = None) -> dict[str, Any]:
    """The draw with its full assignment/ input: a plan's draw gets the plan's (hash-checked by every replay)."""
    plan_id = (draw.get("input") or {}).get("season_plan")
    if plan_id is None:
        return draw
    if cache is None or plan_id not in cache:
        found = await plan_input(plan_id)
        if cache is None:
            return {**draw, "input": found}
        cache[plan_id] = found
    return {**draw, "input": cache[plan_id]}
