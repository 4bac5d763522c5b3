"""``balanced`` — 统筹分配 and ``best_match`` — 限额内最优匹配: all panels at once.

``balanced`` is lexicographic: first the smallest load cap L that admits a solution (counting
seats already held this year, ``prior_load``), then at that L the best total specialty match.
``best_match`` skips the first stage: the best match with every expert within its cap.
Remaining ties are broken by a seeded random term too small to outweigh one point of match.

Why it never stalls (docs/assignment.md, "Solving"):
1. a greedy pass (best match first, tightest panels first, with the draw's look-ahead)
   builds a valid assignment in seconds, whatever the pool's shape;
2. each panel keeps a pruned candidate list that is *diverse by employer* (a few per employer
   per seat type, so one employer holding half the pool cannot crowd out the rest), plus the
   greedy members, so the pruned model is feasible by construction;
3. CP-SAT starts from the greedy assignment (solution hint) under a deterministic work limit;
   whatever it returns, the greedy answer is the floor, so there is always a valid answer;
4. the bound is the LP relaxation over every eligible pair (column generation by reduced
   cost), so the gap is honest for the unpruned problem; pricing also supplies the only
   columns the model grows by.
Only when the greedy pass fails (a tight pool) does a phase-1 LP over every pair decide: a
positive shortfall proves the load cap infeasible; otherwise its support joins the lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..diagnose import solver_failed
from ..eligibility import PanelCandidates, capped_supply
from ..errors import AssignmentError, infeasible
from ..feasibility import fillable
from ..lp import SeatLP, build_and_solve, positive_reduced_costs, shortage_lp
from ..model import Panel, Problem
from .base import Assignment, Progress
from .draw import fill_panel

NOISE = 64  # tie-break range per pair; total noise < SCALE so it never outweighs a match point
DETERMINISTIC_TIME = 60.0  # CP-SAT work units, not seconds: the result never depends on speed
MAX_PRICING_ROUNDS = 20
ROUNDING_WORK = 10.0  # work units for re-solving the LP's fractional panels
PRICED_PER_PANEL = 8  # columns added per panel and pricing round
GAP_TOLERANCE = 0.002  # stop pricing once the answer is proven within 0.2 % of the bound
WIDTH = 4  # pruned lists: WIDTH × seats per panel and seat type
ORG_DEPTH = 2  # ... with at most ORG_DEPTH × max_per_org candidates from one employer
MAX_WIDEN = 3  # ×4 widenings of a failing pruned model before the complete lists


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


def load_limit(problem: Problem, L: int) -> np.ndarray:
    """Seats each expert may take when nobody's total for the year (prior + new) exceeds L."""
    return np.minimum(problem.max_load, np.maximum(L - problem.prior_load, 0))


