"""The seat LP shared by ``randomized`` (its fractional assignment) and ``balanced`` (its bound).

Variables g[panel, candidate, seat type] in [0, ub]; rows: every seat type filled exactly,
each candidate at most ``ub`` per panel, at most ``max_per_org`` per employer and panel, each
expert at most its load cap. Rows that cannot bind for the kept candidates are left out.
Solved with OR-Tools GLOP (deterministic simplex).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from .eligibility import PanelCandidates
from .model import Problem


@dataclass
class SeatLP:
    solver: pywraplp.Solver
    # per panel: list of (local row, type, variable)
    cols: list[list[tuple[int, int, pywraplp.Variable]]] = field(default_factory=list)
    type_rows: list[list[pywraplp.Constraint]] = field(default_factory=list)
    org_rows: list[dict[int, pywraplp.Constraint]] = field(default_factory=list)
    load_rows: dict[int, pywraplp.Constraint] = field(default_factory=dict)
    # per panel and seat type: the shortfall variable when built with ``shortage=True``
    slack: list[list[pywraplp.Variable]] = field(default_factory=list)
    load_cap: np.ndarray | None = None  # pricing never offers an expert with no load left
    status: int = -1

    @property
    def value(self) -> float:
        return float(self.solver.Objective().Value())

    def optimal(self) -> bool:
        return self.status == pywraplp.Solver.OPTIMAL


def build_and_solve(
    problem: Problem, cands: list[PanelCandidates], keep: list[np.ndarray], ub: float, load_cap: np.ndarray,
    only_type: dict[tuple[int, int], int] | None = None, shortage: bool = False,
    gain: list[np.ndarray] | None = None,
) -> SeatLP:
    """``only_type[(panel, org)] = t`` restricts that employer's candidates to seat type t.

    With ``shortage`` every seat type gets a shortfall variable and the LP minimises the total
    shortfall instead of maximising match (phase 1): its value is 0 exactly when the LP
    relaxation is feasible, and a positive value proves the integer problem infeasible.
    ``gain`` (per panel, per candidate) replaces the specialty match as the objective."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if gain is not None:
        # The balanced/best_match LP (match + tie-break) is highly degenerate under tight loads;
        # dual simplex solves it 1.4-3x faster in the benchmarks. Other callers keep the
        # default, so randomized targets stay exactly as published.
        solver.SetSolverSpecificParametersAsString("use_dual_simplex:true")
    lp = SeatLP(solver=solver, load_cap=load_cap)
    objective = solver.Objective()
    cap = problem.max_per_org
    by_expert: dict[int, list[pywraplp.Variable]] = {}
    panels_of: dict[int, int] = {}
    only_type = only_type or {}
    for j, (cand, rows) in enumerate(zip(cands, keep, strict=True)):
        cols: list[tuple[int, int, pywraplp.Variable]] = []
        type_rows = [solver.Constraint(t.count, t.count) for t in cand.types]
        if shortage:
            slack = [solver.NumVar(0, t.count, "") for t in cand.types]
            for row, v in zip(type_rows, slack, strict=True):
                row.SetCoefficient(v, 1)
                objective.SetCoefficient(v, -1.0)
            lp.slack.append(slack)
        org = problem.org[cand.experts[rows]]
        counts = np.bincount(org) if org.size else np.zeros(0, dtype=np.int64)
        org_rows: dict[int, pywraplp.Constraint] = {}
        for o in np.flatnonzero(counts * ub > cap).tolist():
            org_rows[o] = solver.Constraint(0, cap)
        for r, o in zip(rows.tolist(), org.tolist(), strict=True):
            ts = np.flatnonzero(cand.qual[r]).tolist()
            if (j, o) in only_type:
                ts = [t for t in ts if t == only_type[(j, o)]]
            pair = solver.Constraint(0, ub) if len(ts) > 1 else None
            org_row = org_rows.get(o)
            e = int(cand.experts[r])
            panels_of[e] = panels_of.get(e, 0) + 1
            for t in ts:
                v = solver.NumVar(0, ub, "")
                cols.append((r, t, v))
                type_rows[t].SetCoefficient(v, 1)
                if not shortage:
                    objective.SetCoefficient(v, float(cand.affinity[r] if gain is None else gain[j][r]))
                if pair is not None:
                    pair.SetCoefficient(v, 1)
                if org_row is not None:
                    org_row.SetCoefficient(v, 1)
                by_expert.setdefault(e, []).append(v)
        lp.cols.append(cols)
        lp.type_rows.append(type_rows)
        lp.org_rows.append(org_rows)
    for e, vs in by_expert.items():
        if panels_of[e] * ub > load_cap[e]:  # a row only where it can bind
            row = solver.Constraint(0, float(load_cap[e]))
            for v in vs:
                row.SetCoefficient(v, 1)
            lp.load_rows[e] = row
    objective.SetMaximization()
    lp.status = solver.Solve()
    return lp


