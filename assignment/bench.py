"""``python -m assignment.bench [--quick]``: time, peak memory and quality per scenario.

Each scenario runs in its own child process so its peak RSS (``ru_maxrss``, which includes
OR-Tools' C++ memory, unlike tracemalloc) is its own. Instances come from
:mod:`assignment.generate` with fixed seeds, so every figure is reproducible. A plain
filter-and-shuffle draw (hard filters, shuffle, take the first ``size`` with load left; no
quota, employer-cap or match awareness) runs on the same instances for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np
from scipy.stats import norm

from . import AssignmentError, input_sha256, solve
from .eligibility import all_candidates
from .generate import instance
from .model import parse
from .solvers.randomized import RandomizedSolver

SKEW = (0.5, 0.1, 0.1, 0.08, 0.07)  # one employer holds half the pool, five hold 85 %


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> float:
    """1-minute load average when the scenario ends: the machine is shared, so say how busy."""
    return round(os.getloadavg()[0], 2)


def _timed(data: dict[str, Any], seed: int = 1) -> tuple[dict[str, Any], float, float]:
    """(output, wall seconds, CPU seconds of this process). CPU time is what a quiet machine's
    wall time would be (single solver thread); wall time is what this run waited."""
    t, c = time.perf_counter(), time.process_time()
    out = solve(data, seed=seed, progress=lambda line: print(f"  [{time.perf_counter() - t:6.2f}s] {line}",
                                                             file=sys.stderr))
    return out, time.perf_counter() - t, time.process_time() - c


def shuffle_baseline(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """What a naive implementation does: filter, shuffle, take the first ``size``."""
    problem = parse(data)
    cands = all_candidates(problem)
    rng = np.random.default_rng(seed)
    load = np.zeros(problem.n_experts, dtype=np.int64)
    affinity = quota_broken = org_broken = short = 0
    for panel, cand in zip(problem.panels, cands, strict=True):
        pool = rng.permutation(len(cand.experts))
        pool = pool[load[cand.experts[pool]] < problem.max_load[cand.experts[pool]]]
        take = pool[: panel.size]
        short += panel.size - len(take)
        load[cand.experts[take]] += 1
        affinity += int(cand.affinity[take].sum())
        quota_broken += int(any(problem.has[cand.experts[take], s].sum() < c for s, c in panel.require))
        org_broken += int(np.bincount(problem.org[cand.experts[take]]).max(initial=0) > problem.max_per_org)
    return {"objective": affinity, "panels_quota_broken": quota_broken, "panels_org_cap_broken": org_broken,
            "seats_unfilled": short, "max_load": int(load.max())}


def scenario_single(n: int, repeats: int) -> dict[str, Any]:
    data = instance(n, 1, seed=11, mode="draw")
    data["panels"][0]["regions"] = None  # the whole province
    times = []
    for s in range(repeats):
        t = time.perf_counter()
        out = solve(data, seed=s)
        times.append(time.perf_counter() - t)
    parse_t, hash_t = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        parse(data)
        parse_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        input_sha256(data)
        hash_t.append(time.perf_counter() - t)
    total = statistics.median(times)
    io = statistics.median(parse_t) + statistics.median(hash_t)
    return {"name": f"draw: 1 panel of 5 + 2 alternates from {n:,} experts",
            "seconds_median": total, "seconds_max": max(times),
            "seconds_validate_input": statistics.median(parse_t),
            "seconds_input_sha256": statistics.median(hash_t),
            "seconds_compute": total - io,
            "objective": out["stats"]["objective"], "peak_rss_mb": _rss_mb(), "goal": "compute < 0.05 s"}


def scenario_balanced(n: int, m: int, goal: str) -> dict[str, Any]:
    data = instance(n, m, seed=21, mode="balanced")
    out, seconds, cpu = _timed(data)
    st = out["stats"]
    data["mode"] = "draw"
    draw = solve(data, seed=1)["stats"]
    return {"name": f"balanced: {n:,} experts x {m} panels x 5 seats", "seconds": seconds, "cpu_seconds": cpu,
            "load_average": _load(),
            "objective": st["objective"], "bound": st["bound"], "gap": st["gap"],
            "max_load": st["max_load"], "pruned_pairs": st.get("pruned_pairs"),
            "peak_rss_mb": _rss_mb(), "goal": goal,
            "draw_mode_objective": draw["objective"], "shuffle": shuffle_baseline(data, 1)}


def scenario_loaded(n: int, m: int) -> dict[str, Any]:
    """Scarce experts (max_load 4): here the min-max load stage matters."""
    data = instance(n, m, seed=31, mode="balanced", max_load=4, alternates=0, n_orgs=n // 3,
                    n_specialties=5, region_share=0.0, conflict_rate=0.01)
    out, seconds, cpu = _timed(data)
    st = out["stats"]
    return {"name": f"balanced, scarce: {n} experts (max_load 4) x {m} panels x 5 seats",
            "seconds": seconds, "cpu_seconds": cpu, "objective": st["objective"], "gap": st["gap"],
            "max_load": st["max_load"],            "peak_rss_mb": _rss_mb(), "shuffle": shuffle_baseline(data, 1)}


def scenario_randomized(n: int, m: int, draws: int, long_draws: int) -> dict[str, Any]:
    # Small generated pools sometimes lack 1/q holders of a rare specialty: take the first
    # instance seed that q = 0.5 admits (reported), rather than hand-pick one.
    for inst_seed in range(41, 61):
        data = instance(n, m, seed=inst_seed, mode="randomized", q=0.5)
        t = time.perf_counter()
        try:
            out = solve(data, seed=1)
        except AssignmentError:
            continue
        seconds = time.perf_counter() - t
        break
    problem = parse(data)
    cands = all_candidates(problem)
    solver = RandomizedSolver()
    frac = solver.fractional(problem, cands, lambda _: None)
    targets = solver.targets(frac)
    res: dict[str, Any] = {"name": f"randomized q=0.5: {n:,} experts x {m} panels x 5 seats",
                           "seconds": seconds, "objective": out["stats"]["objective"],
                           "expected_objective": out["stats"]["expected_objective"],
                           "bound": out["stats"]["bound"], "max_probability": max(targets.values()),
                           "pairs_with_probability": len(targets), "goal": "< 2 s",
                           "instance_seed": inst_seed}
    counts: dict[tuple[int, int], int] = {}
    rejected = 0
    done = 0
    t = time.perf_counter()
    for total in (draws, long_draws):
        while done < total:
            members, r = solver.sample(problem, frac, np.random.default_rng(done))
            rejected += r
            for j, mem in enumerate(members):
                for e in mem.tolist():
                    counts[(j, e)] = counts.get((j, e), 0) + 1
            done += 1
        if total == 0:
            continue
        p = np.array(list(targets.values()))
        got = np.array([counts.get(k, 0) / total for k in targets])
        dev = np.abs(got - p)
        sd = np.sqrt(p * (1 - p) / total)
        res[f"draws_{total}"] = {
            "max_abs_deviation": float(dev.max()), "pairs_beyond_0.03": int((dev > 0.03).sum()),
            "expected_beyond_0.03_if_exact": float((2 * norm.sf(0.03 / sd.clip(1e-12))).sum()),
            "max_abs_z": float((dev / sd.clip(1e-12)).max()),
            "drawn_outside_support": sum(1 for k in counts if k not in targets),
            "rejected_draws": rejected, "seconds_per_draw": (time.perf_counter() - t) / total,
        }
    res["peak_rss_mb"] = _rss_mb()
    res["shuffle"] = shuffle_baseline(data, 1)
    return res


def scenario_skewed(n: int, m: int, goal: str) -> dict[str, Any]:
    """The pool shape that stalled the old solver: one employer holds half the experts."""
    data = instance(n, m, seed=21, mode="balanced", org_shares=SKEW)
    out, wall, cpu = _timed(data)
    st = out["stats"]
    data["mode"] = "draw"
    t = time.perf_counter()
    draw = solve(data, seed=1)["stats"]
    return {"name": f"balanced, skewed employers (50 % / top 5 85 %): {n:,} x {m} x 5", "seconds": wall,
            "cpu_seconds": cpu, "objective": st["objective"], "bound": st["bound"], "gap": st["gap"],
            "status": out["status"], "max_load": st["max_load"], "pruned_pairs": st.get("pruned_pairs"),
            "peak_rss_mb": _rss_mb(), "goal": goal, "draw_mode_objective": draw["objective"],
            "draw_mode_seconds": time.perf_counter() - t, "load_average": _load()}


def scenario_best_match(n: int, m: int, cap: int) -> dict[str, Any]:
    """Prior load and a yearly cap: best_match (match first, every load within the cap)
    against balanced (lowest busiest-expert total first) on the same skewed pool."""
    data = instance(n, m, seed=23, mode="best_match", org_shares=SKEW, max_load=cap, prior_load=2,
                    n_specialties=12)
    data["rules"].update({"load_cap": cap, "yearly_cap": 3})
    res: dict[str, Any] = {"name": f"best_match vs balanced, skewed, prior load 0-2, yearly cap 3, load cap {cap}: "
                                   f"{n:,} x {m} x 5"}
    for mode in ("best_match", "balanced"):
        data["mode"] = mode
        out, wall, cpu = _timed(data)
        st = out["stats"]
        res[mode] = {"seconds": wall, "cpu_seconds": cpu, "objective": st["objective"], "bound": st["bound"],
                     "gap": st["gap"], "max_load": st["max_load"], "max_total_load": st["max_total_load"],
                     "experts_used": st["experts_used"]}
    res["peak_rss_mb"] = _rss_mb()
    res["load_average"] = _load()
    return res


def scenario_scarce_region(n: int, m: int, expert_share: float, panel_share: float) -> dict[str, Any]:
    """A region with few experts and panels that accept only it: solved, or explained."""
    data = instance(n, m, seed=25, mode="balanced", scarce_region=(expert_share, panel_share))
    t, c = time.perf_counter(), time.process_time()
    res: dict[str, Any] = {"name": f"balanced, scarce region R0 ({expert_share:.1%} of experts, "
                                   f"{panel_share:.0%} of panels): {n:,} x {m} x 5"}
    try:
        out = solve(data, seed=1)
        res.update({"status": out["status"], "objective": out["stats"]["objective"], "gap": out["stats"]["gap"]})
    except AssignmentError as exc:
        ex = exc.explanation or {}
        res.update({"status": "infeasible", "lp_shortfall": ex.get("lp_shortfall"),
                    "by_region": ex.get("by_region"), "by_specialty": ex.get("by_specialty"),
                    "relaxations": [{k: r.get(k) for k in ("kind", "raise_by", "feasible", "verified",
                                                           "shortfall_after")}
                                    for r in ex.get("relaxations", [])]})
    res.update({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c,
                "peak_rss_mb": _rss_mb(), "load_average": _load()})
    return res


def scenarios(quick: bool) -> dict[str, list[Any]]:
    if quick:
        return {"single": [2000, 10], "balanced_small": [500, 20, "optimal"],
                "balanced_large": [5000, 100, "gap <= 1%"], "loaded": [60, 30],
                "randomized": [500, 20, 200, 0], "skewed": [5000, 100, "gap <= 1%"],
                "best_match": [5000, 100, 2], "scarce_region": [5000, 100, 0.01, 0.04],
                "scarce_region_short": [5000, 100, 0.005, 0.1]}
    return {"single": [20000, 20], "balanced_small": [2000, 50, "gap 0 in < 1 s"],
            "balanced_large": [20000, 500, "gap <= 1% in < 10 s, < 1 GB"], "loaded": [80, 40],
            "randomized": [2000, 50, 1000, 10000], "skewed": [20000, 500, "gap <= 1% in < 10 s, < 1 GB"],
            "best_match": [20000, 500, 2], "scarce_region": [20000, 500, 0.01, 0.04],
            "scarce_region_short": [20000, 500, 0.005, 0.1]}


RUNNERS = {"single": scenario_single, "balanced_small": scenario_balanced, "balanced_large": scenario_balanced,
           "loaded": scenario_loaded, "randomized": scenario_randomized, "skewed": scenario_skewed,
           "best_match": scenario_best_match, "scarce_region": scenario_scarce_region,
           "scarce_region_short": scenario_scarce_region}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m assignment.bench")
    ap.add_argument("--quick", action="store_true", help="smaller instances, for a fast check")
    ap.add_argument("--scenario", help=argparse.SUPPRESS)
    ap.add_argument("--only", help="comma-separated scenario names (default: all)")
    args = ap.parse_args(argv)
    table = scenarios(args.quick)
    if args.only:
        table = {k: v for k, v in table.items() if k in args.only.split(",")}
    if args.scenario:
        print(json.dumps(RUNNERS[args.scenario](*table[args.scenario])))
        return 0
    results = []
    for name in table:
        print(f"== {name}", file=sys.stderr, flush=True)
        cmd = [sys.executable, "-m", "assignment.bench", "--scenario", name] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        sys.stderr.write(proc.stderr)
        if proc.returncode != 0:
            print(f"scenario {name} failed", file=sys.stderr)
            return 1
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for r in results:
        print(json.dumps(r, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
