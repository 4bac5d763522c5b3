"""Every error code of the command-line contract, with messages naming expert, bid and criterion."""

from __future__ import annotations

import re
from typing import Any

import pytest

from scoring import ScoringError, evaluate

from .helpers import E3, codes, consultation, uniform

GOOD = {"A": [30, 15, 5], "B": [20, 10, 5], "C": [10, 10, 5]}
QUOTES = {"A": "100", "B": "110", "C": "120"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def good() -> dict[str, Any]:
    return consultation(uniform(E3, GOOD), dict(QUOTES))


def errors_of(data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ScoringError) as caught:
        evaluate(data)
    for error in caught.value.errors:
        assert set(error) >= {"code", "message"}
        zh, _, en = error["message"].partition(" / ")
        assert CJK.search(zh), error  # Chinese first …
        assert re.search(r"[a-z]{3,} [a-z]{2,}", en), error  # … then English
    return caught.value.errors


def test_good_input_has_no_error() -> None:
    assert evaluate(good())["candidates"] == ["A", "B", "C"]


def test_missing_score_names_expert_bid_and_criterion() -> None:
    data = good()
    data["scores"] = [
        s for s in data["scores"] if not (s["expert"] == "E2" and s["bid"] == "B" and s["criterion"] == "T2")
    ]
    errors = errors_of(data)
    assert [e["code"] for e in errors] == ["missing_score"]
    assert (errors[0]["expert"], errors[0]["bid"], errors[0]["criterion"]) == ("E2", "B", "T2")
    assert "E2" in errors[0]["message"] and "B" in errors[0]["message"] and "T2" in errors[0]["message"]


def test_scores_for_invalid_bids_are_not_required() -> None:
    data = good()
    data["bids"].append({"id": "X", "name": "无效", "valid": False})
    result = evaluate(data)
    assert result["bids"][-1] == {
        "id": "X",
        "name": "无效",
        "valid": False,
        "final_quote": None,
        "subjective": None,
        "price_score": None,
        "total": None,
        "technical": None,
        "rank": None,
        "passed": None,
        "flags": [],
        "abnormal_low_price_triggers": [],
        "z_score_mean": None,
        "mean_rank": None,
    }


@pytest.mark.parametrize("value", [41, -1, "40.5"])
def test_score_out_of_range_is_an_error_never_clamped(value: Any) -> None:
    data = good()
    data["scores"][0]["value"] = value  # E1, A, T1 (max 40)
    errors = errors_of(data)
    assert [e["code"] for e in errors] == ["score_out_of_range"]
    assert errors[0]["criterion"] == "T1" and "0–40" in errors[0]["message"]


@pytest.mark.parametrize(("field", "ref"), [("bid", "Z"), ("criterion", "T9")])
def test_unknown_reference(field: str, ref: str) -> None:
    data = good()
    data["scores"][4][field] = ref
    errors = errors_of(data)
    assert "unknown_reference" in [e["code"] for e in errors]
    assert any(ref in e["message"] for e in errors)


@pytest.mark.parametrize("quote", [None, "0", "-5", "abc", "1e5", True, [100]])
def test_invalid_quote(quote: Any) -> None:
    data = good()
    data["bids"][1]["final_quote"] = quote
    errors = errors_of(data)
    assert [e["code"] for e in errors] == ["invalid_quote"]
    assert errors[0]["bid"] == "B"


def test_invalid_quote_of_an_invalid_bid_is_not_an_error() -> None:
    data = good()
    data["bids"].append({"id": "X", "name": "无效", "final_quote": "abc", "valid": False})
    assert evaluate(data)["bids"][-1]["id"] == "X"


def test_price_weight_out_of_range() -> None:
    errors = errors_of({**good(), "price_weight": "0.5"})
    assert [e["code"] for e in errors] == ["price_weight_out_of_range"]
    assert "0.10–0.30" in errors[0]["message"]


def test_objective_mismatch() -> None:
    criteria = [
        {"id": "T1", "name": "方案", "max": 60, "group": "technical"},
        {"id": "O1", "name": "资质证书", "max": 10, "kind": "objective"},
    ]
    table = uniform(E3, {"A": [50, 10], "B": [40, 5], "C": [30, 0]})
    table["E3"]["B"] = [40, 6]
    errors = errors_of(consultation(table, dict(QUOTES), criteria=criteria))
    assert [e["code"] for e in errors] == ["objective_mismatch"]
    assert (errors[0]["bid"], errors[0]["criterion"]) == ("B", "O1")
    assert "E1=5" in errors[0]["message"] and "E3=6" in errors[0]["message"]


def test_messages_write_round_scores_as_plain_digits() -> None:
    criteria = [
        {"id": "T1", "name": "方案", "max": 60, "group": "technical"},
        {"id": "O1", "name": "资质证书", "max": 30, "kind": "objective"},
    ]
    table = uniform(E3, {"A": [50, 20], "B": [40, 10], "C": [30, 0]})
    table["E3"]["A"] = [50, 30]
    message = errors_of(consultation(table, dict(QUOTES), criteria=criteria))[0]["message"]
    assert "E1=20" in message and "E3=30" in message and "E+" not in message


def test_objective_criterion_equal_everywhere_is_fine() -> None:
    criteria = [
        {"id": "T1", "name": "方案", "max": 60, "group": "technical"},
        {"id": "O1", "name": "资质证书", "max": 10, "kind": "objective"},
    ]
    table = uniform(E3, {"A": [50, 10], "B": [40, 5], "C": [30, 0]})
    assert evaluate(consultation(table, dict(QUOTES), criteria=criteria))["candidates"] == ["A", "B", "C"]


def test_too_few_bids() -> None:
    data = good()
    data["bids"][2]["valid"] = False
    assert [e["code"] for e in errors_of(data)] == ["too_few_bids"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(method="auction"),
        lambda d: d.update(category="works"),
        lambda d: d.update(decimals=7),
        lambda d: d.update(decimals="2"),
        lambda d: d.update(candidates=0),
        lambda d: d.update(two_supplier_exception="yes"),
        lambda d: d.update(anomaly_threshold="0"),
        lambda d: d.update(anomaly_threshold="abc"),
        lambda d: d.update(max_price="-1"),
        lambda d: d.update(seed=-1),
        lambda d: d.update(criteria=[]),
        lambda d: d.update(criteria="T1"),
        lambda d: d.update(bids=None),
        lambda d: d.update(scores={}),
        lambda d: d["criteria"].append(dict(d["criteria"][0])),
        lambda d: d["criteria"][0].update(max=0),
        lambda d: d["criteria"][0].update(max="1.1234567"),
        lambda d: d["criteria"][0].update(kind="soft"),
        lambda d: d["bids"].append(dict(d["bids"][0])),
        lambda d: d["bids"][0].update(valid="true"),
        lambda d: d["bids"][0].pop("id"),
        lambda d: d["scores"].append(dict(d["scores"][0])),
        lambda d: d["scores"][0].update(value=True),
        lambda d: d["scores"][0].update(value="7,5"),
        lambda d: d["scores"][0].update(value=float("nan")),
        lambda d: d["scores"][0].update(value=0.1 + 0.2),
        lambda d: d["scores"][0].update(expert=None),
        lambda d: d["scores"][0].update(expert=["E1"]),
        lambda d: d["scores"][0].pop("value"),
        lambda d: d["scores"].append("E1,A,T1,30"),
    ],
)
def test_invalid_input(mutate: Any) -> None:
    data = good()
    mutate(data)
    assert "invalid_input" in [e["code"] for e in errors_of(data)]


