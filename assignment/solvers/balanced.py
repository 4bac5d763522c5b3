"""``balanced`` — 统筹分配: all panels at once, lowest maximum load, then best specialty match.

Lexicographic objective, solved with CP-SAT on a pruned candidate graph:
1. the smallest load cap L that admits a solution (starting from a counting lower bound, so
   the first feasible L is optimal);
2. at that L, maximise the total specialty match (``affinity``), plus a seeded random
   tie-break that is too small to ever outweigh one point of match: the remaining choices
   are random by seed.
Each panel keeps only its best candidates (by match and tie-break, per seat type); when the
pruned model is infeasible the lists grow until they are complete, so pruning never turns a
feasible input into an error. The reported bound ignores loads but uses every eligible
expert, so it is valid for the unpruned problem; ``gap`` compares against it.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from ..diagnose import solver_failed
from ..eligibility import PanelCandidates
from ..errors import AssignmentError
from ..lp import build_and_solve, positive_reduced_costs
from ..model import Panel, Problem
from .base import Assignment, Progress

NOISE = 64  # tie-break range per pair; total noise < SCALE so it never outweighs a match point
DETERMINISTIC_TIME = 60.0
MAX_PRICING_ROUNDS = 20  # CP-SAT work units, not seconds: the result never depends on speed


def org_capped_top(aff: np.ndarray, org: np.ndarray, cap: int, size: int) -> int:
    """Best total affinity of ``size`` candidates with at most ``cap`` per org (greedy is exact:
    a partition matroid)."""
    order = np.argsort(-aff, kind="stable")
    o = org[order]
    idx = np.argsort(o, kind="stable")
    so = o[idx]
    n = len(so)
    if n == 0:
        return 0
    starts = np.r_[0, np.flatnonzero(np.diff(so)) + 1]
    rank_sorted = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[idx] = rank_sorted
    return int(aff[order][rank < cap][:size].sum())


def load_lower_bound(problem: Problem, cands: list[PanelCandidates]) -> int:
    """Smallest L with enough capacity when each expert sits at most min(max_load, L) times."""
    reach = np.zeros(problem.n_experts, dtype=np.int64)
    for c in cands:
        reach[c.experts] += 1
    cap = np.minimum(problem.max_load, reach)
    seats = sum(p.size for p in problem.panels)
    top = int(cap.max(initial=0))
    for L in range(1, top + 1):
        if int(np.minimum(cap, L).sum()) >= seats:
            return L
    return max(top, 1)


def cp_solver(seed: int, deterministic_time: float) -> cp_model.CpSolver:
    """Single worker, fixed seed, work-unit limit: the same input always gives the same answer."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = deterministic_time
    # Assignment structure: the full LP relaxation prunes far better than the default level.
    solver.parameters.linearization_level = 2
    return solver


def add_panel(
    model: cp_model.CpModel, problem: Problem, panel: Panel, cand: PanelCandidates, rows: np.ndarray,
    name: str,
) -> list[cp_model.IntVar]:
    """One panel's seats: a bool per kept candidate, seat types filled exactly, employer cap."""
    experts = cand.experts[rows]
    x = [model.new_bool_var(f"{name}_{e}") for e in experts.tolist()]
    qual = cand.qual[rows]
    if len(cand.types) == 1:
        model.add(cp_model.LinearExpr.sum(x) == panel.size)
    else:
        # Seat variables: each member fills exactly one seat, each seat type its count.
        per_type: list[list[cp_model.IntVar]] = [[] for _ in cand.types]
        for k, v in enumerate(x):
            ts = np.flatnonzero(qual[k])
            if len(ts) == 1:
                per_type[ts[0]].append(v)
                continue
            ys = [model.new_bool_var("") for _ in ts]
            model.add(cp_model.LinearExpr.sum(ys) == v)
            for t, y in zip(ts, ys, strict=True):
                per_type[t].append(y)
        for t, vs in zip(cand.types, per_type, strict=True):
            model.add(cp_model.LinearExpr.sum(vs) == t.count)
    org = problem.org[experts]
    counts = np.bincount(org)
    for o in np.flatnonzero(counts > problem.max_per_org):
        model.add(cp_model.LinearExpr.sum([x[k] for k in np.flatnonzero(org == o)]) <= problem.max_per_org)
    return x


