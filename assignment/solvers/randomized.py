"""``randomized`` — Jecmen et al. (NeurIPS 2020): no expert–panel probability above ``q``.

1. LP (OR-Tools GLOP): maximise expected specialty match over fractional seat assignments
   g[expert, panel, seat type] in [0, q], with every seat type's count, each expert at most q
   on a panel, the per-employer cap and max_load, all holding in expectation. The LP does not
   depend on the seed, so its values are the published target probabilities.
2. Dependent rounding from the seed (:mod:`assignment.rounding`): each expert–panel pair is
   drawn with exactly its target probability; panel sizes, seat-type counts and loads hold
   in every draw, and the employer cap holds within each seat type.
3. The employer cap across seat types of one panel is not a laminar constraint, so a draw that
   breaks it is rejected and redrawn (counted in ``stats.resamples``); the bench shows how
   little this moves the marginals.
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import pywraplp

from ..diagnose import solver_failed
from ..eligibility import PanelCandidates
from ..errors import AssignmentError, infeasible
from ..lp import build_and_solve
from ..model import Problem
from ..rounding import round_flow
from .balanced import org_capped_top
from .base import Assignment, Progress

MAX_RESAMPLES = 1000


class Fractional:
    """The LP solution as a flow network ready for rounding."""

    def __init__(self) -> None:
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.values: list[float] = []
        self.n_nodes = 1  # node 0 is the root (source = sink)
        self.seat_arcs: list[int] = []  # arcs that mean "expert sits on panel"
        self.seat_panel: list[int] = []
        self.seat_expert: list[int] = []
        self.expected = 0.0

    def node(self) -> int:
        self.n_nodes += 1
        return self.n_nodes - 1

    def arc(self, t: int, h: int, v: float) -> int:
        self.tails.append(t)
        self.heads.append(h)
        self.values.append(v)
        return len(self.values) - 1


class RandomizedSolver:
    name = "randomized"

    def solve(
        self, problem: Problem, cands: list[PanelCandidates], rng: np.random.Generator, progress: Progress
    ) -> Assignment:
        frac = self.fractional(problem, cands, progress)
        tails, heads = np.array(frac.tails), np.array(frac.heads)
        values = np.array(frac.values)
        seat_arcs = np.array(frac.seat_arcs, dtype=np.int64)
        seat_panel = np.array(frac.seat_panel, dtype=np.int64)
        seat_expert = np.array(frac.seat_expert, dtype=np.int64)
        resamples = 0
        for _ in range(MAX_RESAMPLES):
            x = round_flow(tails, heads, values, frac.n_nodes, rng)
            on = x[seat_arcs] == 1
            members = [seat_expert[on & (seat_panel == j)] for j in range(len(problem.panels))]
            if all(m.size == 0 or np.bincount(problem.org[m]).max() <= problem.max_per_org
                   for m in members):
                break
            resamples += 1
        else:  # pragma: no cover - would need a pathological employer structure
            raise AssignmentError([solver_failed(problem, "randomized", 0, 0)])
        objective = 0
        for c, m in zip(cands, members, strict=True):
            objective += int(c.affinity[np.searchsorted(c.experts, m)].sum())
        bound = float(sum(org_capped_top(c.affinity, problem.org[c.experts], problem.max_per_org, p.size)
                          for p, c in zip(problem.panels, cands, strict=True)))
        gap = (bound - objective) / bound if bound > 0 else 0.0
        return Assignment(
            members=[np.sort(m) for m in members], objective=float(objective), bound=bound,
            gap=max(gap, 0.0),
            extra={"q": problem.q, "expected_objective": round(frac.expected, 6), "resamples": resamples},
        )

    def targets(self, problem: Problem, cands: list[PanelCandidates]) -> dict[tuple[int, int], float]:
        """Target probability of every (panel index, expert index) pair with a positive one."""
        frac = self.fractional(problem, cands, lambda _: None)
        out: dict[tuple[int, int], float] = {}
        for a, j, e in zip(frac.seat_arcs, frac.seat_panel, frac.seat_expert, strict=True):
            if frac.values[a] > 1e-9:
                out[(j, e)] = out.get((j, e), 0.0) + frac.values[a]
        return out

    def fractional(self, problem: Problem, cands: list[PanelCandidates], progress: Progress) -> Fractional:
        q = problem.q
        keep = [np.arange(len(c.experts)) for c in cands]
        progress(f"randomized: LP over {sum(len(k) for k in keep)} candidate pairs, q = {q:g}")
        lp = build_and_solve(problem, cands, keep, q, problem.max_load)
        if not lp.optimal():
            seats = sum(p.size for p in problem.panels)
            need = int(np.ceil(seats / q))
            raise AssignmentError([infeasible(
                f"概率上限 q={q:g} 下无法组成评审组：每个席位至少需要 1/q 名可选专家，请提高 q 或增加专家",
                f"no assignment keeps every probability at most q={q:g}: each seat needs at least 1/q "
                f"eligible experts; raise q or add experts",
                needed=need, available=sum(len(c.experts) for c in cands), q=q)])
        return self._network(problem, cands, lp.cols, lp.value)

    @staticmethod
    def _network(
        problem: Problem, cands: list[PanelCandidates],
        gvars: list[list[tuple[int, int, pywraplp.Variable]]], expected: float,
    ) -> Fractional:
        net = Fractional()
        net.expected = expected
        expert_node: dict[int, int] = {}
        load: dict[int, float] = {}
        for j, (cand, vs) in enumerate(zip(cands, gvars, strict=True)):
            vals = [(k, t, v.solution_value()) for k, t, v in vs]
            vals = [(k, t, g) for k, t, g in vals if g > 1e-9]
            org = problem.org[cand.experts]
            type_node = [net.node() for _ in cand.types]
            # (type, org) groups get their own node only where the cap could bind.
            group: dict[tuple[int, int], list[tuple[int, int, float]]] = {}
            for k, t, g in vals:
                group.setdefault((t, int(org[k])), []).append((k, t, g))
            target: dict[tuple[int, int], int] = {}
            for (t, _org), items in group.items():
                if len(items) > problem.max_per_org:
                    n = net.node()
                    net.arc(n, type_node[t], sum(g for _, _, g in items))
                    for k, _, _ in items:
                        target[(k, t)] = n
                else:
                    for k, _, _ in items:
                        target[(k, t)] = type_node[t]
            per_row: dict[int, list[tuple[int, float]]] = {}
            for k, t, g in vals:
                per_row.setdefault(k, []).append((t, g))
            for k, items in per_row.items():
                e = int(cand.experts[k])
                if e not in expert_node:
                    expert_node[e] = net.node()
                src = expert_node[e]
                total = sum(g for _, g in items)
                load[e] = load.get(e, 0.0) + total
                if len(items) > 1:
                    pair = net.node()
                    net.arc(src, pair, total)
                    src = pair
                for t, g in items:
                    a = net.arc(src, target[(k, t)], g)
                    net.seat_arcs.append(a)
                    net.seat_panel.append(j)
                    net.seat_expert.append(e)
        for e, n in expert_node.items():
            net.arc(0, n, load[e])
        return net
