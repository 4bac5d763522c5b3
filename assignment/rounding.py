"""Dependent rounding of a fractional flow that keeps every arc's marginal exactly.

The fractional assignment is a circulation in a network whose node constraints form two
laminar families (Budish, Che, Kojima & Milgrom 2013; used by Jecmen et al. 2020):
expert side root → expert → (expert, panel) and panel side (panel, seat type, org) → (panel,
seat type). Repeatedly take a cycle of fractional arcs and push flow around it by +a or -b
with probabilities b/(a+b) and a/(a+b): the expected change of every arc is zero, conservation
holds at every node, and each step makes at least one arc integral. So every arc ends at the
floor or ceiling of its start value and each expert–panel arc is 1 with exactly its
fractional probability.
"""

from __future__ import annotations

import math

import numpy as np

EPS = 1e-9


def round_flow(
    tails: np.ndarray, heads: np.ndarray, values: np.ndarray, n_nodes: int, rng: np.random.Generator
) -> np.ndarray:
    """Return integral arc values with E[result] = ``values``; nodes keep their balance."""
    val = [float(v) for v in values]
    for a, v in enumerate(val):
        r = round(v)
        if abs(v - r) < 1e-7:  # LP tolerances: treat near-integers as integers
            val[a] = float(r)
    tail = tails.tolist()
    head = heads.tolist()
    adj: list[list[int]] = [[] for _ in range(n_nodes)]
    for a, v in enumerate(val):
        if v != math.floor(v):
            adj[tail[a]].append(a)
            adj[head[a]].append(a)
    floor_v = [math.floor(v) for v in val]
    rand = rng.random

    def fractional(a: int) -> bool:
        return val[a] != floor_v[a]

    def next_arc(v: int, came: int) -> int:
        """A fractional arc at ``v`` other than ``came``; drops integral arcs lazily."""
        lst = adj[v]
        i = len(lst) - 1
        while i >= 0:
            if i >= len(lst):
                i = len(lst) - 1
                continue
            a = lst[i]
            if not fractional(a):
                lst[i] = lst[-1]
                lst.pop()
                continue
            if a != came:
                return a
            i -= 1
        return -1

    for start in range(n_nodes):
        path_nodes: list[int] = [start]
        path_arcs: list[int] = []
        pos: dict[int, int] = {start: 0}
        while path_nodes:
            v = path_nodes[-1]
            came = path_arcs[-1] if path_arcs else -1
            a = next_arc(v, came)
            if a < 0:
                if came >= 0 and fractional(came):
                    # Only float error can leave a node with one fractional arc: snap it.
                    val[came] = float(round(val[came]))
                    floor_v[came] = math.floor(val[came])
                del pos[v]
                path_nodes.pop()
                if path_arcs:
                    path_arcs.pop()
                continue
            w = head[a] if tail[a] == v else tail[a]
            if w not in pos:
                pos[w] = len(path_nodes)
                path_nodes.append(w)
                path_arcs.append(a)
                continue
            # Cycle: arcs from position pos[w] to the end, plus a.
            k = pos[w]
            cyc_nodes = path_nodes[k:]
            cyc_arcs = [*path_arcs[k:], a]
            up = math.inf  # largest push in the walking direction
            down = math.inf  # largest push against it
            signs = []
            for i, arc in enumerate(cyc_arcs):
                u = cyc_nodes[i]
                fwd = tail[arc] == u
                signs.append(fwd)
                lo = floor_v[arc]
                room_up = lo + 1 - val[arc]
                room_down = val[arc] - lo
                if fwd:
                    up = min(up, room_up)
                    down = min(down, room_down)
                else:
                    up = min(up, room_down)
                    down = min(down, room_up)
            delta = up if rand() * (up + down) < down else -down
            for arc, fwd in zip(cyc_arcs, signs, strict=True):
                nv = val[arc] + (delta if fwd else -delta)
                lo = floor_v[arc]
                if nv - lo < EPS:
                    nv = float(lo)
                elif lo + 1 - nv < EPS:
                    nv = float(lo + 1)
                val[arc] = nv
                floor_v[arc] = math.floor(nv)
            for node in path_nodes[k + 1:]:
                del pos[node]
            del path_nodes[k + 1:]
            del path_arcs[k:]
    return np.rint(np.array(val)).astype(np.int64)
