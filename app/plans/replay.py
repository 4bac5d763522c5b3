"""复核计划 — re-run the recorded input with the recorded seed; the plan and each panel compared byte for byte."""

from __future__ import annotations

from typing import Any

import anyio.to_thread

from app.audit import services as audit
from app.db import write_tx
from app.panels.drawing import pool_hash
from app.plans.services import PlanError, get_plan
from app.plans.tables import PlanStatus


async def replay_plan(actor: Any, plan_id: int) -> dict[str, Any]:
    from assignment import canonical_json, input_sha256, solve

    plan = await get_plan(actor, plan_id)
    if plan["status"] not in (PlanStatus.SOLVED.value, PlanStatus.ACCEPTED.value):
        raise PlanError({"plan": "只有已求解的计划可以复核"})
    replayed = await anyio.to_thread.run_sync(solve, plan["input"], plan["seed"])
    fresh = {str(p["id"]): p for p in replayed["panels"]}
    panels = [{"id": p["id"], "equal": canonical_json(p) == canonical_json(fresh.get(str(p["id"])))}
              for p in plan["output"]["panels"]]
    digest = input_sha256(plan["input"])
    result = {"plan_id": plan_id, "seed": plan["seed"], "input_sha256_recorded": plan["input_sha256"],
              "input_sha256_recomputed": digest, "input_ok": digest == plan["input_sha256"],
              "pool_ok": pool_hash(plan["input"]["experts"]) == plan["pool_sha256"],
              "plan_equal": canonical_json(plan["output"]["panels"]) == canonical_json(replayed["panels"]),
              "panels": panels}
    result["ok"] = result["input_ok"] and result["pool_ok"] and result["plan_equal"] and all(
        p["equal"] for p in panels)
    async with write_tx():
        await audit.record(actor=actor, action="plan.replayed", object_type="season_plan", object_id=plan_id,
                           agency_id=plan["agency"], new={k: result[k] for k in ("ok", "input_ok", "pool_ok",
                                                                                  "plan_equal")})
    return result