def load_range(problem: Problem, cands: list[PanelCandidates]) -> tuple[int, int]:
    """(counting lower bound, largest useful value) of the min-max total load L."""
    reach = np.zeros(problem.n_experts, dtype=np.int64)
    for c in cands:
        reach[c.experts] += 1
    cap = np.minimum(problem.max_load, reach)
    seats = sum(p.size for p in problem.panels)
    used = cap > 0
    top = int((problem.prior_load + cap)[used].max(initial=1))
    low = int(problem.prior_load[used].min(initial=0)) + 1
    for L in range(low, top + 1):
        if int(np.minimum(cap, np.maximum(L - problem.prior_load, 0)).sum()) >= seats:
            return L, top
    return top, top


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
    name: str, seat_vars: list[tuple[int, int, cp_model.IntVar]] | None = None,
) -> list[cp_model.IntVar]:
    """One panel's seats: a bool per kept candidate, seat types filled exactly, employer cap.
    ``seat_vars`` collects (kept row, seat type, variable) of the seat choices, for hints."""
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
                if seat_vars is not None:
                    seat_vars.append((k, int(t), y))
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
    minmax = True  # False: best_match — the best match within the stated caps, no load stage

    def solve(
        self, problem: Problem, cands: list[PanelCandidates], rng: np.random.Generator, progress: Progress
    ) -> Assignment:
        seats = sum(p.size for p in problem.panels)
        scale = NOISE * (seats + 1)
        weights = [c.affinity * scale + rng.integers(0, NOISE, size=len(c.experts)) for c in cands]
        cp_seed = int(rng.integers(0, 2**31 - 1))
        relaxed = [org_capped_top(c.affinity, problem.org[c.experts], problem.max_per_org, p.size)
                   for p, c in zip(problem.panels, cands, strict=True)]
        ctx = _Context(problem, cands, weights, scale, cp_seed, progress)
        if not self.minmax:
            limit = problem.max_load
            found = self._at(ctx, limit, "cap")
            if found is None:
                raise AssignmentError([solver_failed(problem, self.name, seats, int(limit.sum()))])
            return self._finish(ctx, found, limit, relaxed, None)
        L, top = load_range(problem, cands)
        while L <= top:
            limit = load_limit(problem, L)
            found = self._at(ctx, limit, f"load cap {L}")
            if found is not None:
                return self._finish(ctx, found, limit, relaxed, L)
            L += 1
        raise AssignmentError([solver_failed(problem, self.name, seats,
                                             int(np.minimum(problem.max_load, len(cands)).sum()))])

    def _at(self, ctx: _Context, limit: np.ndarray, label: str) -> _Found | None:
        """A valid assignment with every expert within ``limit``, or None when none exists."""
        problem, cands = ctx.problem, ctx.cands
        greedy = greedy_assign(problem, cands, ctx.weights, limit)
        keep = [diverse_prune(problem, p.size, c, w, WIDTH, allowed=limit[c.experts] > 0) for p, c, w in
                zip(problem.panels, cands, ctx.weights, strict=True)]
        complete = all(g is not None for g in greedy)
        keep = [k if g is None else np.union1d(k, np.searchsorted(c.experts, g))
                for k, g, c in zip(keep, greedy, cands, strict=True)]
        if not complete:
            ctx.progress(f"{self.name}: {label}: greedy pass left {sum(g is None for g in greedy)} panel(s) "
                         f"open; checking the LP relaxation over every pair")
            lp, _, converged = shortage_lp(problem, cands, keep, limit)
            if converged and -lp.value > 1e-6:
                ctx.progress(f"{self.name}: {label}: infeasible (LP shortfall {-lp.value:.2f})")
                return None
            support = lp_support(lp)
            keep = [np.union1d(k, c) for k, c in zip(keep, support, strict=True)]
            keep = [widen_until_fillable(problem, p, c, k, w) for p, c, k, w in
                    zip(problem.panels, cands, keep, ctx.weights, strict=True)]
        if complete:
            ctx.progress(f"{self.name}: {label}: greedy warm start, objective {greedy_objective(cands, greedy)}")
            return _Found(greedy, greedy_objective(cands, greedy), False, keep)
        for round_ in range(MAX_WIDEN + 2):
            full = all(len(k) == len(c.experts) for k, c in zip(keep, cands, strict=True))
            ctx.progress(f"{self.name}: {label}, CP-SAT on {sum(len(k) for k in keep)} candidate pairs"
                         f"{' (complete)' if full else ''}")
            out = ctx.cp_sat(keep, limit, None, DETERMINISTIC_TIME)
            if out.members is not None:
                return out
            if full:
                if out.proven_infeasible:
                    return None
                raise AssignmentError([no_answer_within_limit(problem, self.name)])
            keep = [np.arange(len(c.experts)) if round_ >= MAX_WIDEN else
                    diverse_prune(problem, p.size, c, w, WIDTH * 4 ** (round_ + 1), extra=k)
                    for p, c, w, k in zip(problem.panels, cands, ctx.weights, keep, strict=True)]
        return None  # pragma: no cover - the last round uses the complete lists

    def _finish(
        self, ctx: _Context, found: _Found, limit: np.ndarray, relaxed: list[int], L: int | None,
    ) -> Assignment:
        """Improve and certify: column generation on the LP relaxation (objective = match and
        tie-break) over every eligible pair. Its solution is integral on almost every panel;
        those panels are taken as they are and the few fractional ones re-solved exactly by
        CP-SAT around them. The Lagrangian bound of each round is valid for the unpruned
        problem, so the loop stops as soon as the answer is proven within the bound."""
        problem, cands = ctx.problem, ctx.cands
        members, keep = found.members, found.keep
        assert members is not None
        best_w = weighted(ctx, members)
        bound_w = float("inf")
        optimal = found.optimal
        for round_ in range(MAX_PRICING_ROUNDS):
            lp = build_and_solve(problem, cands, keep, 1.0, limit, gain=ctx.weights)
            if not lp.optimal():  # pragma: no cover - the incumbent is LP-feasible
                break
            max_rc: list[np.ndarray] = []
            add = positive_reduced_costs(problem, cands, keep, lp, per_panel=PRICED_PER_PANEL, gain=ctx.weights,
                                         best=max_rc)
            # Lagrangian bound: every panel's columns sum to its size and each candidate sits at
            # most once, so left-out columns add at most the panel's `size` best reduced costs.
            bound_w = min(bound_w, lp.value + sum(float(r[: p.size].sum())
                                                  for p, r in zip(problem.panels, max_rc, strict=True)))
            converged = all(x.size == 0 for x in add)
            # Rounding costs a CP-SAT solve of the fractional panels: do it on the first LP (often
            # integral already) and once the LP is within the tolerance of the bound, not every round.
            settled = converged or (bound_w - lp.value) <= GAP_TOLERANCE * bound_w
            last = round_ == MAX_PRICING_ROUNDS - 1
            if round_ == 0 or settled or last:
                cand_members = self._round(ctx, lp, keep, limit)
                if cand_members is not None and weighted(ctx, cand_members) > best_w:
                    members, best_w = cand_members, weighted(ctx, cand_members)
            ctx.progress(f"{self.name}: LP round {round_ + 1}: {sum(len(k) for k in keep)} pairs, LP "
                         f"{lp.value / ctx.scale:.2f}, answer {best_w // ctx.scale}, bound {bound_w / ctx.scale:.2f}")
            got, top = best_w // ctx.scale, np.floor(bound_w / ctx.scale + 1e-6)
            if converged or settled or got >= top or (top - got) <= GAP_TOLERANCE * top:
                optimal = optimal or (converged and best_w >= lp.value - 1e-6)
                break
            keep = [np.union1d(k, x) for k, x in zip(keep, add, strict=True)]
        objective = greedy_objective(cands, members)
        # Tie-breaks are below one match point in total, so floor(weighted bound / scale) bounds the match.
        bound = min(int(np.floor(bound_w / ctx.scale + 1e-6)), sum(relaxed))
        if objective < bound:
            bound = min(bound, per_panel_bound(problem, cands, members, relaxed))
        bound = max(bound, objective)
        gap = (bound - objective) / bound if bound > 0 else 0.0
        ctx.progress(f"{self.name}: objective {objective}, bound {bound}, gap {gap:.4%}")
        extra: dict[str, Any] = {"pruned_pairs": sum(len(k) for k in keep), "proven_optimal_on_pruned": optimal}
        if L is not None:
            extra = {"load_cap": L, **extra}
        return Assignment(members=members, objective=float(objective), bound=float(bound), gap=max(gap, 0.0),
                          extra=extra)

    @staticmethod
    def _round(ctx: _Context, lp: SeatLP, keep: list[np.ndarray], limit: np.ndarray) -> list[np.ndarray] | None:
        """An integral assignment from the LP: integral panels as they are, the fractional ones
        re-solved exactly (CP-SAT) with the experts' remaining capacity."""
        problem, cands = ctx.problem, ctx.cands
        fixed: list[np.ndarray | None] = []
        for cand, cols in zip(cands, lp.cols, strict=True):
            vals = [(r, v.solution_value()) for r, _, v in cols]
            if any(1e-6 < g < 1 - 1e-6 for _, g in vals):
                fixed.append(None)
            else:
                rows = np.unique(np.array([r for r, g in vals if g > 0.5], dtype=np.int64))
                fixed.append(cand.experts[rows])
        open_ = [j for j, f in enumerate(fixed) if f is None]
        if not open_:
            return [f for f in fixed if f is not None]
        left = limit.copy()
        for f in fixed:
            if f is not None:
                left[f] -= 1
        sub = _Context(problem, cands, ctx.weights, ctx.scale, ctx.cp_seed, ctx.progress)
        ctx.progress(f"{BalancedSolver.name}: rounding: {len(open_)} fractional panel(s) re-solved by CP-SAT")
        out = sub.cp_sat([keep[j] if j in open_ else np.zeros(0, dtype=np.int64) for j in range(len(cands))],
                         left, None, ROUNDING_WORK, only=set(open_))
        if out.members is None:
            return None
        return [out.members[j] if f is None else f for j, f in enumerate(fixed)]


