"""``draw`` — 随机抽取: panels drawn at random among eligible experts, in input order.

Each seat type is filled by walking a fresh seeded permutation of its eligible experts and
taking the first ones the per-employer cap (and the look-ahead) allows. The first allowed
expert of a uniform permutation is uniform among the allowed ones, so for a panel whose seats
all accept the same experts every eligible expert has chance k/N (when the employer cap does
not bind), and quotas are filled quota by quota, each uniformly among the experts left.
Required specialties go scarcest first so a common specialty does not use up a rare holder.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..diagnose import panel_errors
from ..eligibility import OPEN, PanelCandidates, capped_supply
from ..errors import AssignmentError, infeasible
from ..feasibility import fillable
from ..model import Problem
from .base import Assignment, Progress


class DrawSolver:
    name = "draw"

    def solve(
        self, problem: Problem, cands: list[PanelCandidates], rng: np.random.Generator, progress: Progress
    ) -> Assignment:
        load_left = problem.max_load.copy()
        members: list[np.ndarray] = []
        for j, cand in enumerate(cands):
            chosen = self._panel(problem, j, cand, load_left, rng)
            load_left[chosen] -= 1
            members.append(chosen)
        objective = float(sum(int(c.affinity[np.searchsorted(c.experts, m)].sum())
                              for c, m in zip(cands, members, strict=True)))
        return Assignment(members=members, objective=objective)

    def _panel(
        self, problem: Problem, j: int, cand: PanelCandidates, load_left: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        picked, t, missing, pool, org_room = fill_panel(problem, cand, load_left, problem.panels[j].alternates,
                                                        rng.permutation)
        if missing:
            raise AssignmentError(self._short(problem, j, cand, t, missing, pool, org_room))
        return picked

    def _short(
        self, problem: Problem, j: int, cand: PanelCandidates, t: int, missing: int,
        pool: np.ndarray, org_room: np.ndarray,
    ) -> list[dict]:
        panel = problem.panels[j]
        # When the pool alone explains it (e.g. a single panel), the exact diagnosis is best.
        errs = panel_errors(problem, panel, cand)
        if errs:
            return errs
        spec = cand.types[t].specialty
        name = problem.specialties[spec] if spec != OPEN else None
        org = problem.org[cand.experts]
        left = int(np.minimum(np.bincount(org[pool & cand.qual[:, t]], minlength=len(org_room)),
                              org_room).sum())
        label = f"「{name}」专业" if name else ""
        return [infeasible(
            f"按顺序抽取时，前面的评审组已用完可用专家：评审组 {panel.id} 还缺 {missing} 名{label}专家，"
            f"剩余符合条件的仅 {left} 名；可改用 balanced 模式统筹分配",
            f"drawing in input order, earlier panels used up the experts: panel {panel.id} still "
            f"needs {missing} expert(s){' in ' + name if name else ''} and only {left} eligible remain; "
            f"the balanced mode plans all panels together",
            panel=panel.id, specialty=name, needed=cand.types[t].count,
            available=cand.types[t].count - missing + left)]


def fill_panel(
    problem: Problem, cand: PanelCandidates, load_left: np.ndarray, alternates: int,
    walk: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, int, int, np.ndarray, np.ndarray]:
    """Fill one panel seat type by seat type, walking each type's candidates in ``walk`` order
    (a seeded permutation for ``draw``, best match first for the greedy warm start), with the
    per-employer cap and the look-ahead. Returns (members, failed type, seats missing, pool,
    org room); ``missing`` is 0 when the panel is full."""
    n_orgs = len(problem.org_names)
    org = problem.org[cand.experts]
    pool = load_left[cand.experts] > 0
    org_room = np.full(n_orgs, problem.max_per_org, dtype=np.int64)
    # Look-ahead also keeps room for this panel's alternates (qualified for any seat type).
    qual = np.column_stack([cand.qual, np.ones(len(cand.experts), dtype=bool)])
    needs = np.array([t.count for t in cand.types] + [alternates], dtype=np.int64)
    order = sorted(
        range(len(cand.types)),
        key=lambda t: (cand.types[t].specialty == OPEN,
                       capped_supply(org[pool & cand.qual[:, t]], problem.max_per_org, n_orgs), t),
    )
    picked: list[int] = []
    for t in order:
        candidates = np.flatnonzero(pool & cand.qual[:, t])
        for i in walk(candidates):
            if needs[t] == 0:
                break
            o = org[i]
            if org_room[o] == 0:
                continue
            pool[i] = False
            org_room[o] -= 1
            needs[t] -= 1
            if not fillable(needs, qual, pool, org, org_room):
                # This pick would strand a later seat; it stays unpickable for this type
                # (a smaller remainder cannot become fillable again), so skip it for good.
                pool[i] = True
                org_room[o] += 1
                needs[t] += 1
                continue
            picked.append(int(i))
        if needs[t] > 0:
            return cand.experts[np.array(picked, dtype=np.int64)], t, int(needs[t]), pool, org_room
    return cand.experts[np.array(picked, dtype=np.int64)], -1, 0, pool, org_room
