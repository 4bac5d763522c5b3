"""缺口说明 — why a plan is infeasible, and which relaxation would make it feasible.

Computed, not guessed: the phase-1 seat LP (:func:`assignment.lp.shortage_lp`, column
generation over every eligible pair) gives the least total shortfall of the LP relaxation
under the experts' caps, and where it sits (panel, seat type, so specialty and region). A
positive shortfall proves the plan infeasible. Each relaxation — more load (higher caps), a
wider region, fewer quota seats, fewer alternates — is applied to a copy of the *input* and the
same LP is solved again; a relaxation whose shortfall drops to 0 is then solved for real with
the caller's mode and seed (when the instance is small enough) and marked ``verified``.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from .eligibility import OPEN, PanelCandidates, all_candidates
from .errors import AssignmentError
from .lp import shortage_lp
from .model import Problem, parse

MAX_RAISE = 5  # more load: try raising every cap by 1 … MAX_RAISE
VERIFY_MAX_PAIRS = 1_000_000  # solve relaxed inputs for real only up to this many eligible pairs
EPS = 1e-6


def shortfall(problem: Problem, cands: list[PanelCandidates]) -> tuple[float, list[dict[str, Any]], bool]:
    """(total LP shortfall, where it sits per panel and seat type, whether pricing converged)."""
    from .solvers.balanced import WIDTH, diverse_prune

    keep = [diverse_prune(problem, p.size, c, c.affinity, WIDTH) for p, c in zip(problem.panels, cands,
                                                                                 strict=True)]
    lp, _, converged = shortage_lp(problem, cands, keep, problem.max_load)
    where: list[dict[str, Any]] = []
    for panel, cand, slack in zip(problem.panels, cands, lp.slack, strict=True):
        for t, v in zip(cand.types, slack, strict=True):
            short = v.solution_value()
            if short > EPS:
                where.append({"panel": panel.id,
                              "specialty": problem.specialties[t.specialty] if t.specialty != OPEN else None,
                              "quota": t.specialty != OPEN, "seats": t.count,
                              "regions": _region_names(problem, panel.regions),
                              "short": round(short, 6)})
    return max(-lp.value, 0.0), where, converged


def _region_names(problem: Problem, codes: np.ndarray | None) -> list[str] | None:
    if codes is None:
        return None
    return [problem.region_names[c] for c in codes.tolist()]


def _lp_short(data: dict[str, Any]) -> float | None:
    try:
        problem = parse(data)
    except AssignmentError:
        return None
    # A restricted LP is never short by less than the full one: 0 here is 0 for the full LP.
    return shortfall(problem, all_candidates(problem))[0]


def explain(data: dict[str, Any], problem: Problem, cands: list[PanelCandidates], errors: list[dict[str, Any]],
            seed: int) -> dict[str, Any]:
    total, where, converged = shortfall(problem, cands)
    out: dict[str, Any] = {
        "method": "lp_shortfall",
        "lp_shortfall": round(total, 6),
        "proven": bool(total > EPS and converged),
        "shortages": where,
        "by_specialty": _by_specialty(problem, cands, where),
        "by_region": _by_region(problem, cands, where),
        "relaxations": [],
    }
    pairs = sum(len(c.experts) for c in cands)
    relax: list[dict[str, Any]] = []
    if total > EPS:
        relax.extend(_more_load(data, problem))
        relax.extend(_wider_region(data, problem, where))
        relax.extend(_fewer_quota_seats(data, where))
    relax.extend(_fewer_alternates(data, errors))
    for r in relax:
        r["verified"] = False
        if r["feasible"] and pairs <= VERIFY_MAX_PAIRS:
            r["verified"] = _solves(r.pop("_data"), seed)
        r.pop("_data", None)
    out["relaxations"] = relax
    return out


def _solves(data: dict[str, Any], seed: int) -> bool:
    from .core import solve

    try:
        solve(data, seed, explain_infeasible=False)
    except AssignmentError:
        return False
    return True


def _isolated(problem: Problem, cands: list[PanelCandidates], select: Any) -> float:
    """LP shortfall of only the seat types ``select(panel index, type index)`` picks, every other
    seat left out: how short that specialty or region is on its own (a lower bound on its part
    of the joint shortfall)."""
    from .solvers.balanced import WIDTH, diverse_prune

    sub: list[PanelCandidates] = []
    keep: list[np.ndarray] = []
    for j, cand in enumerate(cands):
        cols = [t_i for t_i in range(len(cand.types)) if select(j, t_i)]
        qual = cand.qual[:, cols]
        rows = np.flatnonzero(qual.any(axis=1)) if cols else np.zeros(0, dtype=np.int64)
        c = PanelCandidates(experts=cand.experts[rows], types=[cand.types[t] for t in cols], qual=qual[rows],
                            affinity=cand.affinity[rows])
        sub.append(c)
        size = sum(t.count for t in c.types)
        keep.append(diverse_prune(problem, max(size, 1), c, c.affinity, WIDTH) if size else rows[:0])
    lp, _, _ = shortage_lp(problem, sub, keep, problem.max_load)
    return max(-lp.value, 0.0)


def _by_specialty(problem: Problem, cands: list[PanelCandidates], where: list[dict[str, Any]]) -> list[dict]:
    """Each specialty whose quota seats are short on their own: demand, the capacity of the
    eligible holders, and how many seats stay empty even with every other seat ignored."""
    names = sorted({w["specialty"] for w in where if w["quota"]})
    out = []
    for name in names:
        s = problem.specialties.index(name)
        demand = 0
        holders: set[int] = set()
        for cand in cands:
            for t_i, t in enumerate(cand.types):
                if t.specialty == s:
                    demand += t.count
                    holders.update(cand.experts[cand.qual[:, t_i]].tolist())
        alone = _isolated(problem, cands, lambda j, t_i, s=s: cands[j].types[t_i].specialty == s)
        joint = sum(w["short"] for w in where if w["quota"] and w["specialty"] == name)
        if alone <= EPS:
            continue  # short only in combination (e.g. inside a scarce region): see by_region
        out.append({"specialty": name, "demand": demand,
                    "supply": int(problem.max_load[np.array(sorted(holders), dtype=np.int64)].sum()),
                    "short": math.ceil(alone - EPS), "short_in_joint_plan": round(joint, 6)})
    return out


def _by_region(problem: Problem, cands: list[PanelCandidates], where: list[dict[str, Any]]) -> list[dict]:
    """Each group of panels limited to the same regions, when short: its seats against the
    capacity of the experts it may use, and its shortfall on its own."""
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    members: dict[tuple[str, ...], list[int]] = {}
    for j, (panel, cand) in enumerate(zip(problem.panels, cands, strict=True)):
        if panel.regions is None:
            continue
        key = tuple(_region_names(problem, panel.regions) or [])
        g = groups.setdefault(key, {"regions": list(key), "panels": 0, "demand": 0, "experts": set()})
        g["panels"] += 1
        g["demand"] += panel.size
        g["experts"].update(cand.experts.tolist())
        members.setdefault(key, []).append(j)
    short_keys = {tuple(w["regions"]) for w in where if w["regions"] is not None}
    out = []
    for key in sorted(short_keys):
        g = groups[key]
        ex = np.array(sorted(g.pop("experts")), dtype=np.int64)
        inside = set(members[key])
        alone = _isolated(problem, cands, lambda j, t_i, inside=inside: j in inside)
        joint = sum(w["short"] for w in where if w["regions"] is not None and tuple(w["regions"]) == key)
        out.append({**g, "supply": int(problem.max_load[ex].sum()), "short": math.ceil(alone - EPS),
                    "short_in_joint_plan": round(joint, 6)})
    return out


def _more_load(data: dict[str, Any], problem: Problem) -> list[dict[str, Any]]:
    """Raise every cap that exists (each expert's max_load, load_cap, yearly_cap) by 1, 2, …"""
    rules = data.get("rules") or {}
    for k in range(1, MAX_RAISE + 1):
        relaxed = copy.deepcopy(data)
        r = relaxed["rules"] = relaxed.get("rules") or {}
        for key in ("load_cap", "yearly_cap"):
            if rules.get(key) is not None:
                r[key] = rules[key] + k
        for e in relaxed["experts"]:
            if isinstance(e, dict):
                e["max_load"] = (e.get("max_load") if e.get("max_load") is not None else 1) + k
        after = _lp_short(relaxed)
        if after is not None and after <= EPS:
            changes = {key: [rules[key], rules[key] + k] for key in ("load_cap", "yearly_cap")
                       if rules.get(key) is not None}
            return [{"kind": "more_load", "raise_by": k, "changes": changes, "shortfall_after": 0.0,
                     "feasible": True, "_data": relaxed,
                     "message": f"每位专家的参评次数上限提高 {k} 次（max_load"
                                f"{'、' + '、'.join(changes) if changes else ''}）即可满足 / raise every "
                                f"expert's cap by {k} (max_load{', ' + ', '.join(changes) if changes else ''})"}]
    return [{"kind": "more_load", "raise_by": MAX_RAISE, "shortfall_after": round(after or 0.0, 6),
             "feasible": False, "message": f"参评次数上限提高 {MAX_RAISE} 次仍不足 / raising every cap by "
                                           f"{MAX_RAISE} is not enough"}]


def _wider_region(data: dict[str, Any], problem: Problem, where: list[dict[str, Any]]) -> list[dict[str, Any]]:
    panels = sorted({w["panel"] for w in where if w["regions"] is not None}, key=repr)
    if not panels:
        return []
    relaxed = copy.deepcopy(data)
    ids = set(panels)
    for p in relaxed["panels"]:
        if p.get("id") in ids:
            p.pop("regions", None)
    after = _lp_short(relaxed)
    ok = after is not None and after <= EPS
    return [{"kind": "wider_region", "panels": panels, "shortfall_after": round(after or 0.0, 6), "feasible": ok,
             "_data": relaxed,
             "message": (f"评审组 {'、'.join(map(str, panels))} 不限地区{'即可满足' if ok else '仍不足'} / "
                         f"panels {', '.join(map(str, panels))} open to every region: "
                         f"{'feasible' if ok else 'still short'}")}]


def _fewer_quota_seats(data: dict[str, Any], where: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn the short quota seats into open seats (the panel keeps its size)."""
    cut: dict[tuple[Any, str], int] = {}
    for w in where:
        if w["quota"]:
            key = (w["panel"], w["specialty"])
            cut[key] = cut.get(key, 0) + math.ceil(w["short"] - EPS)
    if not cut:
        return []
    relaxed = copy.deepcopy(data)
    changes = []
    for p in relaxed["panels"]:
        req = p.get("require") or {}
        for s in list(req):
            k = cut.get((p.get("id"), s))
            if k:
                changes.append({"panel": p["id"], "specialty": s, "from": req[s], "to": max(req[s] - k, 0)})
                req[s] = max(req[s] - k, 0)
                # The freed seats stay on the panel as open seats that accept the same specialties.
                p["accept"] = sorted(set(p.get("accept") or []) | set(req))
    after = _lp_short(relaxed)
    ok = after is not None and after <= EPS
    text = "；".join(f"评审组 {c['panel']}「{c['specialty']}」{c['from']}→{c['to']}" for c in changes)
    return [{"kind": "fewer_quota_seats", "changes": changes, "shortfall_after": round(after or 0.0, 6),
             "feasible": ok, "_data": relaxed,
             "message": f"减少定向席位：{text}{'即可满足' if ok else '仍不足'} / fewer quota seats "
                        f"({len(changes)} change(s)): {'feasible' if ok else 'still short'}"}]


def _fewer_alternates(data: dict[str, Any], errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Panels short of 候补 only: as many alternates as the eligible experts left allow."""
    short = {e["panel"]: e for e in errors if "候补" in str(e.get("message", "")) and e.get("panel") is not None}
    if not short:
        return []
    relaxed = copy.deepcopy(data)
    changes = []
    for p in relaxed["panels"]:
        e = short.get(p.get("id"))
        if e is None:
            continue
        wanted = p.get("alternates", 2) if p.get("alternates") is not None else 2
        # Either "size + alternates needed, N eligible" (pool check) or "alternates needed, N left".
        room = e["available"] - p["size"] if e["needed"] > wanted else e["available"]
        changes.append({"panel": p["id"], "from": wanted, "to": max(min(room, wanted), 0)})
        p["alternates"] = changes[-1]["to"]
    return [{"kind": "fewer_alternates", "changes": changes, "feasible": True, "_data": relaxed,
             "message": "减少候补人数：" + "；".join(f"评审组 {c['panel']} {c['from']}→{c['to']}" for c in changes)
                        + " / fewer alternates: " + "; ".join(f"panel {c['panel']} {c['from']}→{c['to']}"
                                                             for c in changes)}]