def positive_reduced_costs(
    problem: Problem, cands: list[PanelCandidates], keep: list[np.ndarray], lp: SeatLP, per_panel: int,
    shortage: bool = False, gain: list[np.ndarray] | None = None, best: list[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Per panel, up to ``per_panel`` left-out candidates whose column could raise the LP value.

    Reduced cost of g[p, e, t] = match(e, p) − π[p, t] − σ[p, org(e)] − μ[e], with absent rows
    at dual 0. If no left-out column is positive, the kept LP is optimal for every candidate.
    ``best``, when given, receives each panel's positive reduced costs (best per left-out
    candidate over its seat types), largest first: the room a Lagrangian bound must leave.
    """
    mu = np.zeros(problem.n_experts)
    for e, row in lp.load_rows.items():
        mu[e] = row.dual_value()
    out: list[np.ndarray] = []
    for j, (cand, rows) in enumerate(zip(cands, keep, strict=True)):
        left = np.ones(len(cand.experts), dtype=bool) if lp.load_cap is None else lp.load_cap[cand.experts] > 0
        left[rows] = False
        idx = np.flatnonzero(left)
        if idx.size == 0:
            out.append(idx)
            if best is not None:
                best.append(np.zeros(0))
            continue
        pi = np.array([r.dual_value() for r in lp.type_rows[j]])
        best_pi = np.where(cand.qual[idx], pi[None, :], np.inf).min(axis=1)
        org = problem.org[cand.experts[idx]]
        sigma = np.zeros(idx.size)
        for o, row in lp.org_rows[j].items():
            sigma[org == o] = row.dual_value()
        value = 0.0 if shortage else (cand.affinity[idx] if gain is None else gain[j][idx])
        rc = value - best_pi - sigma - mu[cand.experts[idx]]
        pos = np.flatnonzero(rc > 1e-7)
        if best is not None:
            best.append(-np.sort(-rc[pos]))
        out.append(idx[pos[np.argsort(-rc[pos], kind="stable")[:per_panel]]])
    return out


def shortage_lp(
    problem: Problem, cands: list[PanelCandidates], keep: list[np.ndarray], load_cap: np.ndarray,
    per_panel: int = 64, rounds: int = 40,
) -> tuple[SeatLP, list[np.ndarray], bool]:
    """Phase 1 by column generation over every eligible pair: the least total shortfall of the
    LP relaxation under ``load_cap``. Returns the LP, the columns it ended with, and whether
    pricing converged (only then is a positive shortfall a proof over the unpruned problem:
    a restricted LP can only be short by more, never by less)."""
    for _ in range(rounds):
        lp = build_and_solve(problem, cands, keep, 1.0, load_cap, shortage=True)
        if -lp.value < 1e-7:
            return lp, keep, True
        add = positive_reduced_costs(problem, cands, keep, lp, per_panel=per_panel, shortage=True)
        if all(a.size == 0 for a in add):
            return lp, keep, True
        keep = [np.union1d(k, a) for k, a in zip(keep, add, strict=True)]
    return lp, keep, False
