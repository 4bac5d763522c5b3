"""求解 — the background job a confirmed plan runs (app/state/queue.py), with a progress record.

CPU work runs in a worker thread so the server keeps answering while a 500-review plan solves.
"""

from __future__ import annotations

import copy
from typing import Any

import anyio.to_thread

from app.audit import services as audit
from app.audit.services import SYSTEM
from app.db import write_tx
from app.panels.seats import now_utc
from app.plans.tables import Plan, PlanMode, PlanStatus
from app.state.queue import report


def probabilities(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """randomized: the LP's target probability of every expert–panel pair (seed-independent, published)."""
    from assignment.eligibility import all_candidates
    from assignment.model import parse
    from assignment.solvers.randomized import RandomizedSolver

    problem = parse(data)
    solver = RandomizedSolver()
    targets = solver.targets(solver.fractional(problem, all_candidates(problem), lambda _: None))
    out: dict[str, list[list[Any]]] = {}
    for (j, e), p in sorted(targets.items()):
        out.setdefault(str(problem.panels[j].id), []).append([problem.expert_ids[e], round(float(p), 6)])
    for rows in out.values():
        rows.sort(key=lambda r: (-r[1], str(r[0])))
    return out


def baseline(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """The plain random draw (`draw` mode) of the same input and seed: what the plan is compared with."""
    from assignment import AssignmentError, solve

    plain = copy.deepcopy(data)
    plain["mode"] = "draw"
    plain.pop("q", None)
    try:
        out = solve(plain, seed, explain_infeasible=False)
    except AssignmentError as exc:
        return {"errors": exc.errors}
    return {"stats": out["stats"], "panels": out["panels"]}


async def solve_plan(job_id: int, plan_id: int) -> None:
    """plans.solve — solve, compare with a plain draw, publish the probabilities; store all of it."""
    from assignment import AssignmentError, solve

    plan = await Plan.select().where(Plan.id == plan_id).output(load_json=True).first()
    if plan is None or plan["status"] != PlanStatus.SOLVING.value:
        return
    data, seed = plan["input"], plan["seed"]
    await report(job_id, {"percent": 10,
                          "message": f"正在求解（{len(data['panels'])} 个评审组，{len(data['experts'])} 名专家）"})
    values: dict[Any, Any] = {}
    try:
        output = await anyio.to_thread.run_sync(solve, data, seed)
    except AssignmentError as exc:
        values = {Plan.status: PlanStatus.INFEASIBLE.value,
                  Plan.explanation: {"errors": exc.errors, "explanation": exc.explanation}}
        output = None
    except Exception as bug:
        values = {Plan.status: PlanStatus.FAILED.value, Plan.error: f"{type(bug).__name__}: {bug}"[:2000]}
        output = None
    if output is not None:
        await report(job_id, {"percent": 60, "message": "正在与普通随机抽取比较"})
        plain = await anyio.to_thread.run_sync(baseline, data, seed)
        probs: dict[str, Any] = {}
        if data["mode"] == PlanMode.RANDOMIZED.value:
            await report(job_id, {"percent": 80, "message": "正在计算公开的入选概率"})
            probs = await anyio.to_thread.run_sync(probabilities, data)
        values = {Plan.status: PlanStatus.SOLVED.value, Plan.output: output, Plan.baseline: plain,
                  Plan.probabilities: probs}
    values[Plan.solved_at] = now_utc()
    async with write_tx():
        await Plan.update(values).where((Plan.id == plan_id) & (Plan.status == PlanStatus.SOLVING.value))
        await audit.record(actor=SYSTEM, action="plan.solved", object_type="season_plan", object_id=plan_id,
                           agency_id=plan["agency"],
                           new={"status": values[Plan.status], "seed": seed,
                                "objective": (output or {}).get("stats", {}).get("objective"),
                                "gap": (output or {}).get("stats", {}).get("gap")})
    await report(job_id, {"percent": 100, "message": "求解完成", "done": True})
