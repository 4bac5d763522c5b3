"""The worked example in docs/scoring.md must stay the library's real output."""

from __future__ import annotations

import json
from pathlib import Path

from scoring import evaluate

DOC = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"


def example_input() -> dict:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## 7. The example input", 1)[1]
    block = section.split("```json", 1)[1].split("```", 1)[0]
    return json.loads(block)


def test_docs_example_figures() -> None:
    result = evaluate(example_input())
    assert [(b["id"], b["subjective"], b["price_score"], b["total"], b["rank"]) for b in result["bids"]] == [
        ("C", "57.33", "26.67", "84.00", 1),
        ("A", "51.00", "30.00", "81.00", 2),
        ("B", "56.17", "24.00", "80.17", 3),
    ]
    assert result["anomalies"][0] == {
        "expert": "E3",
        "bid": "B",
        "criterion": None,
        "value": "46.00",
        "others_mean": "61.25",
        "deviation": "-15.25",
    }
    assert result["agreement"] == {
        "kendall_w": 0.212121,
        "p_value": 0.666667,
        "p_value_method": "exact",
        "permutation_draws": None,
        "icc_a1": -0.272496,
        "icc_ak": -1.796642,
    }
    assert result["stability"]["p_rank1"] == {"A": 0.0, "B": 0.296296, "C": 0.703704}
    assert result["stability"]["pivotal_experts"] == ["E3"] and result["stability"]["robust"] is False
    assert result["meta"]["abnormal_low_price_thresholds"]["below_max_price"] == "54000.00"
