"""Aggregation by method: plain mean, trimmed mean rules, pass_score and veto (立项 / 验收)."""

from __future__ import annotations

import pytest

from scoring import ScoringError, evaluate

from .helpers import E3, E5, bid, codes, consultation, review, uniform

ONE = [{"id": "Q", "name": "质量", "max": 100, "group": "technical"}]


def column(values: list[str], bids: tuple[str, ...] = ("P", "R")) -> dict:
    """Expert i gives bid P values[i]; bid R always 50."""
    return {f"E{i + 1}": {b: [v] if b == "P" else ["50"] for b in bids} for i, v in enumerate(values)}


def test_mean_of_expert_sums() -> None:
    table = {
        "E1": {"A": [30, 15, 5], "B": [20, 10, 5], "C": [10, 10, 5]},
        "E2": {"A": [32, 16, 6], "B": [20, 10, 5], "C": [10, 10, 5]},
        "E3": {"A": [31, 14, 7], "B": [20, 10, 5], "C": [10, 10, 5]},
    }
    result = evaluate(consultation(table, {"A": "100", "B": "100", "C": "100"}))
    # sums 50, 54, 52 → 52.00; technical 45, 48, 45 → 46.00
    assert bid(result, "A")["subjective"] == "52.00"
    assert bid(result, "A")["technical"] == "46.00"
    assert bid(result, "A")["total"] == "82.00"


def test_trimmed_mean_drops_one_highest_and_one_lowest() -> None:
    table = column(["90", "70", "71", "72", "10"])
    plain = evaluate(review("approval", table, criteria=ONE))
    trimmed = evaluate(review("approval", table, criteria=ONE, aggregation="trimmed_mean"))
    assert bid(plain, "P")["subjective"] == "62.60"
    assert bid(trimmed, "P")["subjective"] == "71.00"
    assert bid(trimmed, "P")["passed"] is True
    assert any("trimmed mean" in w for w in trimmed["warnings"])


def test_trimmed_mean_drops_only_one_copy_of_a_repeated_extreme() -> None:
    result = evaluate(
        review("acceptance", column(["80", "80", "60", "60", "70"]), criteria=ONE, aggregation="trimmed_mean")
    )
    assert bid(result, "P")["subjective"] == "70.00"  # (80 + 60 + 70) / 3


def test_trimmed_mean_needs_five_experts() -> None:
    with pytest.raises(ScoringError) as caught:
        evaluate(review("approval", column(["90", "70", "71", "10"]), criteria=ONE, aggregation="trimmed_mean"))
    assert codes(caught.value) == ["invalid_input"]
    assert "at least 5 experts" in caught.value.errors[0]["message"]


def test_trimmed_mean_never_for_consultation() -> None:
    table = uniform(E5, {"A": [30, 10, 5], "B": [20, 10, 5], "C": [10, 10, 5]})
    with pytest.raises(ScoringError) as caught:
        evaluate(consultation(table, {"A": "1", "B": "2", "C": "3"}, aggregation="trimmed_mean"))
    assert codes(caught.value) == ["invalid_input"]
    assert "214" in caught.value.errors[0]["message"]


@pytest.mark.parametrize(("value", "passed"), [("59.99", False), ("60", True), ("60.004", True), ("59.995", True)])
def test_pass_score_compares_the_displayed_total(value: str, passed: bool) -> None:
    # 59.995 displays as 60.00, which is what the published sheet shows and what passes
    result = evaluate(review("approval", column([value] * 3), criteria=ONE, pass_score="60"))
    assert bid(result, "P")["passed"] is passed
    assert ("P" in result["candidates"]) is passed


def test_pass_score_is_required_for_approval_and_acceptance() -> None:
    for method in ("approval", "acceptance"):
        data = review(method, column(["70"] * 3), criteria=ONE)
        del data["pass_score"]
        with pytest.raises(ScoringError) as caught:
            evaluate(data)
        assert codes(caught.value) == ["invalid_input"]


VETO = [
    {"id": "Q", "name": "质量", "max": 90, "group": "technical"},
    {"id": "V", "name": "安全事故（否决项）", "max": 10, "veto": True},
]


