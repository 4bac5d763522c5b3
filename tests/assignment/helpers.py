"""An independent referee for results: re-checks every hard rule from the raw JSON input.

Written without the library's internals, so a bug shared by solver and library check cannot
hide from the tests.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def _seats(panel: dict[str, Any]) -> list[set[str] | None]:
    """One entry per seat: the set of specialties it accepts (None = anyone)."""
    req = panel.get("require") or {}
    accept = panel.get("accept") or list(req)
    seats: list[set[str] | None] = []
    for s, c in req.items():
        seats.extend({s} for _ in range(c))
    open_seat = set(accept) if accept else None
    seats.extend(open_seat for _ in range(panel["size"] - sum(req.values())))
    return seats


def _fits(expert: dict[str, Any], seat: set[str] | None) -> bool:
    return seat is None or bool(seat & set(expert.get("specialties", [])))


def _matchable(members: list[dict[str, Any]], seats: list[set[str] | None]) -> bool:
    """Kuhn's augmenting paths: can every member take a different seat it fits?"""
    owner: dict[int, int] = {}

    def augment(m: int, seen: set[int]) -> bool:
        for s, seat in enumerate(seats):
            if s in seen or not _fits(members[m], seat):
                continue
            seen.add(s)
            if s not in owner or augment(owner[s], seen):
                owner[s] = m
                return True
        return False

    return all(augment(m, set()) for m in range(len(members)))


def capacity(expert: dict[str, Any], rules: dict[str, Any]) -> int:
    """Seats the expert may take in this call: max_load, the call's load_cap, and the yearly cap
    less the seats already held this year (prior_load)."""
    cap = expert.get("max_load", 1)
    if rules.get("load_cap") is not None:
        cap = min(cap, rules["load_cap"])
    if rules.get("yearly_cap") is not None:
        cap = min(cap, rules["yearly_cap"] - expert.get("prior_load", 0))
    return max(cap, 0)


def check(data: dict[str, Any], out: dict[str, Any]) -> list[str]:
    experts = {e["id"]: e for e in data["experts"]}
    panels = {p["id"]: p for p in data["panels"]}
    conflicts = {(e, p) for e, p in data.get("conflicts") or []}
    rules = data.get("rules") or {}
    cap = rules.get("max_per_org", 1)
    problems: list[str] = []
    load: Counter[Any] = Counter()
    assert [p["id"] for p in out["panels"]] == [p["id"] for p in data["panels"]]
    for res in out["panels"]:
        panel = panels[res["id"]]
        mem, alt = res["members"], res["alternates"]
        if len(mem) != panel["size"]:
            problems.append(f"{panel['id']}: {len(mem)} members")
        if len(alt) != panel.get("alternates", 2):
            problems.append(f"{panel['id']}: {len(alt)} alternates")
        if len(set(mem) | set(alt)) != len(mem) + len(alt):
            problems.append(f"{panel['id']}: duplicate person")
        seats = _seats(panel)
        live = [s for s in seats]
        for eid in mem + alt:
            e = experts[eid]
            why = []
            if (eid, panel["id"]) in conflicts:
                why.append("conflict")
            if e.get("org") is not None and e["org"] in (panel.get("exclude_orgs") or []):
                why.append("excluded org")
            if panel.get("regions") and e.get("region") not in panel["regions"]:
                why.append("region")
            if not e.get("available", True):
                why.append("unavailable")
            if capacity(e, rules) < 1:
                why.append("no load left (max_load, load_cap or yearly cap)")
            if not any(_fits(e, s) for s in live):
                why.append("no accepted specialty")
            if why:
                problems.append(f"{panel['id']}: {eid} ineligible ({', '.join(why)})")
        orgs = Counter(experts[i].get("org") or f"#none-{i}" for i in mem + alt)
        if orgs and max(orgs.values()) > cap:
            problems.append(f"{panel['id']}: max_per_org broken {orgs.most_common(1)}")
        if len(mem) == len(seats) and not _matchable([experts[i] for i in mem], seats):
            problems.append(f"{panel['id']}: quotas not met")
        load.update(mem)
    for eid, n in load.items():
        if n > capacity(experts[eid], rules):
            problems.append(f"{eid}: load {n} > its cap (prior_load {experts[eid].get('prior_load', 0)})")
    for res in out["panels"]:
        for eid in res["alternates"]:
            if load[eid] >= capacity(experts[eid], rules):
                problems.append(f"{res['id']}: alternate {eid} has no spare load")
    reported = {row["id"]: row for row in out.get("loads", [])}
    if set(reported) != set(load):
        problems.append("loads: not exactly the seated experts")
    for eid, row in reported.items():
        if row["load"] != load[eid] or row["total"] != load[eid] + experts[eid].get("prior_load", 0):
            problems.append(f"loads: wrong figures for {eid}")
    return problems


def with_rotation(rng: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Add seats already held this year and the yearly/call caps (drawn after the instance, so
    the base instance is the same as without them)."""
    for e in data["experts"]:
        e["prior_load"] = int(rng.choice([0, 0, 1, 2, 3]))
    data["rules"]["yearly_cap"] = int(rng.choice([2, 3, 4]))
    if rng.random() < 0.5:
        data["rules"]["load_cap"] = int(rng.choice([1, 2]))
    return data


def small_instance(rng: Any, mode: str) -> dict[str, Any]:
    """A random small input with tight-ish supply: several orgs, regions, quotas, conflicts."""
    n = int(rng.integers(25, 90))
    specs = ["A", "B", "C", "D", "E"]
    experts = []
    for i in range(n):
        k = int(rng.integers(1, 4))
        experts.append({
            "id": f"e{i}", "org": f"o{int(rng.integers(0, 12))}" if rng.random() > 0.1 else None,
            "region": str(rng.choice(["north", "south", "east"])),
            "specialties": sorted({str(s) for s in rng.choice(specs, size=k, p=[.4, .25, .15, .12, .08])}),
            "max_load": int(rng.choice([0, 1, 1, 1, 2, 3])), "available": bool(rng.random() > 0.05),
        })
    panels = []
    for j in range(int(rng.integers(1, 6))):
        size = int(rng.integers(3, 6))
        req: dict[str, int] = {}
        for s in rng.choice(specs[:4], size=int(rng.integers(0, 3)), replace=False):
            req[str(s)] = int(rng.integers(1, 3))
        while sum(req.values()) > size:
            req.popitem()
        p: dict[str, Any] = {"id": f"p{j}", "size": size, "require": req,
                             "alternates": int(rng.integers(0, 3)),
                             "exclude_orgs": [f"o{int(x)}" for x in rng.choice(12, size=2, replace=False)]}
        if rng.random() < 0.5:
            p["accept"] = sorted(set(req) | {str(rng.choice(specs))})
        if rng.random() < 0.3:
            p["regions"] = ["north", "south"]
        panels.append(p)
    conflicts = [[f"e{int(rng.integers(0, n))}", f"p{int(rng.integers(0, len(panels)))}"]
                 for _ in range(int(rng.integers(0, 15)))]
    data: dict[str, Any] = {"mode": mode, "rules": {"max_per_org": int(rng.choice([1, 1, 2]))},
                            "experts": experts, "panels": panels, "conflicts": conflicts}
    if mode == "randomized":
        data["q"] = float(rng.choice([0.5, 0.8, 1.0]))
    return data