def weighted(ctx: _Context, members: list[np.ndarray]) -> int:
    return sum(int(w[np.searchsorted(c.experts, m)].sum()) for c, w, m in zip(ctx.cands, ctx.weights, members,
                                                                               strict=True))


class BestMatchSolver(BalancedSolver):
    """``best_match`` — 限额内最优匹配: maximise specialty match, every load within its cap."""

    name = "best_match"
    minmax = False


@dataclass
class _Found:
    members: list[np.ndarray] | None
    objective: int
    optimal: bool
    keep: list[np.ndarray]
    proven_infeasible: bool = False


@dataclass
class _Context:
    problem: Problem
    cands: list[PanelCandidates]
    weights: list[np.ndarray]
    scale: int
    cp_seed: int
    progress: Progress

    def cp_sat(
        self, keep: list[np.ndarray], limit: np.ndarray, hint: list[np.ndarray] | None, work: float,
        only: set[int] | None = None,
    ) -> _Found:
        """CP-SAT over the kept pairs (``only``: just these panels, the others left empty)."""
        problem, cands = self.problem, self.cands
        model = cp_model.CpModel()
        xs: list[list[cp_model.IntVar]] = []
        by_expert: dict[int, list[cp_model.IntVar]] = {}
        obj_vars: list[cp_model.IntVar] = []
        obj_coef: list[int] = []
        for j, (panel, cand, rows) in enumerate(zip(problem.panels, cands, keep, strict=True)):
            if only is not None and j not in only:
                xs.append([])
                continue
            seat_vars: list[tuple[int, int, cp_model.IntVar]] = []
            x = add_panel(model, problem, panel, cand, rows, f"p{j}", seat_vars)
            xs.append(x)
            obj_vars.extend(x)
            obj_coef.extend(int(w) for w in self.weights[j][rows])
            experts = cand.experts[rows]
            if hint is not None:
                # A complete hint (members and the seat each fills) lets CP-SAT start from it.
                on = np.isin(experts, hint[j])
                for v, h in zip(x, on.tolist(), strict=True):
                    model.add_hint(v, h)
                seat = seat_of(cand, np.searchsorted(cand.experts, hint[j]))
                for k, t, y in seat_vars:
                    model.add_hint(y, seat.get(int(rows[k])) == t)
            for e, v in zip(experts.tolist(), x, strict=True):
                by_expert.setdefault(e, []).append(v)
        for e, vs in by_expert.items():
            if len(vs) > limit[e]:
                model.add(cp_model.LinearExpr.sum(vs) <= int(limit[e]))
        model.maximize(cp_model.LinearExpr.weighted_sum(obj_vars, obj_coef))
        solver = cp_solver(self.cp_seed, work)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _Found(None, 0, False, keep, proven_infeasible=status == cp_model.INFEASIBLE)
        members = []
        objective = 0
        for cand, rows, x in zip(cands, keep, xs, strict=True):
            chosen = [k for k, v in enumerate(x) if solver.boolean_value(v)]
            sel = rows[np.array(chosen, dtype=np.int64)]
            members.append(cand.experts[sel])
            objective += int(cand.affinity[sel].sum())
        return _Found(members, objective, status == cp_model.OPTIMAL, keep)


