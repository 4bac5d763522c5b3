"""四舍五入 to `decimals` places, once, from unrounded values (regulations §1.5; design.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from scoring import evaluate
from scoring.numbers import quantize_ratio

from .helpers import bid, consultation, review

ONE = [{"id": "Q", "name": "质量", "max": 100, "group": "technical"}]


def test_python_round_differs_from_half_up_at_the_boundary() -> None:
    """Why floats and round() are banned: both get these boundaries wrong."""
    assert round(2.675, 2) == 2.67  # binary 2.675 is 2.67499999…
    assert round(0.125, 2) == 0.12  # exact in binary, but round() goes half to even
    assert quantize_ratio(2675, 1000, 2) == Decimal("2.68")
    assert quantize_ratio(125, 1000, 2) == Decimal("0.13")
    assert Decimal("2.675").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal("2.68")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2.67", "2.68", "2.68"),  # mean 2.675: float round gives 2.67
        ("0.12", "0.13", "0.13"),  # mean 0.125: half-even gives 0.12
        ("1.00", "1.01", "1.01"),  # mean 1.005
        ("70.04", "70.05", "70.05"),  # mean 70.045
        ("70.04", "70.04", "70.04"),
    ],
)
def test_subjective_mean_rounds_half_up(a: str, b: str, expected: str) -> None:
    table = {"E1": {"P": [a], "Q": ["50"]}, "E2": {"P": [b], "Q": ["50"]}}
    result = evaluate(review("approval", table, criteria=ONE))
    assert bid(result, "P")["subjective"] == expected
    assert bid(result, "P")["total"] == expected


def test_price_score_rounds_half_up_at_exact_boundary() -> None:
    # 2010 × 0.10 × 100 / 20000 = 1.005 exactly; float(1.005) is below 1.005, round() gives 1.0
    assert round(2010 * 0.10 * 100 / 20000, 2) == 1.0
    table = {e: {b: ["30"] for b in "ABC"} for e in ("E1", "E2", "E3")}
    data = consultation(table, {"A": "2010", "B": "20000", "C": "4020"}, criteria=ONE, price_weight="0.10")
    result = evaluate(data)
    assert bid(result, "B")["price_score"] == "1.01"
    assert bid(result, "C")["price_score"] == "5.00"


def test_total_is_sum_of_separately_rounded_parts() -> None:
    """total = round(subjective) + round(price), not round(subjective + price) (regulations §1.5 step 3)."""
    # subjective 10.004 → 10.00; price 80000 × 0.30 × 100 / 99983.34 = 24.0039991… → 24.00;
    # their unrounded sum 34.0079991… would round to 34.01.
    table = {e: {"A": ["10.004"], "B": ["10.004"], "C": ["10.004"]} for e in ("E1", "E2", "E3")}
    data = consultation(table, {"A": "80000", "B": "99983.34", "C": "120000"}, criteria=ONE)
    result = evaluate(data)
    b = bid(result, "B")
    assert b["subjective"] == "10.00"
    assert b["price_score"] == "24.00"
    assert b["total"] == "34.00"


@pytest.mark.parametrize(("decimals", "expected"), [(0, "3"), (1, "2.7"), (3, "2.675"), (4, "2.6750")])
def test_decimals_setting(decimals: int, expected: str) -> None:
    table = {"E1": {"P": ["2.67"], "Q": ["1"]}, "E2": {"P": ["2.68"], "Q": ["1"]}}
    result = evaluate(review("approval", table, criteria=ONE, decimals=decimals, pass_score="0"))
    assert bid(result, "P")["subjective"] == expected


def test_mean_of_three_is_exact_before_rounding() -> None:
    # (10 + 10 + 10.01) / 3 = 10.00333… → 10.00 ; (10 + 10.01 + 10.01) / 3 = 10.00666… → 10.01
    table = {
        "E1": {"P": ["10"], "Q": ["10"]},
        "E2": {"P": ["10"], "Q": ["10.01"]},
        "E3": {"P": ["10.01"], "Q": ["10.01"]},
    }
    result = evaluate(review("approval", table, criteria=ONE, pass_score="0"))
    assert bid(result, "P")["subjective"] == "10.00"
    assert bid(result, "Q")["subjective"] == "10.01"


def test_float_inputs_are_read_as_their_decimal_repr() -> None:
    # 2.675 as a float is 2.67499999…; the library reads it as the decimal 2.675 the clerk typed.
    table = {"E1": {"P": [2.675], "Q": [1]}, "E2": {"P": [2.675], "Q": [1]}}
    result = evaluate(review("approval", table, criteria=ONE, pass_score="0"))
    assert bid(result, "P")["subjective"] == "2.68"
