"""价格分 (财库〔2014〕214号 Art. 24), price-weight ranges, and abnormal low prices (财库〔2026〕2号)."""

from __future__ import annotations

import pytest

from scoring import ScoringError, evaluate

from .helpers import E3, bid, codes, consultation, uniform

SAME = [30, 15, 8]  # 53 points from every expert


def three_bids(quotes: dict[str, str], **settings: object) -> dict:
    return consultation(uniform(E3, {b: SAME for b in quotes}), quotes, **settings)


def test_worked_example_services_weight_30_percent() -> None:
    """regulations §1.4: quotes 80,000 and 100,000 at weight 30% score 30.00 and 24.00."""
    result = evaluate(three_bids({"A": "80000", "B": "100000", "C": "120000"}))
    assert bid(result, "A")["price_score"] == "30.00"
    assert bid(result, "B")["price_score"] == "24.00"
    assert bid(result, "C")["price_score"] == "20.00"
    assert bid(result, "A")["total"] == "83.00"
    assert result["meta"]["benchmark_price"] == "80000"


def test_benchmark_is_lowest_valid_quote_invalid_bids_ignored() -> None:
    data = three_bids({"A": "80000", "B": "100000", "C": "120000"})
    data["bids"].append({"id": "X", "name": "无效", "final_quote": "10000", "valid": False})
    result = evaluate(data)
    assert bid(result, "A")["price_score"] == "30.00"
    invalid = bid(result, "X")
    assert invalid["rank"] is None and invalid["total"] is None and invalid["valid"] is False
    assert result["bids"][-1]["id"] == "X"


def test_price_score_rounds_once_from_the_exact_ratio() -> None:
    # 80000 / 90000 × 0.30 × 100 = 26.666… → 26.67
    result = evaluate(three_bids({"A": "80000", "B": "90000", "C": "100000"}))
    assert bid(result, "B")["price_score"] == "26.67"


@pytest.mark.parametrize(
    ("category", "weight", "ok"),
    [
        ("service", "0.10", True),
        ("service", "0.30", True),
        ("service", "0.09", False),
        ("service", "0.31", False),
        ("goods", "0.30", True),
        ("goods", "0.60", True),
        ("goods", "0.29", False),
        ("goods", "0.61", False),
    ],
)
def test_price_weight_ranges(category: str, weight: str, ok: bool) -> None:
    data = three_bids({"A": "80000", "B": "100000", "C": "120000"}, category=category, price_weight=weight)
    if ok:
        result = evaluate(data)
        assert bid(result, "A")["price_score"] == f"{float(weight) * 100:.2f}"
    else:
        with pytest.raises(ScoringError) as caught:
            evaluate(data)
        assert codes(caught.value) == ["price_weight_out_of_range"]
        assert "price_weight_approved" in caught.value.errors[0]["message"]


def test_approval_by_finance_department_allows_other_weights() -> None:
    data = three_bids({"A": "80000", "B": "100000", "C": "120000"}, price_weight="0.40", price_weight_approved=True)
    result = evaluate(data)
    assert bid(result, "A")["price_score"] == "40.00"
    assert bid(result, "B")["price_score"] == "32.00"
    assert any("approved" in w for w in result["warnings"])


@pytest.mark.parametrize("weight", ["30", "1.5", "-0.1"])
def test_weight_outside_zero_one_is_refused_even_when_approved(weight: str) -> None:
    data = three_bids({"A": "1", "B": "2", "C": "3"}, price_weight=weight, price_weight_approved=True)
    with pytest.raises(ScoringError) as caught:
        evaluate(data)
    assert codes(caught.value) == ["price_weight_out_of_range"]


def test_missing_price_weight_is_an_error_for_consultation() -> None:
    data = three_bids({"A": "1", "B": "2", "C": "3"})
    del data["price_weight"]
    with pytest.raises(ScoringError) as caught:
        evaluate(data)
    assert codes(caught.value) == ["price_weight_out_of_range"]


