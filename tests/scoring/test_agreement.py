"""Kendall's W and ICC against published worked examples; the permutation p-value against brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import rankdata

from scoring import evaluate
from scoring.agreement import concordance, exact_p_value, icc_absolute, kendall_w, monte_carlo_p_value
from scoring.stats import average_ranks

from .helpers import E3, consultation, review

# NAG Library routine G08DAF, example program data and results: 3 comparisons of 10 objects,
# "Kendall's coefficient = 0.828".
NAG_G08DAF = np.array(
    [
        [1.0, 4.5, 2.0, 4.5, 3.0, 7.5, 6.0, 9.0, 7.5, 10.0],
        [2.5, 1.0, 2.5, 4.5, 4.5, 8.0, 9.0, 6.5, 10.0, 6.5],
        [2.0, 1.0, 4.5, 4.5, 4.5, 4.5, 8.0, 8.0, 8.0, 10.0],
    ]
)

# Shrout & Fleiss (1979), Psychological Bulletin 86(2), Table 2: 6 targets rated by 4 judges;
# ICC(2,1) = .29 and ICC(2,4) = .62 (McGraw & Wong's ICC(A,1) and ICC(A,k)).
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float
)

ONE = [{"id": "Q", "name": "质量", "max": 100, "group": "technical"}]


def as_panel(matrix: np.ndarray) -> dict:
    """Rows are experts, columns are projects, each a single criterion score."""
    table = {f"E{e + 1}": {f"P{b + 1}": [str(v)] for b, v in enumerate(row)} for e, row in enumerate(matrix)}
    return review("approval", table, criteria=ONE, pass_score="0")


def test_kendall_w_nag_g08daf_example() -> None:
    assert kendall_w(NAG_G08DAF) == pytest.approx(0.828, abs=5e-4)


def test_kendall_w_nag_example_through_evaluate() -> None:
    agreement = evaluate(as_panel(NAG_G08DAF))["agreement"]
    assert agreement["kendall_w"] == pytest.approx(0.827731, abs=1e-6)
    # NAG's chi-square significance is 0.008; the permutation p-value is smaller still
    assert agreement["p_value_method"] == "monte_carlo" and agreement["permutation_draws"] == 2000
    assert agreement["p_value"] < 0.008


def test_icc_shrout_fleiss_table_2() -> None:
    single, average = icc_absolute(SHROUT_FLEISS)
    assert single == pytest.approx(0.29, abs=0.005)
    assert average == pytest.approx(0.62, abs=0.005)


def test_icc_through_evaluate_uses_experts_as_raters() -> None:
    agreement = evaluate(as_panel(SHROUT_FLEISS.T))["agreement"]
    assert agreement["icc_a1"] == pytest.approx(0.289764, abs=1e-6)
    assert agreement["icc_ak"] == pytest.approx(0.620051, abs=1e-6)


def test_perfect_agreement_and_undefined_cases() -> None:
    assert kendall_w(np.array([[1, 2, 3, 4], [10, 20, 30, 40], [5, 6, 7, 8]], dtype=float)) == pytest.approx(1.0)
    assert kendall_w(np.full((3, 4), 7.0)) is None  # every expert ties every bid
    assert kendall_w(np.array([[1.0, 2.0]])) is None  # one expert
    assert icc_absolute(np.array([[1.0, 2.0]])) == (None, None)  # one target


def test_exact_p_value_perfect_agreement_three_by_three() -> None:
    # the other two experts must both reproduce the first one's order: (1/3!)² = 1/36
    scores = np.array([[1, 2, 3], [1, 2, 3], [1, 2, 3]], dtype=float)
    assert exact_p_value(scores) == pytest.approx(1 / 36)


def brute_force_p(scores: np.ndarray) -> float:
    """Enumerate every combination of permutations of experts 2..m (expert 1 fixed)."""
    ranks = rankdata(scores, axis=1)
    observed = float((ranks.sum(axis=0) ** 2).sum())
    perms = [list(set(itertools.permutations(row.tolist()))) for row in ranks[1:]]
    total = hits = 0
    for combo in itertools.product(*perms):
        sums = ranks[0] + np.sum(combo, axis=0)
        total += 1
        hits += float((sums**2).sum()) >= observed - 1e-9
    return hits / total


@pytest.mark.parametrize("seed", range(6))
def test_exact_p_value_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = (3, 4) if seed % 2 else (4, 3)
    scores = rng.integers(0, 4, size=(m, n)).astype(float)  # ties included
    if kendall_w(scores) is None:
        pytest.skip("all tied")
    assert exact_p_value(scores) == pytest.approx(brute_force_p(scores), abs=1e-12)


def test_monte_carlo_agrees_with_exact_and_is_seeded() -> None:
    scores = np.array([[1, 2, 3, 4, 5], [2, 1, 3, 5, 4], [1, 3, 2, 4, 5], [3, 1, 2, 5, 4]], dtype=float)
    exact = exact_p_value(scores)
    assert exact is not None
    estimate = monte_carlo_p_value(scores, 20_000, np.random.default_rng(1))
    assert estimate == pytest.approx(exact, abs=0.01)
    again = monte_carlo_p_value(scores, 500, np.random.default_rng(7))
    assert again == monte_carlo_p_value(scores, 500, np.random.default_rng(7))


def test_exact_used_for_small_panels_monte_carlo_above() -> None:
    small = concordance(np.arange(15, dtype=float).reshape(3, 5), 100, np.random.default_rng(0))
    assert small.p_method == "exact" and small.p_value == pytest.approx(1 / (math.factorial(5) ** 2))
    large = concordance(np.tile(np.arange(8, dtype=float), (9, 1)), 100, np.random.default_rng(0))
    assert large.p_method == "monte_carlo" and large.p_value == pytest.approx(1 / 101)


def test_agreement_uses_subjective_totals_not_price() -> None:
    """Price is the same for every expert, so it must not inflate their agreement."""
    table = {
        "E1": {"A": [30, 10, 5], "B": [20, 10, 5], "C": [25, 10, 5]},
        "E2": {"A": [20, 10, 5], "B": [30, 10, 5], "C": [25, 10, 5]},
        "E3": {"A": [25, 10, 5], "B": [25, 10, 6], "C": [20, 10, 5]},
    }
    assert list(table) == E3
    result = evaluate(consultation(table, {"A": "100", "B": "200", "C": "300"}))
    totals = np.array([[45, 35, 40], [35, 45, 40], [40, 41, 35]], dtype=float)
    assert result["agreement"]["kendall_w"] == pytest.approx(kendall_w(totals), abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_average_ranks_match_scipy(seed: int) -> None:
    """scoring.stats.average_ranks stands in for scipy.stats.rankdata (a second of import time)."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, size=(rng.integers(1, 6), rng.integers(1, 9))).astype(float)
    assert np.array_equal(average_ranks(values), rankdata(values, axis=1))
