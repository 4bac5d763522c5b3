"""Stability: leave-one-expert-out, bootstrap over experts (exact and sampled), other aggregations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoring import evaluate
from scoring.stability import multisets

from .helpers import consultation, review, uniform

ONE = [{"id": "Q", "name": "质量", "max": 100, "group": "technical"}]


def approval(table: dict, **settings: object) -> dict:
    return review(
        "approval",
        {e: {b: [v] for b, v in row.items()} for e, row in table.items()},
        criteria=ONE,
        pass_score="0",
        **settings,
    )


def test_multisets_are_all_distinct_resamples_with_multinomial_weights() -> None:
    counts, weights = multisets(2)
    assert {tuple(c): w for c, w in zip(counts.tolist(), weights, strict=True)} == pytest.approx(
        {(2, 0): 0.25, (1, 1): 0.5, (0, 2): 0.25}
    )
    for n in range(1, 8):
        counts, weights = multisets(n)
        assert len(counts) == math.comb(2 * n - 1, n)
        assert (counts.sum(axis=1) == n).all()
        assert weights.sum() == pytest.approx(1.0)
        assert weights @ counts == pytest.approx(np.ones(n))  # each expert appears once on average


def test_two_experts_worked_by_hand() -> None:
    # E1: P 80, Q 70; E2: P 60, Q 75 → means P 70, Q 72.5: Q wins.
    # Resamples {E1,E1} (¼) → P; {E1,E2} (½) → Q; {E2,E2} (¼) → Q.
    result = evaluate(approval({"E1": {"P": 80, "Q": 70}, "E2": {"P": 60, "Q": 75}}))
    stability = result["stability"]
    assert stability["winner"] == "Q"
    assert stability["p_rank1"] == {"P": 0.25, "Q": 0.75}
    assert stability["bootstrap"] == {"method": "exact", "resamples": 3}
    # without E2 only E1 is left, who prefers P: E2 is pivotal
    assert stability["leave_one_out"] == {"E1": ["Q"], "E2": ["P"]}
    assert stability["pivotal_experts"] == ["E2"]
    # z-scores and ranks cancel out exactly: those views see a tie
    assert stability["alternative_winners"] == {"median": ["Q"], "z_score_mean": ["P", "Q"], "mean_rank": ["P", "Q"]}
    assert stability["robust"] is False


def test_clear_winner_is_robust() -> None:
    table = {e: {"P": 90 + i, "Q": 70 + i, "R": 50 + i} for i, e in enumerate(["E1", "E2", "E3"])}
    stability = evaluate(approval(table))["stability"]
    assert stability["winner"] == "P"
    assert stability["p_rank1"] == {"P": 1.0, "Q": 0.0, "R": 0.0}
    assert stability["pivotal_experts"] == []
    assert set(map(tuple, stability["alternative_winners"].values())) == {("P",)}
    assert stability["robust"] is True


def test_bootstrap_uses_the_legal_tie_breaks_with_price() -> None:
    # B has the better subjective score for E1 only; price favours A (lower quote)
    table = {
        "E1": {"A": [30, 10, 5], "B": [36, 10, 5], "C": [10, 10, 5]},
        "E2": {"A": [30, 10, 5], "B": [30, 10, 5], "C": [10, 10, 5]},
        "E3": {"A": [30, 10, 5], "B": [30, 10, 5], "C": [10, 10, 5]},
    }
    # A: 45 + 30 = 75; B: 47 + 25 = 72 → A wins; resample {E1,E1,E1}: B 51 + 25 = 76 > 75 → B
    result = evaluate(consultation(table, {"A": "100", "B": "120", "C": "150"}))
    p = result["stability"]["p_rank1"]
    assert p["B"] == pytest.approx(1 / 27) and p["A"] == pytest.approx(26 / 27)


def test_bootstrap_splits_credit_between_tied_bids() -> None:
    table = uniform(["E1", "E2", "E3"], {"A": [30, 10, 5], "B": [30, 10, 5], "C": [10, 10, 5]})
    result = evaluate(consultation(table, {"A": "100", "B": "100", "C": "100"}))
    assert result["stability"]["p_rank1"] == {"A": 0.5, "B": 0.5, "C": 0.0}
    assert result["stability"]["winner"] is None and result["stability"]["robust"] is False


def eight_experts(seed: int = 0, draws: int = 300) -> dict:
    rng = np.random.default_rng(42)
    table = {f"E{e + 1}": {f"P{b + 1}": int(v) for b, v in enumerate(rng.integers(60, 90, size=5))} for e in range(8)}
    return approval(table, seed=seed, bootstrap_draws=draws)


def test_sampled_bootstrap_above_seven_experts_is_seeded() -> None:
    first = evaluate(eight_experts())
    assert first["stability"]["bootstrap"] == {"method": "sampled", "resamples": 300}
    assert sum(first["stability"]["p_rank1"].values()) == pytest.approx(1.0, abs=1e-5)
    assert evaluate(eight_experts()) == first  # same seed, same output, byte for byte
    other = evaluate(eight_experts(seed=1))
    assert other["stability"]["p_rank1"] != first["stability"]["p_rank1"]
    assert other["bids"] == first["bids"]  # the legal result never depends on the seed


def test_seven_experts_are_enumerated_exactly() -> None:
    rng = np.random.default_rng(3)
    table = {f"E{e + 1}": {f"P{b + 1}": int(v) for b, v in enumerate(rng.integers(60, 90, size=4))} for e in range(7)}
    result = evaluate(approval(table))
    assert result["stability"]["bootstrap"] == {"method": "exact", "resamples": 1716}


def test_trimmed_mean_stability_falls_back_to_mean_below_five() -> None:
    # five experts, trimmed legally; leaving one out leaves four, scored by the plain mean
    table = {
        "E1": {"P": 90, "Q": 60},
        "E2": {"P": 70, "Q": 71},
        "E3": {"P": 70, "Q": 71},
        "E4": {"P": 70, "Q": 71},
        "E5": {"P": 20, "Q": 90},
    }
    result = evaluate(approval(table, aggregation="trimmed_mean"))
    assert result["stability"]["winner"] == "Q"  # trimmed: P 70, Q 71
    # without E5, the plain mean of four gives P 75 > Q 68.25
    assert result["stability"]["leave_one_out"]["E5"] == ["P"]
    assert "E5" in result["stability"]["pivotal_experts"]