def panel_optimum(problem: Problem, panel: Panel, cand: PanelCandidates) -> int:
    """Best specialty match of one panel alone (loads ignored): a valid per-panel bound.

    Exchange argument: per seat type keep the best 2·size − 1 holders with at most
    ``max_per_org`` per employer. A member outside these lists can always be swapped for a
    listed one of no lower match (at most size − 1 are members, at most size − 1 more sit in
    employers already full), so the optimum over the lists is the optimum over everyone.
    """
    order = np.argsort(-cand.affinity, kind="stable")
    org = problem.org[cand.experts]
    keep = np.zeros(len(cand.experts), dtype=bool)
    for t_i in range(len(cand.types)):
        rows = order[cand.qual[order, t_i]]
        taken: dict[int, int] = {}
        n = 0
        for r in rows.tolist():
            o = int(org[r])
            if taken.get(o, 0) >= problem.max_per_org:
                continue
            taken[o] = taken.get(o, 0) + 1
            keep[r] = True
            n += 1
            if n >= 2 * panel.size - 1:
                break
    rows = np.flatnonzero(keep)
    model = cp_model.CpModel()
    x = add_panel(model, problem, panel, cand, rows, "b")
    model.maximize(cp_model.LinearExpr.weighted_sum(x, [int(a) for a in cand.affinity[rows]]))
    solver = cp_solver(0, DETERMINISTIC_TIME)
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value)
    return int(solver.best_objective_bound) if status == cp_model.FEASIBLE else 0