def test_criteria_not_matching_price_weight_warn() -> None:
    result = evaluate(three_bids({"A": "1", "B": "2", "C": "3"}, price_weight="0.20"))
    assert any("100 × (1 − price_weight) = 80" in w for w in result["warnings"])


# -- abnormal low price (财库〔2026〕2号) ---------------------------------------------------------


def triggers(result: dict, bid_id: str) -> list[str]:
    return bid(result, bid_id)["abnormal_low_price_triggers"]


def test_trigger_below_half_of_mean() -> None:
    # mean of 40, 100, 100, 100 = 85; half = 42.5 > 40. Second lowest 100 × 50% = 50 > 40 too.
    quotes = {"A": "40", "B": "100", "C": "100", "D": "100"}
    result = evaluate(three_bids(quotes))
    assert triggers(result, "A") == ["below_mean", "below_second_lowest"]
    assert "abnormal_low_price" in bid(result, "A")["flags"]
    assert bid(result, "A")["valid"] is True and bid(result, "A")["rank"] == 1  # stays valid
    assert triggers(result, "B") == []


def test_trigger_below_half_of_second_lowest_only() -> None:
    # mean (45 + 95 + 400 + 400) / 4 = 235 → 117.5 would fire; choose quotes so only trigger 2 fires:
    # A=45, B=95, C=96, D=97: mean 83.25 → 41.625 (45 is not below); second lowest 95 → 47.5 > 45.
    result = evaluate(three_bids({"A": "45", "B": "95", "C": "96", "D": "97"}))
    assert triggers(result, "A") == ["below_second_lowest"]


def test_trigger_below_45_percent_of_max_price_then_budget() -> None:
    quotes = {"A": "44", "B": "50", "C": "52"}
    assert triggers(evaluate(three_bids(quotes, max_price="100")), "A") == ["below_max_price"]
    assert triggers(evaluate(three_bids(quotes, budget="100")), "A") == ["below_max_price"]
    # the 最高限价 wins over the budget when both are given
    assert triggers(evaluate(three_bids(quotes, max_price="90", budget="100")), "A") == []
    # strict "<": exactly 45% does not fire
    assert triggers(evaluate(three_bids({"A": "45", "B": "50", "C": "52"}, max_price="100")), "A") == []


def test_ratios_raisable_up_to_65_percent() -> None:
    quotes = {"A": "60", "B": "100", "C": "100"}
    plain = evaluate(three_bids(quotes, max_price="100"))
    assert triggers(plain, "A") == []
    raised = evaluate(
        three_bids(
            quotes,
            max_price="100",
            abnormal_low_ratios={"mean": "0.65", "second_lowest": "0.65", "max_price": "0.65"},
        )
    )
    # mean 86.67 × 0.65 = 56.33 (60 not below); second 100 × 0.65 = 65; max 100 × 0.65 = 65
    assert triggers(raised, "A") == ["below_second_lowest", "below_max_price"]
    assert raised["meta"]["abnormal_low_price_thresholds"]["below_max_price"] == "65.00"


@pytest.mark.parametrize("ratios", [{"mean": "0.66"}, {"max_price": "0.40"}, {"second_lowest": "x"}, {"other": "0.5"}])
def test_ratios_outside_base_to_65_percent_are_refused(ratios: dict) -> None:
    with pytest.raises(ScoringError) as caught:
        evaluate(three_bids({"A": "1", "B": "2", "C": "3"}, abnormal_low_ratios=ratios))
    assert codes(caught.value) == ["invalid_input"]


def test_quote_above_max_price_is_flagged_not_removed() -> None:
    result = evaluate(three_bids({"A": "80", "B": "90", "C": "120"}, max_price="100"))
    assert "quote_above_max_price" in bid(result, "C")["flags"]
    assert bid(result, "C")["rank"] == 3
