"""Can one panel's remaining seats still be filled? Used as look-ahead while drawing.

A cheap sufficient test first: if every seat type still has at least as many pickable experts
(counted at most the remaining per-employer cap) as there are seats left in total, any pick
keeps the panel fillable, because one pick lowers each type's supply by at most one. Only when
that fails (a tight pool) do we run an exact max-flow: type → expert → employer.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow


def fillable(
    needs: np.ndarray, qual: np.ndarray, pool: np.ndarray, org: np.ndarray, org_room: np.ndarray
) -> bool:
    """``needs[t]`` seats of type t; ``qual`` candidates × types; ``pool`` pickable candidates;
    ``org`` candidate org codes; ``org_room[o]`` how many more members org o may still have."""
    total = int(needs.sum())
    if total == 0:
        return True
    n_orgs = len(org_room)
    fast = True
    for t in np.flatnonzero(needs > 0):
        sel = pool & qual[:, t]
        supply = int(np.minimum(np.bincount(org[sel], minlength=n_orgs), org_room).sum())
        if supply < needs[t]:
            return False
        if supply < total:
            fast = False
    if fast:
        return True
    return _max_flow(needs, qual, pool, org, org_room) == total


def _max_flow(
    needs: np.ndarray, qual: np.ndarray, pool: np.ndarray, org: np.ndarray, org_room: np.ndarray
) -> int:
    idx = np.flatnonzero(pool)
    n_t = len(needs)
    orgs, org_local = np.unique(org[idx], return_inverse=True)
    source, sink = 0, 1
    t_node = 2 + np.arange(n_t)
    e_node = 2 + n_t + np.arange(len(idx))
    o_node = 2 + n_t + len(idx) + np.arange(len(orgs))
    tt, ee = np.nonzero(qual[idx].T)
    tails = np.concatenate([np.full(n_t, source), t_node[tt], e_node, o_node])
    heads = np.concatenate([t_node, e_node[ee], o_node[org_local], np.full(len(orgs), sink)])
    caps = np.concatenate([needs, np.ones(len(tt) + len(idx), dtype=np.int64), org_room[orgs]])
    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64))
    if smf.solve(source, sink) != smf.OPTIMAL:  # pragma: no cover - OR-Tools contract
        return -1
    return int(smf.optimal_flow())
