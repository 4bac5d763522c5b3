"""Ranking and tie-breaks (财库〔2014〕214号 Art. 25), candidates, and the 2-supplier exception (124号)."""

from __future__ import annotations

import pytest

from scoring import ScoringError, evaluate

from .helpers import E3, bid, codes, consultation, review, uniform


def ranks(result: dict) -> dict:
    return {b["id"]: b["rank"] for b in result["bids"]}


def test_higher_total_ranks_first() -> None:
    table = uniform(E3, {"A": [30, 15, 5], "B": [35, 15, 5], "C": [20, 10, 5]})
    result = evaluate(consultation(table, {"A": "100", "B": "100", "C": "100"}))
    assert [b["id"] for b in result["bids"]] == ["B", "A", "C"]
    assert ranks(result) == {"B": 1, "A": 2, "C": 3}
    assert result["candidates"] == ["B", "A", "C"]


def test_equal_total_lower_final_quote_first() -> None:
    # prices 30.00 / 25.00 / 20.00 and subjective 50 / 55 / 60: every total is 80.00
    table = uniform(E3, {"A": [30, 15, 5], "B": [33, 15, 7], "C": [35, 17, 8]})
    result = evaluate(consultation(table, {"A": "100", "B": "120", "C": "150"}))
    assert {b["id"]: b["total"] for b in result["bids"]} == {"A": "80.00", "B": "80.00", "C": "80.00"}
    assert ranks(result) == {"A": 1, "B": 2, "C": 3}
    assert all("tie_unresolved" not in b["flags"] for b in result["bids"])


def test_equal_total_and_quote_higher_technical_first() -> None:
    # B and C: quote 120 (25.00) and subjective 55, but B has 50 technical points, C 48
    table = uniform(E3, {"A": [30, 5, 5], "B": [35, 15, 5], "C": [33, 15, 7], "D": [30, 5, 5]})
    result = evaluate(consultation(table, {"A": "100", "B": "120", "C": "120", "D": "150"}))
    assert ranks(result) == {"B": 1, "C": 2, "A": 3, "D": 4}
    assert bid(result, "B")["technical"] == "50.00"
    assert bid(result, "C")["technical"] == "48.00"


def test_tie_after_every_tie_break_is_reported_not_broken() -> None:
    table = uniform(E3, {"A": [30, 5, 5], "B": [35, 15, 5], "C": [35, 15, 5]})
    result = evaluate(consultation(table, {"A": "100", "B": "120", "C": "120"}))
    assert ranks(result) == {"B": 1, "C": 1, "A": 3}
    assert "tie_unresolved" in bid(result, "B")["flags"]
    assert "tie_unresolved" in bid(result, "C")["flags"]
    assert "tie_unresolved" not in bid(result, "A")["flags"]
    assert any("B、C" in w and "tied at rank 1" in w for w in result["warnings"])
    assert result["stability"]["winner"] is None
    assert result["stability"]["robust"] is False


def test_tie_on_displayed_total_uses_quote_even_if_unrounded_totals_differ() -> None:
    """The ranking uses the displayed (rounded) total, as the published score sheet shows it."""
    one = [{"id": "Q", "name": "质量", "max": 70, "group": "technical"}]
    table = uniform(E3, {"A": ["50.001"], "B": ["50.004"], "C": ["40"]})
    # A: 50.00 + 30.00 = 80.00 (80.001); B: 50.00 + 29.9997 → 30.00 = 80.00 (80.0037)
    result = evaluate(consultation(table, {"A": "100", "B": "100.001", "C": "100"}, criteria=one))
    assert bid(result, "A")["total"] == bid(result, "B")["total"] == "80.00"
    assert ranks(result)["A"] == 1 and ranks(result)["B"] == 2


def test_no_technical_criteria_tie_is_reported_with_reason() -> None:
    plain = [{"id": "S", "name": "商务", "max": 70, "group": "commercial"}]
    table = uniform(E3, {"A": [60], "B": [60], "C": [10]})
    result = evaluate(consultation(table, {"A": "100", "B": "100", "C": "100"}, criteria=plain))
    assert ranks(result) == {"A": 1, "B": 1, "C": 3}
    assert bid(result, "A")["technical"] is None
    assert any("technical tie-break could not separate" in w for w in result["warnings"])


def test_candidates_default_three_and_setting() -> None:
    table = uniform(E3, {b: [40 - i, 10, 5] for i, b in enumerate("ABCDE")})
    quotes = dict.fromkeys("ABCDE", "100")
    assert evaluate(consultation(table, quotes))["candidates"] == ["A", "B", "C"]
    assert evaluate(consultation(table, quotes, candidates=2))["candidates"] == ["A", "B"]


def test_tie_at_candidate_boundary_lists_all_tied_bids() -> None:
    table = uniform(E3, {"A": [35, 10, 5], "B": [34, 10, 5], "C": [33, 10, 5], "D": [33, 10, 5], "E": [1, 1, 1]})
    result = evaluate(consultation(table, dict.fromkeys("ABCDE", "100")))
    assert ranks(result) == {"A": 1, "B": 2, "C": 3, "D": 3, "E": 5}
    assert result["candidates"] == ["A", "B", "C", "D"]
    assert any("tied at rank 3" in w and "all are listed as candidates" in w for w in result["warnings"])


def test_two_valid_bids_need_the_124_exception() -> None:
    table = uniform(E3, {"A": [30, 10, 5], "B": [20, 10, 5]})
    quotes = {"A": "100", "B": "110"}
    with pytest.raises(ScoringError) as caught:
        evaluate(consultation(table, quotes))
    assert codes(caught.value) == ["too_few_bids"]
    assert "two_supplier_exception" in caught.value.errors[0]["message"]
    result = evaluate(consultation(table, quotes, two_supplier_exception=True))
    assert result["candidates"] == ["A", "B"]
    assert any("124" in w for w in result["warnings"])


def test_one_valid_bid_is_too_few_even_with_the_exception() -> None:
    table = uniform(E3, {"A": [30, 10, 5]})
    data = consultation(table, {"A": "100"}, two_supplier_exception=True)
    data["bids"].append({"id": "X", "name": "无效", "final_quote": "90", "valid": False})
    with pytest.raises(ScoringError) as caught:
        evaluate(data)
    assert codes(caught.value) == ["too_few_bids"]


def test_approval_ranks_by_total_then_technical() -> None:
    table = uniform(E3, {"P": [30, 10, 20 - 10], "Q": [35, 10, 5], "R": [20, 10, 5]})
    result = evaluate(review("approval", table, pass_score="45"))
    # P and Q both total 50; Q has 45 technical points, P 40
    assert ranks(result) == {"Q": 1, "P": 2, "R": 3}
    assert result["candidates"] == ["Q", "P"]  # passed projects in rank order
    assert bid(result, "R")["passed"] is False and "below_pass_score" in bid(result, "R")["flags"]
    assert bid(result, "Q")["price_score"] is None
