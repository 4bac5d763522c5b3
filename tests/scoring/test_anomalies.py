"""评分畸高畸低 flags (214号 Art. 32, 财库〔2012〕69号) and expert-level signals."""

from __future__ import annotations

from typing import Any

import pytest

from scoring import evaluate

from .helpers import E5, bid, consultation, review, uniform

QUOTES = {"A": "100", "B": "100", "C": "100"}


def panel(a_rows: dict[str, list[Any]], **settings: Any) -> dict[str, Any]:
    """Bids B and C scored 40/10/5 by everyone; bid A as given per expert."""
    table = {e: {"A": row, "B": [40, 10, 5], "C": [20, 10, 5]} for e, row in a_rows.items()}
    return consultation(table, dict(QUOTES), **settings)


def test_total_and_criterion_level_flags_with_exact_figures() -> None:
    # A's sums: 50, 52, 66; subjective maximum 70 → threshold 14 at total level
    result = evaluate(panel({"E1": [30, 15, 5], "E2": [31, 16, 5], "E3": [38, 20, 8]}))
    assert result["anomalies"] == [
        # E3's total 66 against (50 + 52) / 2 = 51
        {"expert": "E3", "bid": "A", "criterion": None, "value": "66.00", "others_mean": "51.00", "deviation": "15.00"},
        # then criteria in id order: S1 (max 10, threshold 2): 8 against 5;
        # T2 (max 20, threshold 4): 20 against 15.5
        {"expert": "E3", "bid": "A", "criterion": "S1", "value": "8.00", "others_mean": "5.00", "deviation": "3.00"},
        {"expert": "E3", "bid": "A", "criterion": "T2", "value": "20.00", "others_mean": "15.50", "deviation": "4.50"},
    ]
    # T1: 38 against 30.5 is 7.5, under 0.20 × 40 = 8: not flagged
    assert "score_anomaly" in bid(result, "A")["flags"]
    assert "score_anomaly" not in bid(result, "B")["flags"]
    experts = {e["id"]: e for e in result["experts"]}
    assert experts["E3"]["anomalies"] == 3 and "score_anomaly" in experts["E3"]["flags"]
    assert experts["E1"]["anomalies"] == 0
    assert any("3 scores deviate" in w for w in result["warnings"])


def test_low_scores_give_negative_deviation() -> None:
    result = evaluate(panel({"E1": [30, 15, 5], "E2": [30, 15, 5], "E3": [10, 15, 5]}))
    total = [a for a in result["anomalies"] if a["criterion"] is None]
    assert total == [
        {"expert": "E3", "bid": "A", "criterion": None, "value": "30.00", "others_mean": "50.00", "deviation": "-20.00"}
    ]


def test_deviation_exactly_at_threshold_is_not_flagged() -> None:
    # others' mean 50, E3 at 64: deviation 14 = 0.20 × 70 exactly (strict ">")
    at = evaluate(panel({"E1": [30, 15, 5], "E2": [30, 15, 5], "E3": [36, 18, 10]}))
    assert [a for a in at["anomalies"] if a["criterion"] is None] == []
    over = evaluate(panel({"E1": [30, 15, 5], "E2": [30, 15, 5], "E3": [36.5, 18, 10]}))
    assert [a["deviation"] for a in over["anomalies"] if a["criterion"] is None] == ["14.50"]


def test_threshold_is_configurable() -> None:
    rows = {"E1": [30, 15, 5], "E2": [30, 15, 5], "E3": [35, 15, 5]}
    assert evaluate(panel(rows))["anomalies"] == []
    tight = evaluate(panel(rows, anomaly_threshold="0.10"))
    assert [(a["criterion"], a["deviation"]) for a in tight["anomalies"]] == [("T1", "5.00")]


def test_objective_criteria_are_not_checked_for_anomalies() -> None:
    criteria = [
        {"id": "T1", "name": "方案", "max": 60, "group": "technical"},
        {"id": "O1", "name": "资质", "max": 10, "kind": "objective"},
    ]
    table = {
        "E1": {"A": [30, 10], "B": [30, 0], "C": [30, 5]},
        "E2": {"A": [31, 10], "B": [30, 0], "C": [30, 5]},
        "E3": {"A": [32, 10], "B": [30, 0], "C": [30, 5]},
    }
    assert evaluate(consultation(table, dict(QUOTES), criteria=criteria))["anomalies"] == []


def test_anomalies_never_change_the_legal_result() -> None:
    result = evaluate(panel({"E1": [30, 15, 5], "E2": [31, 16, 5], "E3": [38, 20, 10]}))
    assert bid(result, "A")["subjective"] == "56.67"  # (50 + 52 + 68) / 3, E3 included


# -- expert signals -------------------------------------------------------------------------------