def seat_of(cand: PanelCandidates, members: np.ndarray) -> dict[int, int]:
    """Which seat type each member (local row) fills: a small bipartite matching (Kuhn)."""
    slots = [t for t, st in enumerate(cand.types) for _ in range(st.count)]
    owner: dict[int, int] = {}

    def augment(r: int, seen: set[int]) -> bool:
        for s_i, t in enumerate(slots):
            if s_i in seen or not cand.qual[r, t]:
                continue
            seen.add(s_i)
            if s_i not in owner or augment(owner[s_i], seen):
                owner[s_i] = r
                return True
        return False

    for r in members.tolist():
        augment(int(r), set())
    return {r: slots[s_i] for s_i, r in owner.items()}


def greedy_objective(cands: list[PanelCandidates], members: list[np.ndarray]) -> int:
    return sum(int(c.affinity[np.searchsorted(c.experts, m)].sum()) for c, m in zip(cands, members, strict=True))


def greedy_assign(
    problem: Problem, cands: list[PanelCandidates], weights: list[np.ndarray], limit: np.ndarray,
) -> list[np.ndarray | None]:
    """Warm start: panels tightest first (fewest eligible experts per seat, counted with the
    employer cap), each filled best match first with the draw's look-ahead. A panel it cannot
    fill is None; the others are valid together."""
    n_orgs = len(problem.org_names)
    slack = [capped_supply(problem.org[c.experts[limit[c.experts] > 0]], problem.max_per_org, n_orgs) / p.size
             for p, c in zip(problem.panels, cands, strict=True)]
    left = limit.copy()
    out: list[np.ndarray | None] = [None] * len(cands)
    for j in sorted(range(len(cands)), key=lambda j: (slack[j], j)):
        cand, w = cands[j], weights[j]
        picked, _, missing, _, _ = fill_panel(problem, cand, left, 0,
                                              lambda rows, w=w: rows[np.argsort(-w[rows], kind="stable")])
        if missing:
            continue
        left[picked] -= 1
        out[j] = np.sort(picked)
    return out


