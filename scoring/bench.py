"""Benchmark: `python -m scoring.bench` — a full evaluation of a large synthetic panel.

200 bids × 9 experts × 30 criteria (54,000 scores), 竞争性磋商 with price, 2,000 bootstrap draws
and 2,000 permutation draws. Prints the inputs and the timings; the figures are recorded in
docs/performance.md. This module is the only one in the package that reads a clock, and the
library never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

import numpy as np

from .aggregate import legal_result
from .agreement import concordance
from .anomalies import find_anomalies
from .evaluate import evaluate
from .ranking import quote_ranks
from .stability import stability
from .validate import parse_input


def synthetic_panel(bids: int = 200, experts: int = 9, criteria: int = 30, seed: int = 20261122) -> dict[str, Any]:
    """A plausible panel: bid quality drives scores, experts differ in leniency, scores step by 0.5."""
    rng = np.random.default_rng(seed)
    maxima = [Decimal(2) if c < 20 else Decimal(3) for c in range(criteria)]  # sums to 70 for 30 criteria
    objective = {c for c in range(criteria) if c % 10 == 9}
    quality = rng.uniform(0.3, 0.95, size=bids)
    leniency = rng.normal(0.0, 0.05, size=experts)
    crits = [
        {
            "id": f"C{c + 1}",
            "name": f"评分项{c + 1}",
            "max": str(maxima[c]),
            "group": "technical" if c < 20 else "commercial",
            "kind": "objective" if c in objective else "subjective",
            "veto": False,
        }
        for c in range(criteria)
    ]
    quotes = rng.uniform(600_000, 1_000_000, size=bids).round(2)
    bid_list = [
        {
            "id": f"B{b + 1}",
            "name": f"供应商{b + 1}",
            "final_quote": f"{quotes[b]:.2f}",
            "valid": bool(b % 50 != 49),
        }
        for b in range(bids)
    ]
    scores = []
    for c in range(criteria):
        top = float(maxima[c])
        shared = np.clip(np.round(2 * top * quality + rng.normal(0, 0.3, size=bids)) / 2, 0, top)
        for e in range(experts):
            if c in objective:
                values = shared
            else:
                noise = rng.normal(0, 0.15 * top, size=bids)
                values = np.clip(np.round(2 * (top * (quality + leniency[e]) + noise)) / 2, 0, top)
            for b in range(bids):
                scores.append(
                    {
                        "expert": f"E{e + 1}",
                        "bid": f"B{b + 1}",
                        "criterion": f"C{c + 1}",
                        "value": float(values[b]),
                    }
                )
    return {
        "method": "consultation",
        "category": "service",
        "price_weight": "0.30",
        "max_price": "1000000.00",
        "criteria": crits,
        "bids": bid_list,
        "scores": scores,
        "seed": 0,
        "bootstrap_draws": 2000,
        "permutation_draws": 2000,
    }


def _timed(fn: Any, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _stages(data: dict[str, Any], repeat: int) -> list[tuple[str, float]]:
    """Where the time goes, stage by stage, on the same input."""
    panel = parse_input(data)
    legal = legal_result(panel)
    totals = legal.sums.astype(np.float64) / panel.unit
    implied = totals  # the price offset does not change the cost
    quote_rank = quote_ranks([b.final_quote for b in panel.valid_bids])  # type: ignore[misc]
    stages = {
        "legal result": lambda: legal_result(panel),
        "anomalies": lambda: find_anomalies(panel, legal.sums),
        "Kendall W + p": lambda: concordance(totals, panel.config.permutation_draws, np.random.default_rng(0)),
        "stability": lambda: stability(panel, legal, quote_rank, 0, implied, np.random.default_rng(0)),
    }
    return [(name, statistics.median(_timed(fn, repeat)) * 1000) for name, fn in stages.items()]


def _command_line(data: dict[str, Any]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "panel.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scoring", "evaluate", path], check=True, capture_output=True)
        return time.perf_counter() - start


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--bids", type=int, default=200)
    parser.add_argument("--experts", type=int, default=9)
    parser.add_argument("--criteria", type=int, default=30)
    args = parser.parse_args()
    data = synthetic_panel(args.bids, args.experts, args.criteria)
    evaluate(data)  # warm-up: imports, first-call caches
    parse = _timed(lambda: parse_input(data), args.repeat)
    full = _timed(lambda: evaluate(data), args.repeat)
    result = evaluate(data)
    boot, agree = result["stability"], result["agreement"]
    print(f"machine: {_cpu()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, NumPy {np.__version__}")
    print(
        f"input: {args.bids} bids ({result['meta']['valid_bids']} valid) × {args.experts} experts × "
        f"{args.criteria} criteria = {len(data['scores'])} scores, consultation with price"
    )
    print(
        f"stability: bootstrap {boot['bootstrap']['method']}, {boot['bootstrap']['resamples']} resamples; "
        f"Kendall W p-value {agree['p_value_method']}, {agree['permutation_draws']} permutations"
    )
    print(f"parse + validate: {_ms(parse)}")
    print(f"full evaluate:    {_ms(full)}  ({args.repeat} runs)")
    print("stages (median): " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in _stages(data, args.repeat)))
    print(f"command line, end to end incl. interpreter start and JSON I/O: {_command_line(data):.2f} s")
    print(
        f"result: winner {boot['winner']}, robust {boot['robust']}, W {agree['kendall_w']}, "
        f"{len(result['anomalies'])} anomaly flags, "
        f"{len(json.dumps(result, ensure_ascii=False))} bytes of JSON"
    )


if __name__ == "__main__":
    main()