@pytest.mark.parametrize("data", [None, [], "text", 3, {"method": "consultation"}])
def test_not_an_input_object(data: Any) -> None:
    assert "invalid_input" in [e["code"] for e in errors_of(data)]


def test_all_problems_are_reported_at_once() -> None:
    data = good()
    data["scores"][0]["value"] = 99
    data["scores"] = [s for s in data["scores"] if not (s["expert"] == "E3" and s["bid"] == "C")]
    with pytest.raises(ScoringError) as caught:
        evaluate(data)
    found = codes(caught.value)
    assert found.count("missing_score") == 3 and found.count("score_out_of_range") == 1


def test_error_list_is_capped() -> None:
    data = good()
    data["scores"] = [dict(s, value=99) for s in data["scores"]] * 10
    with pytest.raises(ScoringError) as caught:
        evaluate(data)
    assert len(caught.value.errors) == 201
    assert "more errors not listed" in caught.value.errors[-1]["message"]


def test_unknown_keys_are_warned_not_fatal() -> None:
    result = evaluate({**good(), "pricee_weight": "0.3"})
    assert any("pricee_weight" in w for w in result["warnings"])


def test_integer_ids_are_accepted() -> None:
    data = good()
    for b in data["bids"]:
        b["id"] = ord(b["id"])
    for s in data["scores"]:
        s["bid"] = ord(s["bid"])
        s["expert"] = int(s["expert"][1:])
    result = evaluate(data)
    assert result["candidates"] == [65, 66, 67]
    assert [e["id"] for e in result["experts"]] == ["1", "2", "3"]
