"""Last line of defence: re-check every hard rule on a finished result before it is returned.

The solvers are built to respect the rules; this independent pass makes sure a bug can only
ever surface as an error, never as a panel with a conflicted or ineligible expert.
"""

from __future__ import annotations

import numpy as np

from .eligibility import PanelCandidates
from .feasibility import fillable
from .model import Problem


def violations(
    problem: Problem, cands: list[PanelCandidates], members: list[np.ndarray], alternates: list[np.ndarray]
) -> list[str]:
    out: list[str] = []
    load = np.zeros(problem.n_experts, dtype=np.int64)
    for panel, cand, mem, alt in zip(problem.panels, cands, members, alternates, strict=True):
        both = np.concatenate([mem, alt])
        if len(mem) != panel.size:
            out.append(f"panel {panel.id}: {len(mem)} members, size {panel.size}")
        if len(alt) != panel.alternates:
            out.append(f"panel {panel.id}: {len(alt)} alternates, wanted {panel.alternates}")
        if len(np.unique(both)) != len(both):
            out.append(f"panel {panel.id}: an expert appears twice")
        if not np.isin(both, cand.experts).all():
            out.append(f"panel {panel.id}: ineligible expert")
        if both.size and np.bincount(problem.org[both]).max() > problem.max_per_org:
            out.append(f"panel {panel.id}: max_per_org exceeded")
        # Quotas: the members must be assignable to the seats, each filling one seat.
        rows = np.searchsorted(cand.experts, mem)
        if np.isin(mem, cand.experts).all() and not fillable(
            np.array([t.count for t in cand.types], dtype=np.int64), cand.qual[rows],
            np.ones(len(mem), dtype=bool), np.zeros(len(mem), dtype=np.int64),
            np.array([len(mem)], dtype=np.int64),
        ):
            out.append(f"panel {panel.id}: seats cannot be matched to members (quota not met)")
        load[mem] += 1
    if (load > problem.max_load).any():
        out.append("max_load exceeded")
    for panel, alt in zip(problem.panels, alternates, strict=True):
        if (load[alt] >= problem.max_load[alt]).any():
            out.append(f"panel {panel.id}: alternate without spare load")
    return out
