"""Property tests: order and labels of experts and bids do not matter; valid input never raises."""

from __future__ import annotations

import copy
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import ScoringError, evaluate

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def panels(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed panel: 1–6 experts, 3–5 bids, 1–3 criteria, scores on a 0.5 grid within range."""
    method = draw(st.sampled_from(["consultation", "approval", "acceptance"]))
    n_experts = draw(st.integers(1, 6))
    n_bids = draw(st.integers(3, 5))
    n_criteria = draw(st.integers(1, 3))
    criteria = []
    for c in range(n_criteria):
        criteria.append(
            {
                "id": f"C{c + 1}",
                "name": f"评分项{c + 1}",
                "max": draw(st.sampled_from([5, 10, 20, 35])),
                "group": draw(st.sampled_from(["technical", "commercial", None])),
                "kind": "objective" if draw(st.booleans()) and c > 0 else "subjective",
                "veto": method == "acceptance" and c == n_criteria - 1 and draw(st.booleans()),
            }
        )
    bids = [
        {
            "id": f"B{b + 1}",
            "name": f"供应商{b + 1}",
            "final_quote": str(Decimal(draw(st.integers(1, 10_000_000))) / 100),
            "valid": True,
        }
        for b in range(n_bids)
    ]
    scores = []
    for c in criteria:
        steps = int(c["max"]) * 2
        shared = {b["id"]: draw(st.integers(0, steps)) for b in bids}
        for e in range(n_experts):
            for b in bids:
                half = shared[b["id"]] if c["kind"] == "objective" else draw(st.integers(0, steps))
                value: Any = half // 2 if half % 2 == 0 else f"{half // 2}.5"
                scores.append({"expert": f"E{e + 1}", "bid": b["id"], "criterion": c["id"], "value": value})
    data: dict[str, Any] = {"method": method, "criteria": criteria, "bids": bids, "scores": scores}
    if method == "consultation":
        data.update(category="service", price_weight=draw(st.sampled_from(["0.10", "0.25", "0.30"])))
    else:
        data["pass_score"] = str(draw(st.integers(0, 60)))
    data["decimals"] = draw(st.integers(0, 3))
    return data


@SETTINGS
@given(panels())
def test_in_range_scores_never_raise(data: dict[str, Any]) -> None:
    result = evaluate(data)
    ranked = [b for b in result["bids"] if b["rank"] is not None]
    assert len(ranked) == len(data["bids"])
    places = data["decimals"]
    for b in ranked:
        assert len(b["total"].partition(".")[2]) == places
    assert sorted(b["rank"] for b in ranked)[0] == 1
    assert sum(result["stability"]["p_rank1"].values()) == pytest.approx(1.0, abs=1e-5)


@SETTINGS
@given(panels(), st.randoms(use_true_random=False))
def test_input_order_never_changes_the_output(data: dict[str, Any], rng: random.Random) -> None:
    shuffled = copy.deepcopy(data)
    for key in ("scores", "bids", "criteria"):
        rng.shuffle(shuffled[key])
    assert evaluate(shuffled) == evaluate(data)


def relabel(data: dict[str, Any], mapping: dict[str, str], field: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for s in out["scores"]:
        s[field] = mapping[s[field]]
    if field == "bid":
        for b in out["bids"]:
            b["id"] = mapping[b["id"]]
    return out


def legal(result: dict[str, Any], bid_map: dict[str, str] | None = None) -> dict[str, Any]:
    back = {v: k for k, v in (bid_map or {}).items()}
    return {
        back.get(b["id"], b["id"]): (b["subjective"], b["price_score"], b["total"], b["rank"], b["passed"])
        for b in result["bids"]
    }


@SETTINGS
@given(panels(), st.randoms(use_true_random=False))
def test_permuting_expert_labels_changes_nothing_but_names(data: dict[str, Any], rng: random.Random) -> None:
    experts = sorted({s["expert"] for s in data["scores"]})
    permuted = experts[:]
    rng.shuffle(permuted)
    mapping = dict(zip(experts, permuted, strict=True))
    before, after = evaluate(data), evaluate(relabel(data, mapping, "expert"))
    assert legal(after) == legal(before)
    assert after["candidates"] == before["candidates"]
    for key, value in before["agreement"].items():
        assert after["agreement"][key] == (pytest.approx(value, abs=1e-6) if isinstance(value, float) else value)
    assert after["stability"]["p_rank1"] == pytest.approx(before["stability"]["p_rank1"], abs=1e-6)
    assert sorted(after["stability"]["pivotal_experts"]) == sorted(
        mapping[e] for e in before["stability"]["pivotal_experts"]
    )
    renamed = [{**a, "expert": mapping[a["expert"]]} for a in before["anomalies"]]
    key = lambda a: (a["expert"], a["bid"], a["criterion"] or "")  # noqa: E731
    assert sorted(after["anomalies"], key=key) == sorted(renamed, key=key)


@SETTINGS
@given(panels(), st.randoms(use_true_random=False))
def test_permuting_bid_labels_changes_nothing_but_names(data: dict[str, Any], rng: random.Random) -> None:
    bids = [b["id"] for b in data["bids"]]
    permuted = bids[:]
    rng.shuffle(permuted)
    mapping = dict(zip(bids, permuted, strict=True))
    before, after = evaluate(data), evaluate(relabel(data, mapping, "bid"))
    assert legal(after, mapping) == legal(before)
    assert after["agreement"]["kendall_w"] == before["agreement"]["kendall_w"] or (
        after["agreement"]["kendall_w"] == pytest.approx(before["agreement"]["kendall_w"], abs=1e-6)
    )
    back = {v: k for k, v in mapping.items()}
    assert {back[k]: v for k, v in after["stability"]["p_rank1"].items()} == pytest.approx(
        before["stability"]["p_rank1"], abs=1e-6
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@SETTINGS
@given(json_values)
def test_garbage_raises_only_scoring_error(garbage: Any) -> None:
    with pytest.raises(ScoringError):
        evaluate(garbage)


FIELDS = [
    "method",
    "category",
    "price_weight",
    "decimals",
    "candidates",
    "pass_score",
    "aggregation",
    "anomaly_threshold",
    "budget",
    "max_price",
    "criteria",
    "bids",
    "scores",
    "abnormal_low_ratios",
    "seed",
]


@SETTINGS
@given(panels(), st.sampled_from(FIELDS), json_values)
def test_any_wrong_field_gives_errors_not_exceptions(data: dict[str, Any], field: str, value: Any) -> None:
    data = copy.deepcopy(data)
    data[field] = value
    try:
        evaluate(data)
    except ScoringError as exc:
        assert exc.errors and all(e["code"] and e["message"] for e in exc.errors)


@SETTINGS
@given(panels(), st.data())
def test_any_wrong_item_gives_errors_not_exceptions(data: dict[str, Any], pick: st.DataObject) -> None:
    data = copy.deepcopy(data)
    where = pick.draw(st.sampled_from(["scores", "bids", "criteria"]))
    item = pick.draw(st.sampled_from(data[where]))
    key = pick.draw(st.sampled_from(sorted(item)))
    item[key] = pick.draw(json_values)
    try:
        evaluate(data)
    except ScoringError as exc:
        assert exc.errors
