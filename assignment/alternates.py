"""候补 — ordered alternates, drawn after every member seat of the call is decided.

An alternate must be able to take any member's seat without breaking a hard rule, so it is
eligible for the panel (回避, employer, region, availability, specialty of some seat), not a
member of it, still has spare load after all members are placed, and members plus alternates
together respect ``max_per_org``. They are drawn like members: a seeded permutation walked
in order, so the list order is the order of substitution (按先后顺序递补).
"""

from __future__ import annotations

import numpy as np

from .eligibility import PanelCandidates
from .errors import AssignmentError, infeasible
from .model import Problem


def draw_alternates(
    problem: Problem, cands: list[PanelCandidates], members: list[np.ndarray], rng: np.random.Generator
) -> list[np.ndarray]:
    load = np.zeros(problem.n_experts, dtype=np.int64)
    for m in members:
        load[m] += 1
    spare = load < problem.max_load
    n_orgs = len(problem.org_names)
    out: list[np.ndarray] = []
    errors = []
    for panel, cand, mem in zip(problem.panels, cands, members, strict=True):
        if panel.alternates == 0:
            out.append(np.zeros(0, dtype=np.int64))
            continue
        org_room = np.full(n_orgs, problem.max_per_org, dtype=np.int64)
        np.subtract.at(org_room, problem.org[mem], 1)
        pool = cand.experts[spare[cand.experts] & ~np.isin(cand.experts, mem)]
        picked: list[int] = []
        for e in rng.permutation(pool):
            if len(picked) == panel.alternates:
                break
            o = problem.org[e]
            if org_room[o] > 0:
                org_room[o] -= 1
                picked.append(int(e))
        if len(picked) < panel.alternates:
            errors.append(infeasible(
                f"评审组 {panel.id} 需要 {panel.alternates} 名候补，成员之外符合条件且仍有余量的专家仅 "
                f"{len(picked)} 名",
                f"panel {panel.id} needs {panel.alternates} alternates but only {len(picked)} eligible "
                f"experts with spare load remain besides its members",
                panel=panel.id, specialty=None, needed=panel.alternates, available=len(picked)))
        out.append(np.array(picked, dtype=np.int64))
    if errors:
        raise AssignmentError(errors)
    return out