def org_rank(org: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements of the same employer (0, 1, …)."""
    n = len(org)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argsort(org, kind="stable")
    so = org[idx]
    starts = np.r_[0, np.flatnonzero(np.diff(so)) + 1]
    rank_sorted = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[idx] = rank_sorted
    return rank


def diverse_prune(
    problem: Problem, size: int, cand: PanelCandidates, weight: np.ndarray, width: int,
    extra: np.ndarray | None = None, allowed: np.ndarray | None = None,
) -> np.ndarray:
    """Local rows kept for a panel: overall and per seat type, the best ``width`` × seats with at
    most ``ORG_DEPTH`` × ``max_per_org`` from one employer, so a dominant employer cannot fill
    the list with experts of whom the panel may take only one or two. ``allowed`` leaves out
    candidates with no load left under the current cap."""
    m = len(cand.experts)
    if m <= width * size:
        return np.arange(m) if allowed is None else np.flatnonzero(allowed)
    order = np.argsort(-weight, kind="stable")
    if allowed is not None:
        order = order[allowed[order]]
    org = problem.org[cand.experts[order]]
    depth = ORG_DEPTH * problem.max_per_org * max(1, width // WIDTH)
    keep = np.zeros(m, dtype=bool)
    if extra is not None:
        keep[extra] = True
    ok = org_rank(org) < depth
    keep[order[ok][: width * size]] = True
    for t_i, t in enumerate(cand.types):
        has = cand.qual[order, t_i]
        rows = order[has]
        ok = org_rank(org[has]) < depth
        keep[rows[ok][: width * t.count + width]] = True
    return np.flatnonzero(keep)


def widen_until_fillable(
    problem: Problem, panel: Panel, cand: PanelCandidates, rows: np.ndarray, weight: np.ndarray,
) -> np.ndarray:
    """Grow one panel's list until it can fill its seats on its own (max-flow with the
    employer cap): only panels that fail the check are widened."""
    width = WIDTH
    needs = np.array([t.count for t in cand.types], dtype=np.int64)
    room = np.full(len(problem.org_names), problem.max_per_org, dtype=np.int64)
    org = problem.org[cand.experts]
    while len(rows) < len(cand.experts):
        pool = np.zeros(len(cand.experts), dtype=bool)
        pool[rows] = True
        if fillable(needs, cand.qual, pool, org, room):
            break
        width *= 4
        rows = diverse_prune(problem, panel.size, cand, weight, width, extra=rows)
    return rows


def lp_support(lp: SeatLP) -> list[np.ndarray]:
    return [np.unique(np.array([r for r, _, v in cols if v.solution_value() > 1e-9], dtype=np.int64))
            for cols in lp.cols]


def per_panel_bound(
    problem: Problem, cands: list[PanelCandidates], members: list[np.ndarray], relaxed: list[int]
) -> int:
    """Sum of per-panel optima (loads ignored), valid for the unpruned problem. A panel that
    already reaches its quick relaxed bound needs no exact solve."""
    total = 0
    for panel, cand, mem, rel in zip(problem.panels, cands, members, relaxed, strict=True):
        got = int(cand.affinity[np.searchsorted(cand.experts, mem)].sum())
        total += rel if got >= rel else min(rel, panel_optimum(problem, panel, cand))
    return total


def no_answer_within_limit(problem: Problem, mode: str) -> dict[str, Any]:
    seats = sum(p.size for p in problem.panels)
    return infeasible(
        f"{mode}：在计算量上限内未找到可行方案，也未能证明无解；请放宽限制或改用 draw 模式",
        f"{mode}: no assignment found within the work limit and none proven impossible; relax the "
        f"rules or use the draw mode",
        needed=seats, available=0, proven=False)