class BalancedSolver:
    name = "balanced"

    def __init__(self, deterministic_time: float = DETERMINISTIC_TIME) -> None:
        self.deterministic_time = deterministic_time

    def solve(
        self, problem: Problem, cands: list[PanelCandidates], rng: np.random.Generator, progress: Progress
    ) -> Assignment:
        seats = sum(p.size for p in problem.panels)
        scale = NOISE * (seats + 1)
        weights = [c.affinity * scale + rng.integers(0, NOISE, size=len(c.experts)) for c in cands]
        cp_seed = int(rng.integers(0, 2**31 - 1))
        cap = problem.max_per_org
        relaxed = [org_capped_top(c.affinity, problem.org[c.experts], cap, p.size)
                   for p, c in zip(problem.panels, cands, strict=True)]
        top_load = int(problem.max_load.max())
        L = load_lower_bound(problem, cands)
        while L <= top_load:
            limit = np.minimum(problem.max_load, L)
            width = 4
            while True:
                keep = [self._prune(p.size, c, w, width) for p, c, w in zip(problem.panels, cands, weights,
                                                                           strict=True)]
                full = all(len(k) == len(c.experts) for k, c in zip(keep, cands, strict=True))
                pairs = sum(len(k) for k in keep)
                progress(f"balanced: load cap {L}, {pairs} candidate pairs{' (complete)' if full else ''}")
                out = self._cp_sat(problem, cands, weights, keep, limit, scale, cp_seed)
                if out is not None:
                    return self._finish(problem, cands, weights, keep, limit, scale, cp_seed, relaxed,
                                        out, L, progress)
                if full:
                    break
                width *= 4
            L += 1
        raise AssignmentError([solver_failed(problem, "balanced", seats,
                                             int(np.minimum(problem.max_load, len(cands)).sum()))])

    def _finish(
        self, problem: Problem, cands: list[PanelCandidates], weights: list[np.ndarray],
        keep: list[np.ndarray], limit: np.ndarray, scale: int, cp_seed: int, relaxed: list[int],
        out: tuple[list[np.ndarray], int, int, bool], L: int, progress: Progress,
    ) -> Assignment:
        """Certify the pruned answer: column generation on the LP relaxation over every
        eligible pair gives a bound valid for the unpruned problem; if it found better
        columns, the integer model is solved once more with them."""
        members, objective, _, optimal = out
        lp_bound, grown = self._lp_bound(problem, cands, keep, limit)
        if lp_bound is not None and objective < lp_bound and grown is not None:
            progress(f"balanced: LP bound {lp_bound}, re-solving with {sum(len(k) for k in grown)} pairs")
            again = self._cp_sat(problem, cands, weights, grown, limit, scale, cp_seed)
            if again is not None and again[1] >= objective:
                keep = grown
                members, objective, _, optimal = again
        bound = lp_bound if lp_bound is not None else sum(relaxed)
        if objective < bound:
            bound = min(bound, self._bound(problem, cands, members, relaxed))
        gap = (bound - objective) / bound if bound > 0 else 0.0
        progress(f"balanced: objective {objective}, bound {bound}, gap {gap:.4%}")
        return Assignment(
            members=members, objective=float(objective), bound=float(bound), gap=max(gap, 0.0),
            extra={"load_cap": L, "pruned_pairs": sum(len(k) for k in keep),
                   "proven_optimal_on_pruned": optimal},
        )

    @staticmethod
    def _lp_bound(
        problem: Problem, cands: list[PanelCandidates], keep: list[np.ndarray], limit: np.ndarray
    ) -> tuple[int | None, list[np.ndarray] | None]:
        grown = None
        for _ in range(MAX_PRICING_ROUNDS):
            lp = build_and_solve(problem, cands, keep, 1.0, limit)
            if not lp.optimal():
                return None, None
            add = positive_reduced_costs(problem, cands, keep, lp, per_panel=8)
            if all(a.size == 0 for a in add):
                # Match scores are integers, so the integer optimum is at most floor(LP).
                return int(np.floor(lp.value + 1e-6)), grown
            keep = [np.union1d(k, a) for k, a in zip(keep, add, strict=True)]
            grown = keep
        return None, grown

    @staticmethod
    def _bound(
        problem: Problem, cands: list[PanelCandidates], members: list[np.ndarray], relaxed: list[int]
    ) -> int:
        """Sum of per-panel optima (loads ignored), valid for the unpruned problem. A panel that
        already reaches its quick relaxed bound needs no exact solve."""
        total = 0
        for panel, cand, mem, rel in zip(problem.panels, cands, members, relaxed, strict=True):
            got = int(cand.affinity[np.searchsorted(cand.experts, mem)].sum())
            total += rel if got >= rel else min(rel, panel_optimum(problem, panel, cand))
        return total

    @staticmethod
    def _prune(size: int, cand: PanelCandidates, weight: np.ndarray, width: int) -> np.ndarray:
        """Local row indices kept for a panel: the best ``width × size`` overall and, per seat
        type, the best ``width × count`` that can fill it (so scarce quotas keep their holders)."""
        m = len(cand.experts)
        if m <= width * size:
            return np.arange(m)
        order = np.argsort(-weight, kind="stable")
        keep = np.zeros(m, dtype=bool)
        keep[order[: width * size]] = True
        for t_i, t in enumerate(cand.types):
            q = order[cand.qual[order, t_i]]
            keep[q[: width * t.count + width]] = True
        return np.flatnonzero(keep)

    def _cp_sat(
        self, problem: Problem, cands: list[PanelCandidates], weights: list[np.ndarray],
        keep: list[np.ndarray], limit: np.ndarray, scale: int, cp_seed: int,
    ) -> tuple[list[np.ndarray], int, int, bool] | None:
        model = cp_model.CpModel()
        xs: list[list[cp_model.IntVar]] = []
        by_expert: dict[int, list[cp_model.IntVar]] = {}
        obj_vars: list[cp_model.IntVar] = []
        obj_coef: list[int] = []
        for j, (panel, cand, rows) in enumerate(zip(problem.panels, cands, keep, strict=True)):
            x = add_panel(model, problem, panel, cand, rows, f"p{j}")
            xs.append(x)
            obj_vars.extend(x)
            obj_coef.extend(int(w) for w in weights[j][rows])
            for e, v in zip(cand.experts[rows].tolist(), x, strict=True):
                by_expert.setdefault(e, []).append(v)
        for e, vs in by_expert.items():
            if len(vs) > limit[e]:
                model.add(sum(vs) <= int(limit[e]))
        model.maximize(cp_model.LinearExpr.weighted_sum(obj_vars, obj_coef))
        solver = cp_solver(cp_seed, self.deterministic_time)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        members = []
        objective = 0
        for cand, rows, x in zip(cands, keep, xs, strict=True):
            chosen = [k for k, v in enumerate(x) if solver.boolean_value(v)]
            sel = rows[np.array(chosen, dtype=np.int64)]
            members.append(cand.experts[sel])
            objective += int(cand.affinity[sel].sum())
        cp_bound = int(solver.best_objective_bound) // scale
        return members, objective, cp_bound, status == cp_model.OPTIMAL
