"""Dependent rounding keeps every marginal and every node's balance."""

from __future__ import annotations

import numpy as np

from assignment.eligibility import all_candidates
from assignment.generate import instance
from assignment.model import parse
from assignment.rounding import round_flow
from assignment.solvers.randomized import RandomizedSolver


def test_round_flow_is_integral_balanced_and_unbiased() -> None:
    # Root 0 → experts 1..3 → panels 4, 5 (panel node sums are integral: 1 each).
    tails = np.array([0, 0, 0, 1, 1, 2, 2, 3, 3])
    heads = np.array([1, 2, 3, 4, 5, 4, 5, 4, 5])
    values = np.array([0.7, 0.6, 0.7, 0.3, 0.4, 0.5, 0.1, 0.2, 0.5])
    total = np.zeros(len(values))
    draws = 4000
    for seed in range(draws):
        x = round_flow(tails, heads, values, 6, np.random.default_rng(seed))
        assert set(np.unique(x)) <= {0, 1}
        for node in range(1, 4):  # conservation at experts
            assert x[tails == 0][node - 1] == x[tails == node].sum()
        assert x[heads == 4].sum() == 1 and x[heads == 5].sum() == 1
        total += x
    z = (total / draws - values) / np.sqrt(values * (1 - values) / draws)
    assert np.abs(z).max() < 4.0, z


def test_randomized_marginals_match_lp_targets() -> None:
    data = instance(300, 6, seed=3, mode="randomized", q=0.5, n_orgs=60)
    problem = parse(data)
    cands = all_candidates(problem)
    solver = RandomizedSolver()
    frac = solver.fractional(problem, cands, lambda _: None)
    targets = solver.targets(frac)
    assert max(targets.values()) <= 0.5 + 1e-9
    draws = 600
    counts: dict[tuple[int, int], int] = {}
    for seed in range(draws):
        members, _ = solver.sample(problem, frac, np.random.default_rng(seed))
        for j, m in enumerate(members):
            assert len(m) == problem.panels[j].size
            for e in m.tolist():
                counts[(j, e)] = counts.get((j, e), 0) + 1
    assert set(counts) <= set(targets)  # nobody outside the support is ever drawn
    p = np.array([targets[k] for k in targets])
    got = np.array([counts.get(k, 0) / draws for k in targets])
    z = (got - p) / np.sqrt(p * (1 - p) / draws).clip(1e-9)
    assert np.abs(z).max() < 4.5, np.abs(z).max()
    assert abs(z.mean()) < 0.3
