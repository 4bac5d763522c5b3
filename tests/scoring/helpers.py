"""Builders for scoring inputs, so each test states only the numbers it is about."""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_CRITERIA = [
    {"id": "T1", "name": "服务方案", "max": 40, "group": "technical"},
    {"id": "T2", "name": "团队", "max": 20, "group": "technical"},
    {"id": "S1", "name": "服务承诺", "max": 10, "group": "commercial"},
]


def scores_from(table: dict[str, dict[str, list[Any]]], criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """table[expert][bid] = one value per criterion, in `criteria` order."""
    return [
        {"expert": expert, "bid": bid, "criterion": c["id"], "value": value}
        for expert, row in table.items()
        for bid, values in row.items()
        for c, value in zip(criteria, values, strict=True)
    ]


def consultation(
    table: dict[str, dict[str, list[Any]]],
    quotes: dict[str, str],
    criteria: list[dict[str, Any]] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """A 竞争性磋商 input: services, price weight 0.30, criteria maxima summing to 70."""
    criteria = copy.deepcopy(criteria if criteria is not None else DEFAULT_CRITERIA)
    data: dict[str, Any] = {
        "method": "consultation",
        "category": "service",
        "price_weight": "0.30",
        "criteria": criteria,
        "bids": [{"id": b, "name": f"供应商{b}", "final_quote": q, "valid": True} for b, q in quotes.items()],
        "scores": scores_from(table, criteria),
    }
    data.update(settings)
    return data


def review(
    method: str,
    table: dict[str, dict[str, list[Any]]],
    criteria: list[dict[str, Any]] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """An approval (立项) or acceptance (验收) input; projects have no quotes."""
    criteria = copy.deepcopy(criteria if criteria is not None else DEFAULT_CRITERIA)
    bid_ids = list(next(iter(table.values())))
    data: dict[str, Any] = {
        "method": method,
        "pass_score": "60",
        "criteria": criteria,
        "bids": [{"id": b, "name": f"项目{b}"} for b in bid_ids],
        "scores": scores_from(table, criteria),
    }
    data.update(settings)
    return data


def uniform(experts: list[str], per_bid: dict[str, list[Any]]) -> dict[str, dict[str, list[Any]]]:
    """Every expert gives each bid the same scores."""
    return {e: {b: list(v) for b, v in per_bid.items()} for e in experts}


def bid(result: dict[str, Any], bid_id: Any) -> dict[str, Any]:
    return next(b for b in result["bids"] if b["id"] == bid_id)


def codes(exc: Any) -> list[str]:
    return [e["code"] for e in exc.errors]


E3 = ["E1", "E2", "E3"]
E5 = ["E1", "E2", "E3", "E4", "E5"]