def test_veto_criterion_scored_zero_by_any_expert_fails_the_project() -> None:
    table = {
        "E1": {"P": [85, 10], "R": [70, 10]},
        "E2": {"P": [85, 0], "R": [70, 10]},
        "E3": {"P": [85, 10], "R": [70, 10]},
    }
    result = evaluate(review("acceptance", table, criteria=VETO, pass_score="60"))
    p = bid(result, "P")
    assert p["total"] == "91.67" and p["passed"] is False
    assert "veto_failed" in p["flags"] and "below_pass_score" not in p["flags"]
    assert bid(result, "R")["passed"] is True
    assert result["candidates"] == ["R"]


def test_veto_only_for_acceptance() -> None:
    table = uniform(E3, {"P": [85, 10], "R": [70, 10]})
    with pytest.raises(ScoringError) as caught:
        evaluate(review("approval", table, criteria=VETO))
    assert codes(caught.value) == ["invalid_input"]
    assert "veto" in caught.value.errors[0]["message"]


YES_NO = [
    {"id": "Q", "name": "质量", "max": 100, "group": "technical"},
    {"id": "V", "name": "存在虚报冒领", "max": 1, "veto": True, "points": False},
]


def test_veto_question_adds_no_points_and_any_zero_answer_fails_the_project() -> None:
    table = {
        "E1": {"P": [85, 1], "R": [70, 1]},
        "E2": {"P": [86, 0], "R": [71, 1]},
        "E3": {"P": [87, 1], "R": [72, 1]},
    }
    result = evaluate(review("acceptance", table, criteria=YES_NO, pass_score="60"))
    p, r = bid(result, "P"), bid(result, "R")
    # the answers (1 = 否决不成立) are not points: totals are the mean of the scored criterion alone
    assert p["total"] == "86.00" and r["total"] == "71.00"
    assert p["passed"] is False and "veto_failed" in p["flags"] and "below_pass_score" not in p["flags"]
    assert r["passed"] is True and result["candidates"] == ["R"]
    assert [s["criterion"] for s in result["meta"]["score_steps"]] == ["Q"]
    assert not any(a.get("criterion") == "V" for a in result["anomalies"])


def test_veto_question_all_answered_one_passes() -> None:
    table = uniform(E3, {"P": [85, 1], "R": [50, 1]})
    result = evaluate(review("acceptance", table, criteria=YES_NO, pass_score="60"))
    assert bid(result, "P")["passed"] is True and bid(result, "P")["total"] == "85.00"
    assert bid(result, "R")["passed"] is False and bid(result, "R")["flags"] == ["below_pass_score"]


@pytest.mark.parametrize(
    ("criterion", "answer"),
    [
        ({"max": 1, "veto": True, "points": False}, "0.5"),  # an answer is 1 or 0, nothing between
        ({"max": 2, "veto": True, "points": False}, "1"),  # a question has max 1
        ({"max": 1, "points": False}, "1"),  # only a veto criterion may carry no points
        ({"max": 1, "veto": True, "points": "no"}, "1"),  # points is true or false
    ],
)
def test_veto_question_refuses_what_is_not_yes_or_no(criterion: dict, answer: str) -> None:
    criteria = [YES_NO[0], {"id": "V", "name": "存在虚报冒领", **criterion}]
    table = uniform(E3, {"P": [85, answer], "R": [70, 1]})
    with pytest.raises(ScoringError) as caught:
        evaluate(review("acceptance", table, criteria=criteria, pass_score="60"))
    assert set(codes(caught.value)) == {"invalid_input"}
    assert "V" in caught.value.errors[0]["message"]


def test_only_veto_questions_is_refused() -> None:
    table = uniform(E3, {"P": [1], "R": [1]})
    with pytest.raises(ScoringError) as caught:
        evaluate(review("acceptance", table, criteria=[YES_NO[1]], pass_score="60"))
    assert "至少要有一个计分的评分项" in caught.value.errors[0]["message"]


def test_consultation_has_no_passed_and_ignores_pass_score() -> None:
    table = uniform(E3, {"A": [30, 10, 5], "B": [20, 10, 5], "C": [10, 10, 5]})
    result = evaluate(consultation(table, {"A": "1", "B": "2", "C": "3"}, pass_score="60"))
    assert all(b["passed"] is None for b in result["bids"])
    assert any("pass_score" in w for w in result["warnings"])


def test_approval_ignores_a_price_weight() -> None:
    result = evaluate(review("approval", column(["70"] * 3), criteria=ONE, price_weight="0.3"))
    assert bid(result, "P")["price_score"] is None
    assert bid(result, "P")["total"] == "70.00"
    assert any("price_weight ignored" in w for w in result["warnings"])
