"""Explain infeasibility as supply against demand, naming the panel and the short specialty.

For one panel the check is exact: by Rado's theorem (matching with a per-employer cap is a
matroid intersection), seats can be filled iff for every set of seat types the experts able to
fill any of them, counted at most ``max_per_org`` per employer, are at least the seats needed.
Across panels we check the necessary load conditions per specialty and overall; a solver that
still fails reports what it saw.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from .eligibility import OPEN, PanelCandidates, capped_supply
from .errors import infeasible
from .model import Panel, Problem

MAX_SUBSET_TYPES = 8  # beyond this only singletons and the whole panel are checked


def _names(problem: Problem, idx: list[int]) -> list[str]:
    return [problem.specialties[i] for i in idx]


def panel_errors(problem: Problem, panel: Panel, cand: PanelCandidates) -> list[dict[str, Any]]:
    n_orgs = len(problem.org_names)
    cap = problem.max_per_org
    org = problem.org[cand.experts]
    errs: list[dict[str, Any]] = []
    k = len(cand.types)
    subsets: list[tuple[int, ...]]
    if k <= MAX_SUBSET_TYPES:
        subsets = [s for r in range(1, k + 1) for s in combinations(range(k), r)]
    else:
        subsets = [(i,) for i in range(k)] + [tuple(range(k))]
    for sub in subsets:
        need = sum(cand.types[i].count for i in sub)
        holders = cand.qual[:, list(sub)].any(axis=1)
        have = capped_supply(org[holders], cap, n_orgs)
        if have >= need:
            continue
        quota = [cand.types[i].specialty for i in sub if cand.types[i].specialty != OPEN]
        if len(sub) == k and len(quota) < len(sub):
            accepted = sorted({*_names(problem, quota),
                               *(_names(problem, list(panel.accept)) if panel.accept is not None else [])})
            spec = accepted[0] if len(accepted) == 1 else None  # name it when the panel wants one
            errs.append(infeasible(
                f"评审组 {panel.id} 需要 {need} 名专家，回避和同单位限制后符合条件的仅 {have} 名",
                f"panel {panel.id} needs {need} members but only {have} experts are eligible after "
                f"conflicts and the per-employer cap",
                panel=panel.id, specialty=spec, needed=need, available=have, accept=accepted))
        elif len(quota) == len(sub):
            names = _names(problem, quota)
            supplies = [capped_supply(org[cand.qual[:, i]], cap, n_orgs) for i in sub]
            short = names[int(np.argmin(supplies))]
            label = "、".join(names)
            errs.append(infeasible(
                f"评审组 {panel.id} 需要 {need} 名「{label}」专业专家，符合条件的仅 {have} 名",
                f"panel {panel.id} needs {need} experts in {' + '.join(names)} but only {have} are "
                f"eligible",
                panel=panel.id, specialty=short, needed=need, available=have, specialties=names))
        else:
            errs.append(infeasible(
                f"评审组 {panel.id} 的非定向席位需要 {need} 名专家，符合条件的仅 {have} 名",
                f"panel {panel.id}: its open seats need {need} experts but only {have} are eligible",
                panel=panel.id, specialty=None, needed=need, available=have))
        break  # the first (smallest) violated set is the clearest explanation
    if not errs:
        need = panel.size + panel.alternates
        have = capped_supply(org, cap, n_orgs)
        if have < need:
            errs.append(infeasible(
                f"评审组 {panel.id} 需要 {panel.size} 名成员和 {panel.alternates} 名候补，"
                f"符合条件的专家仅 {have} 名",
                f"panel {panel.id} needs {panel.size} members and {panel.alternates} alternates but "
                f"only {have} experts are eligible",
                panel=panel.id, specialty=None, needed=need, available=have))
    return errs


def load_errors(problem: Problem, cands: list[PanelCandidates]) -> list[dict[str, Any]]:
    """Necessary conditions across panels: seats per specialty against the experts' max_load."""
    n = problem.n_experts
    errs: list[dict[str, Any]] = []
    reach = np.zeros(n, dtype=np.int64)
    for c in cands:
        reach[c.experts] += 1
    need = sum(p.size for p in problem.panels)
    have = int(np.minimum(problem.max_load, reach).sum())
    if need > have:
        errs.append(infeasible(
            f"所有评审组共需 {need} 个席位，专家的最大参评次数合计仅 {have}",
            f"the panels need {need} seats in total but the experts' max_load adds up to only {have}",
            needed=need, available=have))
    demand: dict[int, int] = {}
    reach_s: dict[int, np.ndarray] = {}
    for c in cands:
        for t_i, t in enumerate(c.types):
            if t.specialty == OPEN:
                continue
            demand[t.specialty] = demand.get(t.specialty, 0) + t.count
            r = reach_s.setdefault(t.specialty, np.zeros(n, dtype=np.int64))
            r[c.experts[c.qual[:, t_i]]] += 1
    for s in sorted(demand, key=lambda s: problem.specialties[s]):
        have_s = int(np.minimum(problem.max_load, reach_s[s]).sum())
        if demand[s] > have_s:
            name = problem.specialties[s]
            errs.append(infeasible(
                f"各评审组共需 {demand[s]} 名「{name}」专业专家，该专业可用参评次数合计仅 {have_s}",
                f"the panels need {demand[s]} experts in {name} but those experts' max_load adds up "
                f"to only {have_s}",
                specialty=name, needed=demand[s], available=have_s))
    return errs


def precheck(problem: Problem, cands: list[PanelCandidates]) -> list[dict[str, Any]]:
    errs: list[dict[str, Any]] = []
    for p, c in zip(problem.panels, cands, strict=True):
        errs.extend(panel_errors(problem, p, c))
    if not errs:
        errs.extend(load_errors(problem, cands))
    return errs


def solver_failed(problem: Problem, mode: str, needed: int, available: int) -> dict[str, Any]:
    return infeasible(
        f"各项条件单独满足，但无法同时满足（{mode}）：请增加专家、提高 max_load 或放宽限制",
        f"each rule can be met alone but not all together ({mode}): add experts, raise max_load "
        f"or relax the panel rules",
        needed=needed, available=available)
