"""A single homogeneous panel is a uniform draw: every eligible expert has chance k/N."""

from __future__ import annotations

from collections import Counter

import numpy as np
from scipy.stats import chisquare

from assignment import solve
from assignment.generate import homogeneous


def test_single_panel_members_are_uniform_chi_square() -> None:
    n, k, draws = 20, 5, 2000
    data = homogeneous(n, k, alternates=0)
    counts: Counter[str] = Counter()
    for seed in range(draws):  # fixed seeds: the test is deterministic
        counts.update(solve(data, seed=seed)["panels"][0]["members"])
    observed = np.array([counts[f"E{i}"] for i in range(n)])
    assert observed.sum() == k * draws
    result = chisquare(observed)  # expected k*draws/n = 500 each
    assert result.pvalue > 0.001, (result, observed)
    assert np.abs(observed / draws - k / n).max() < 0.04


def test_alternates_are_uniform_among_the_rest_and_ordered() -> None:
    n, draws = 10, 2000
    data = homogeneous(n, 3, alternates=2)
    first: Counter[str] = Counter()
    for seed in range(draws):
        out = solve(data, seed=seed)["panels"][0]
        assert not set(out["alternates"]) & set(out["members"])
        first[out["alternates"][0]] += 1
    observed = np.array([first[f"E{i}"] for i in range(n)])
    assert chisquare(observed).pvalue > 0.001, observed


def test_quota_seats_are_uniform_among_holders() -> None:
    # Two A seats drawn from 8 A-holders first; then 1 open seat from everyone left.
    experts = [{"id": f"a{i}", "org": f"oa{i}", "specialties": ["A"]} for i in range(8)]
    experts += [{"id": f"b{i}", "org": f"ob{i}", "specialties": ["B"]} for i in range(4)]
    data = {"experts": experts, "panels": [
        {"id": "p", "size": 3, "require": {"A": 2}, "accept": ["A", "B"], "alternates": 0}]}
    counts: Counter[str] = Counter()
    for seed in range(1500):
        counts.update(solve(data, seed=seed)["panels"][0]["members"])
    a = np.array([counts[f"a{i}"] for i in range(8)])
    b = np.array([counts[f"b{i}"] for i in range(4)])
    assert chisquare(a).pvalue > 0.001 and chisquare(b).pvalue > 0.001
    # P(b_i) = 1/10 for the open seat (10 experts left); P(a_i) = 2/8 + 6/8 * 1/10.
    assert abs(b.mean() / 1500 - 0.1) < 0.02
    assert abs(a.mean() / 1500 - (0.25 + 0.75 * 0.1)) < 0.02
