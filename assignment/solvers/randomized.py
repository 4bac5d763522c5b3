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
from ..lp import SeatLP, build_and_solve, positive_reduced_costs
from ..model import Problem
from ..rounding import round_flow
from .balanced import org_capped_top
from .base import Assignment, Progress

MAX_RESAMPLES = 1000
MAX_PIN_ROUNDS = 10
MAX_PRICING_ROUNDS = 20


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
        members, resamples = self.sample(problem, frac, rng)
        objective = 0
        for c, m in zip(cands, members, strict=True):
            objective += int(c.affinity[np.searchsorted(c.experts, m)].sum())
        bound = float(sum(org_capped_top(c.affinity, problem.org[c.experts], problem.max_per_org, p.size)
                          for p, c in zip(problem.panels, cands, strict=True)))
        gap = (bound - objective) / bound if bound > 0 else 0.0
        return Assignment(
            members=members, objective=float(objective), bound=bound, gap=max(gap, 0.0),
            extra={"q": problem.q, "expected_objective": round(frac.expected, 6), "resamples": resamples},
        )

    @staticmethod
    def sample(problem: Problem, frac: Fractional, rng: np.random.Generator) -> tuple[list[np.ndarray], int]:
        """One seeded draw from the fractional assignment (members per panel, rejected draws)."""
        tails, heads = np.array(frac.tails), np.array(frac.heads)
        values = np.array(frac.values)
        seat_arcs = np.array(frac.seat_arcs, dtype=np.int64)
        seat_panel = np.array(frac.seat_panel, dtype=np.int64)
        seat_expert = np.array(frac.seat_expert, dtype=np.int64)
        for resamples in range(MAX_RESAMPLES):
            x = round_flow(tails, heads, values, frac.n_nodes, rng)
            on = x[seat_arcs] == 1
            members = [np.sort(seat_expert[on & (seat_panel == j)]) for j in range(len(problem.panels))]
            if all(m.size == 0 or np.bincount(problem.org[m]).max() <= problem.max_per_org
                   for m in members):
                return members, resamples
        raise AssignmentError([solver_failed(problem, "randomized", 0, 0)])  # pragma: no cover

    @staticmethod
    def targets(frac: Fractional) -> dict[tuple[int, int], float]:
        """Target probability of every (panel index, expert index) pair with a positive one."""
        out: dict[tuple[int, int], float] = {}
        for a, j, e in zip(frac.seat_arcs, frac.seat_panel, frac.seat_expert, strict=True):
            if frac.values[a] > 1e-9:
                out[(j, e)] = out.get((j, e), 0.0) + frac.values[a]
        return out

    def fractional(self, problem: Problem, cands: list[PanelCandidates], progress: Progress) -> Fractional:
        q = problem.q
        keep = self._columns(problem, cands, q)
        progress(f"randomized: LP over {sum(len(k) for k in keep)} candidate pairs, q = {q:g}")
        lp = build_and_solve(problem, cands, keep, q, problem.max_load)
        if not lp.optimal():
            short = self._short_under_cap(problem, cands, q)
            if short:
                raise AssignmentError(short)
            seats = sum(p.size for p in problem.panels)
            raise AssignmentError([infeasible(
                f"概率上限 q={q:g} 下无法组成评审组：每个席位至少需要 1/q 名可选专家，请提高 q 或增加专家",
                f"no assignment keeps every probability at most q={q:g}: each seat needs at least 1/q "
                f"eligible experts; raise q or add experts",
                needed=int(np.ceil(seats / q)), available=sum(len(c.experts) for c in cands), q=q)])
        # The employer cap across seat types is not laminar. Where an employer's mass on a panel
        # spreads over several seat types, pin it to its main type and re-solve, so the rounding
        # tree enforces the cap exactly and draws are almost never rejected.
        only: dict[tuple[int, int], int] = {}
        for _ in range(MAX_PIN_ROUNDS):
            spread = self._spread(problem, cands, lp)
            if not spread:
                break
            only.update(spread)
            pinned = build_and_solve(problem, cands, keep, q, problem.max_load, only)
            if not pinned.optimal():
                break
            lp = pinned
        return self._network(problem, cands, lp.cols, lp.value)

    @staticmethod
    def _short_under_cap(problem: Problem, cands: list[PanelCandidates], q: float) -> list[dict]:
        """Seat types whose holders cannot supply their count when nobody exceeds q (and each
        employer gives at most max_per_org in expectation)."""
        errs = []
        n_orgs = len(problem.org_names)
        for panel, cand in zip(problem.panels, cands, strict=True):
            org = problem.org[cand.experts]
            for t_i, t in enumerate(cand.types):
                per_org = np.bincount(org[cand.qual[:, t_i]], minlength=n_orgs)
                supply = float(np.minimum(per_org * q, problem.max_per_org).sum())
                if supply + 1e-9 < t.count:
                    name = problem.specialties[t.specialty] if t.specialty >= 0 else None
                    holders = int(cand.qual[:, t_i].sum())
                    label = f"「{name}」" if name else "非定向席位"
                    errs.append(infeasible(
                        f"概率上限 q={q:g} 下，评审组 {panel.id} 的{label}需要 {t.count} 人，"
                        f"至少要 {int(np.ceil(t.count / q))} 名符合条件的专家，现有 {holders} 名",
                        f"with every probability at most q={q:g}, panel {panel.id} needs {t.count} "
                        f"{'in ' + name if name else 'open seat(s)'}, so at least "
                        f"{int(np.ceil(t.count / q))} eligible experts; it has {holders}",
                        panel=panel.id, specialty=name, needed=int(np.ceil(t.count / q)),
                        available=holders, q=q))
        return errs

    @staticmethod
    def _columns(problem: Problem, cands: list[PanelCandidates], q: float) -> list[np.ndarray]:
        """Best candidates per panel, grown by pricing until no left-out column could raise the
        LP: the same optimum as the full LP, at a fraction of its size."""
        width = int(np.ceil(4 / q))
        keep = []
        for p, c in zip(problem.panels, cands, strict=True):
            order = np.argsort(-c.affinity, kind="stable")
            rows = set(order[: width * p.size].tolist())
            for t_i, t in enumerate(c.types):
                rows.update(order[c.qual[order, t_i]][: width * t.count + width].tolist())
            keep.append(np.array(sorted(rows), dtype=np.int64))
        for _ in range(MAX_PRICING_ROUNDS):
            lp = build_and_solve(problem, cands, keep, q, problem.max_load)
            if not lp.optimal():
                return [np.arange(len(c.experts)) for c in cands]
            add = positive_reduced_costs(problem, cands, keep, lp, per_panel=4 * width)
            if all(a.size == 0 for a in add):
                return keep
            keep = [np.union1d(k, a) for k, a in zip(keep, add, strict=True)]
        return [np.arange(len(c.experts)) for c in cands]

    @staticmethod
    def _spread(problem: Problem, cands: list[PanelCandidates], lp: SeatLP) -> dict[tuple[int, int], int]:
        out: dict[tuple[int, int], int] = {}
        for j, (cand, cols) in enumerate(zip(cands, lp.cols, strict=True)):
            mass: dict[int, dict[int, float]] = {}
            rows_of: dict[int, set[int]] = {}
            for r, t, v in cols:
                g = v.solution_value()
                if g > 1e-9:
                    o = int(problem.org[cand.experts[r]])
                    mass.setdefault(o, {})
                    mass[o][t] = mass[o].get(t, 0.0) + g
                    rows_of.setdefault(o, set()).add(r)
            for o, by_t in mass.items():
                if len(by_t) > 1 and len(rows_of[o]) > problem.max_per_org:
                    out[(j, o)] = max(sorted(by_t), key=lambda t: by_t[t])
        return out

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
