"""Seeded synthetic instances for the benchmark and the tests (never used for real draws).

Shaped like a provincial roster: specialties with Zipf popularity (a few are scarce), a few
hundred employers, 1–3 specialties per expert, a handful of regions; panels require one or
two specialties, exclude the purchaser's and bidders' employers, and carry 2% random conflicts
plus same-employer conflicts (every expert of one bidder listed individually).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def instance(
    n_experts: int,
    n_panels: int,
    size: int = 5,
    *,
    seed: int = 0,
    mode: str = "draw",
    n_orgs: int = 300,
    n_specialties: int = 40,
    n_regions: int = 8,
    zipf: float = 1.1,
    conflict_rate: float = 0.02,
    alternates: int = 2,
    max_load: int = 1,
    q: float | None = None,
    region_share: float = 0.2,
    org_shares: tuple[float, ...] | None = None,
    scarce_region: tuple[float, float] | None = None,
    prior_load: int | None = None,
) -> dict[str, Any]:
    """``org_shares``: the first employers' shares of the pool (e.g. (0.5, 0.1, 0.1, 0.08, 0.07):
    one holds half, five hold 85 %), the rest spread evenly. ``scarce_region`` = (share of
    experts in region R0, share of panels that accept only R0). Both draw from a second
    generator, so the rest of the instance is the same as without them. ``prior_load``: each
    expert already holds 0 … prior_load seats this year (same second generator)."""
    rng = np.random.default_rng(seed)
    extra_rng = np.random.default_rng([seed, 1])
    pop = 1.0 / np.arange(1, n_specialties + 1) ** zipf
    pop /= pop.sum()
    specs = [f"S{i:02d}" for i in range(n_specialties)]
    orgs = [f"O{i:03d}" for i in range(n_orgs)]
    regions = [f"R{i}" for i in range(n_regions)]
    org_of = rng.integers(0, n_orgs, n_experts)
    region_of = rng.integers(0, n_regions, n_experts)
    if org_shares is not None:
        p_org = np.full(n_orgs, (1.0 - sum(org_shares)) / (n_orgs - len(org_shares)))
        p_org[: len(org_shares)] = org_shares
        org_of = extra_rng.choice(n_orgs, size=n_experts, p=p_org)
    if scarce_region is not None:
        in_r0 = extra_rng.random(n_experts) < scarce_region[0]
        region_of = np.where(in_r0, 0, 1 + extra_rng.integers(0, n_regions - 1, n_experts))
    n_spec = rng.integers(1, 4, n_experts)
    experts = []
    holders = np.zeros(n_specialties, dtype=np.int64)
    for i in range(n_experts):
        s = np.sort(rng.choice(n_specialties, size=n_spec[i], replace=False, p=pop))
        holders[s] += 1
        experts.append({
            "id": f"E{i:05d}", "org": orgs[org_of[i]], "region": regions[region_of[i]],
            "specialties": [specs[k] for k in s], "max_load": max_load,
            "available": bool(rng.random() > 0.03),
        })
    # Panels ask for specialties in proportion to supply, so scarce ones stay feasible.
    demand_p = holders / holders.sum()
    panels = []
    conflicts: list[list[str]] = []
    for j in range(n_panels):
        k = 1 if rng.random() < 0.6 else 2
        req = rng.choice(n_specialties, size=k, replace=False, p=demand_p)
        if k == 1:
            require = {specs[req[0]]: min(size, 2)}
        else:
            require = {specs[req[0]]: 1, specs[req[1]]: 1}
        extra = rng.choice(n_specialties, size=2, replace=False, p=pop)
        accept = sorted({*require, *(specs[x] for x in extra)})
        excluded = rng.choice(n_orgs, size=3, replace=False)
        panel: dict[str, Any] = {
            "id": f"P{j:04d}", "size": size, "require": require, "accept": accept,
            "alternates": alternates, "exclude_orgs": [orgs[x] for x in excluded],
        }
        if rng.random() < region_share:
            panel["regions"] = sorted({regions[x] for x in rng.choice(n_regions, size=4, replace=False)})
        if scarce_region is not None:
            if extra_rng.random() < scarce_region[1]:
                panel["regions"] = [regions[0]]
            elif panel.get("regions"):
                panel["regions"] = [r for r in panel["regions"] if r != regions[0]] or [regions[1]]
        panels.append(panel)
        bidder = rng.integers(0, n_orgs)
        conflicts.extend([f"E{i:05d}", panel["id"]] for i in np.flatnonzero(org_of == bidder))
    n_random = int(conflict_rate * n_experts * n_panels)
    ce = rng.integers(0, n_experts, n_random)
    cp = rng.integers(0, n_panels, n_random)
    conflicts.extend([f"E{e:05d}", f"P{p:04d}"] for e, p in zip(ce, cp, strict=True))
    if prior_load is not None:
        for e, k in zip(experts, extra_rng.integers(0, prior_load + 1, n_experts).tolist(), strict=True):
            e["prior_load"] = k
    data: dict[str, Any] = {
        "mode": mode, "rules": {"max_per_org": 1}, "experts": experts, "panels": panels,
        "conflicts": conflicts,
    }
    if q is not None:
        data["q"] = q
    return data


def homogeneous(
    n_experts: int, size: int, *, alternates: int = 2, distinct_orgs: bool = True
) -> dict[str, Any]:
    """One panel whose seats all accept every expert: the uniform-draw case (k/N each)."""
    experts = [
        {"id": f"E{i}", "org": f"O{i}" if distinct_orgs else f"O{i % 3}", "region": "R",
         "specialties": ["A"], "max_load": 1, "available": True}
        for i in range(n_experts)
    ]
    return {"mode": "draw", "experts": experts,
            "panels": [{"id": "P", "size": size, "accept": ["A"], "alternates": alternates}]}
