"""``solve``: input dict + seed → output dict. The only entry point callers need.

Reproducibility: the result depends only on the input and the seed. The seed feeds
``numpy.random.SeedSequence(seed).spawn(2)``: stream 0 for member seats, stream 1 for the
alternates. OR-Tools runs single-threaded with a fixed random seed and deterministic work
limits, never wall-clock limits. ``stats.seconds`` is measured, never used.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

import numpy as np

from .alternates import draw_alternates
from .check import violations
from .diagnose import precheck
from .eligibility import all_candidates
from .errors import INTERNAL_ERROR, AssignmentError, invalid
from .explain import explain
from .model import parse
from .solvers import SOLVERS
from .solvers.base import Progress, no_progress

SEED_BITS = 63


def canonical_json(data: Any) -> bytes:
    """Sorted keys, compact separators, UTF-8 without escapes: the form ``input_sha256`` hashes."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def input_sha256(data: Any) -> str:
    try:
        return hashlib.sha256(canonical_json(data)).hexdigest()
    except (TypeError, ValueError) as exc:
        err = invalid("", "输入不是合法的 JSON 数据", f"input is not JSON data: {exc}")
        raise AssignmentError([err]) from None


def new_seed() -> int:
    """A fresh seed from the OS, for runs that did not bring one (it is printed for replay)."""
    return secrets.randbits(SEED_BITS)


def solve(data: Any, seed: int, progress: Progress | None = None, *,
          explain_infeasible: bool = True) -> dict[str, Any]:
    """Assign experts to panels. Raises :class:`AssignmentError` with ``[{code, message, ...}]``;
    when the input is infeasible the error also carries ``explanation`` (assignment/explain.py).

    The seed is required: the library takes randomness only from its caller, who records the
    seed (the command line draws one with `new_seed()` when none is given, and prints it).
    """
    t0 = time.perf_counter()
    report = progress or no_progress
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise AssignmentError([invalid("seed", "种子须为非负整数", "seed must be a non-negative integer")])
    digest = input_sha256(data)
    problem = parse(data)
    cands = all_candidates(problem)
    try:
        errs = precheck(problem, cands)
        if errs:
            raise AssignmentError(errs)
        member_seq, alt_seq = np.random.SeedSequence(seed).spawn(2)
        solver = SOLVERS[problem.mode]()
        report(f"{problem.mode}: {problem.n_experts} experts, {len(problem.panels)} panels, "
               f"{sum(len(c.experts) for c in cands)} eligible pairs")
        result = solver.solve(problem, cands, np.random.default_rng(member_seq), report)
        alternates = draw_alternates(problem, cands, result.members, np.random.default_rng(alt_seq))
    except AssignmentError as exc:
        if explain_infeasible and exc.infeasible and exc.explanation is None:
            report("infeasible: computing the shortfall and the relaxations that would fix it")
            try:
                exc.explanation = explain(data, problem, cands, exc.errors, seed)
            except Exception as bug:  # pragma: no cover - never let the report hide the errors
                report(f"infeasibility report failed: {type(bug).__name__}: {bug}")
        raise
    broken = violations(problem, cands, result.members, alternates)
    if broken:  # pragma: no cover - a solver bug must never reach a caller as a panel
        raise AssignmentError([{"code": INTERNAL_ERROR, "message":
                                "内部错误：结果违反规则 / internal error: result breaks a rule: "
                                + "; ".join(broken[:5])}])

    ids = problem.expert_ids
    load = np.zeros(problem.n_experts, dtype=np.int64)
    for m in result.members:
        load[m] += 1
    reachable = np.zeros(problem.n_experts, dtype=bool)
    for c in cands:
        reachable[c.experts] = True
    total = load + problem.prior_load
    used = load > 0
    stats: dict[str, Any] = {
        "seconds": round(time.perf_counter() - t0, 6),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "max_load": int(load.max()),
        # Over experts who could have sat somewhere: 0 means some eligible expert was not used.
        "min_load": int(load[reachable].min()) if reachable.any() else 0,
        "experts_used": int(used.sum()),
        # Rotation: seats already held this year plus this call's, over the experts seated now.
        "max_total_load": int(total[used].max(initial=0)),
        # load_histogram[k] = experts eligible somewhere who get k seats in this call.
        "load_histogram": np.bincount(load[reachable], minlength=int(load.max()) + 1).tolist(),
    }
    stats.update(result.extra)
    optimal = result.gap is not None and result.gap == 0.0 and problem.mode in ("balanced", "best_match")
    return {
        "mode": problem.mode,
        "status": "optimal" if optimal else "feasible",
        "seed": seed,
        "input_sha256": digest,
        "panels": [
            {"id": p.id, "members": [ids[i] for i in m], "alternates": [ids[i] for i in a]}
            for p, m, a in zip(problem.panels, result.members, alternates, strict=True)
        ],
        # Per expert with a seat: this call's seats, seats already held this year, and the sum.
        "loads": [{"id": ids[i], "load": int(load[i]), "prior_load": int(problem.prior_load[i]),
                   "total": int(total[i])} for i in np.flatnonzero(used).tolist()],
        "stats": stats,
    }
