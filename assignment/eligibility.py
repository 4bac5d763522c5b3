"""Who may sit on which panel: the hard filters, built with vectorised NumPy calls.

One boolean mask over all experts per panel (never a dense model of all pairs): 回避 conflicts,
excluded employers, regions, availability and specialty, then the panel keeps only the index
list of its candidates. Everything downstream works on these pruned lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Panel, Problem

OPEN = -1  # seat-type marker for the open (non-quota) seats


@dataclass
class SeatType:
    specialty: int  # specialty index, or OPEN
    count: int


@dataclass
class PanelCandidates:
    """Candidates of one panel: expert indices, which seat types each can fill, affinity."""

    experts: np.ndarray  # int64, ascending expert indices
    types: list[SeatType]  # quota types first (input order), then OPEN; only count > 0
    qual: np.ndarray  # bool len(experts) × len(types)
    affinity: np.ndarray  # int64 specialty-match score per candidate


def seat_types(panel: Panel) -> list[SeatType]:
    types = [SeatType(s, c) for s, c in panel.require if c > 0]
    open_count = panel.size - panel.required_total
    if open_count > 0:
        types.append(SeatType(OPEN, open_count))
    return types


def affinity(problem: Problem, panel: Panel, experts: np.ndarray) -> np.ndarray:
    """Specialty match: 2 per required specialty held, 1 per other accepted specialty held.

    Required specialties are the core of the review, so holding one counts double; this is
    the quality the balanced and randomized modes maximise and every mode reports.
    """
    has = problem.has[experts]
    req = np.array(sorted({s for s, _ in panel.require}), dtype=np.int64)
    score = 2 * has[:, req].sum(axis=1) if req.size else np.zeros(len(experts), dtype=np.int64)
    if panel.accept is not None:
        extra = np.setdiff1d(panel.accept, req)
        if extra.size:
            score = score + has[:, extra].sum(axis=1)
    return score.astype(np.int64)


def base_mask(problem: Problem) -> np.ndarray:
    """Experts who can sit anywhere at all: available and with a positive max_load."""
    return problem.available & (problem.max_load >= 1)


def panel_candidates(problem: Problem, panel: Panel, base: np.ndarray | None = None) -> PanelCandidates:
    mask = base_mask(problem) if base is None else base.copy()
    if panel.exclude_orgs.size:
        excluded = np.zeros(len(problem.org_names), dtype=bool)
        excluded[panel.exclude_orgs] = True
        mask &= ~excluded[problem.org]
    if panel.regions is not None:
        # Region codes start at 0; -1 (no region given) never matches a panel that names regions.
        ok = np.zeros(int(max(panel.regions.max(), problem.region.max(initial=-1))) + 2, dtype=bool)
        ok[panel.regions + 1] = True
        mask &= ok[problem.region + 1]
    if panel.conflicts.size:
        mask[panel.conflicts] = False
    types = seat_types(panel)
    cols = []
    for t in types:
        if t.specialty != OPEN:
            cols.append(problem.has[:, t.specialty])
        elif panel.accept is None:
            cols.append(np.ones(problem.n_experts, dtype=bool))
        else:
            cols.append(problem.has[:, panel.accept].any(axis=1))
    qual_all = np.column_stack(cols) if cols else np.zeros((problem.n_experts, 0), dtype=bool)
    mask &= qual_all.any(axis=1)
    experts = np.flatnonzero(mask)
    return PanelCandidates(
        experts=experts, types=types, qual=qual_all[experts], affinity=affinity(problem, panel, experts)
    )


def all_candidates(problem: Problem) -> list[PanelCandidates]:
    base = base_mask(problem)
    return [panel_candidates(problem, p, base) for p in problem.panels]


def capped_supply(org: np.ndarray, cap: int | np.ndarray, n_orgs: int) -> int:
    """How many experts can be picked from ``org`` codes with at most ``cap`` per org."""
    if org.size == 0:
        return 0
    counts = np.bincount(org, minlength=n_orgs)
    return int(np.minimum(counts, cap).sum())