def four_bids(reverse_expert: str | None) -> dict[str, Any]:
    one = [{"id": "Q", "name": "质量", "max": 100, "group": "technical"}]
    base = {"P": 90, "Q": 80, "R": 70, "S": 60}
    table = {}
    for i, e in enumerate(["E1", "E2", "E3"]):
        if e == reverse_expert:
            table[e] = {b: [150 - v] for b, v in base.items()}
        else:
            table[e] = {b: [v + i] for b, v in base.items()}
    return review("approval", table, criteria=one)


def test_expert_ranking_against_the_panel_is_flagged() -> None:
    result = evaluate(four_bids("E3"))
    experts = {e["id"]: e for e in result["experts"]}
    assert experts["E3"]["spearman_with_others"] == -1.0
    assert "ranks_against_panel" in experts["E3"]["flags"]
    # E1's others are E2 (v + 1) and E3 (150 − v): their mean is the same for every bid, so undefined
    assert experts["E1"]["spearman_with_others"] is None
    assert any("expert E3 ranks the bids against" in w for w in result["warnings"])
    agreeing = evaluate(four_bids(None))
    assert all(e["spearman_with_others"] == 1.0 and e["flags"] == [] for e in agreeing["experts"])


def test_against_panel_needs_four_bids() -> None:
    one = [{"id": "Q", "name": "质量", "max": 100, "group": "technical"}]
    table = {
        "E1": {"P": [90], "Q": [80], "R": [70]},
        "E2": {"P": [91], "Q": [81], "R": [71]},
        "E3": {"P": [70], "Q": [80], "R": [90]},
    }
    result = evaluate(review("approval", table, criteria=one))
    e3 = next(e for e in result["experts"] if e["id"] == "E3")
    assert e3["spearman_with_others"] == -1.0 and "ranks_against_panel" not in e3["flags"]


def test_leniency_is_mean_deviation_from_the_others() -> None:
    result = evaluate(four_bids(None))  # E1 gives v, E2 v + 1, E3 v + 2
    leniency = {e["id"]: e["leniency"] for e in result["experts"]}
    assert leniency == {"E1": -1.5, "E2": 0.0, "E3": 1.5}


@pytest.mark.parametrize(("low", "flagged"), [(2, True), (5, False)])
def test_modified_z_score_with_mad_floored_at_the_step(low: int, flagged: bool) -> None:
    # Five experts give 7, 8, 8, 8 and `low`: MAD is 0, floored at the step 1 → z = 0.6745 × (low − 8)
    one = [{"id": "Q", "name": "质量", "max": 10, "group": "technical"}]
    values = [7, 8, 8, 8, low]
    table = {e: {"P": [v], "R": [5]} for e, v in zip(E5, values, strict=True)}
    result = evaluate(review("approval", table, criteria=one, pass_score="0"))
    e5 = next(e for e in result["experts"] if e["id"] == "E5")
    assert e5["max_abs_modified_z"] == pytest.approx(0.6745 * (8 - low))
    assert ("outlier_cells" in e5["flags"]) is flagged
    assert e5["outlier_cells"] == (1 if flagged else 0)


def test_declared_step_sets_the_mad_floor() -> None:
    one = [{"id": "Q", "name": "质量", "max": 10, "group": "technical", "step": "0.5"}]
    table = {e: {"P": [v], "R": [5]} for e, v in zip(E5, [7, 8, 8, 8, 6], strict=True)}
    result = evaluate(review("approval", table, criteria=one, pass_score="0"))
    e5 = next(e for e in result["experts"] if e["id"] == "E5")
    assert e5["max_abs_modified_z"] == pytest.approx(0.6745 * 2 / 0.5)
    assert result["meta"]["score_steps"] == [{"criterion": "Q", "step": "0.5"}]


def test_normalised_view_is_shown_beside_the_legal_result() -> None:
    result = evaluate(four_bids(None))
    assert [b["mean_rank"] for b in result["bids"]] == [1.0, 2.0, 3.0, 4.0]
    z = [b["z_score_mean"] for b in result["bids"]]
    assert z == sorted(z, reverse=True) and sum(z) == pytest.approx(0.0)


def test_single_expert_has_no_signals() -> None:
    table = uniform(["E1"], {"A": [30, 10, 5], "B": [20, 10, 5], "C": [10, 10, 5]})
    result = evaluate(consultation(table, dict(QUOTES)))
    assert result["experts"] == [
        {
            "id": "E1",
            "leniency": None,
            "spearman_with_others": None,
            "flags": [],
            "anomalies": 0,
            "outlier_cells": 0,
            "max_abs_modified_z": None,
        }
    ]
    assert result["agreement"]["kendall_w"] is None
    assert any("only one expert" in w for w in result["warnings"])
