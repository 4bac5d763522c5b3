"""The scoring input: built in one place, from the review's rows, exactly as `scoring.evaluate`
and `python -m scoring evaluate` read it (docs/scoring.md §3).

`scoring_input` is pure (plain values in, a JSON-ready dict out); `load_scoring_input` reads
the database and calls it. The published Result stores this dict unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.audit.chain import canonical_sha256
from app.exports.bundle import decimal_text
from app.reviews.tables import Bid, Criterion, ReviewKind

#: Review.category → scoring's price-weight range ("goods" 30–60 %, "service" 10–30 %; regulations §1.4).
CATEGORY_TO_SCORING = {
    "goods": "goods",
    "services": "service",
    "gov_service": "service",
    "research": "service",
    "tech_transfer": "service",
}
#: 2 valid suppliers may continue: 政府购买服务 (财库〔2015〕124号), 科研 / 科技成果转化 (214号 Art. 21 ¶3).
TWO_SUPPLIER_CATEGORIES = frozenset({"gov_service", "research", "tech_transfer"})

DEFAULT_PASS_SCORE = Decimal("60")


def scoring_input(
    *,
    review: Mapping[str, Any],
    criteria: Iterable[Mapping[str, Any]],
    bids: Iterable[Mapping[str, Any]],
    scores: Iterable[Mapping[str, Any]],
    budget: Decimal | None = None,
    pass_score: Decimal | None = None,
    anomaly_threshold: Decimal | None = None,
    price_weight_approved: bool = False,
) -> dict[str, Any]:
    """The dict given to scoring.evaluate.

    `review`: id, kind, category, price_weight. `criteria`: id, name, max_points, group, kind, veto.
    `bids`: id, supplier_name, title, final_quote, valid. `scores`: expert (key), bid, criterion, value.
    Every decimal travels as a decimal string, never a float.
    """
    kind = review["kind"]
    data: dict[str, Any] = {"method": kind, "decimals": 2, "seed": int(review["id"])}
    if kind == ReviewKind.CONSULTATION.value:
        category = review.get("category") or "services"
        data["category"] = CATEGORY_TO_SCORING.get(category, "service")
        weight = review.get("price_weight")
        data["price_weight"] = decimal_text(weight) if weight is not None else None
        data["price_weight_approved"] = bool(price_weight_approved)
        data["two_supplier_exception"] = category in TWO_SUPPLIER_CATEGORIES
        data["candidates"] = 3
    else:
        data["pass_score"] = decimal_text(pass_score if pass_score is not None else DEFAULT_PASS_SCORE)
    if budget is not None:
        data["budget"] = decimal_text(budget)
    if anomaly_threshold is not None:
        data["anomaly_threshold"] = decimal_text(anomaly_threshold)
    data["criteria"] = [_criterion(c, kind) for c in criteria]
    bid_rows = []
    for b in bids:
        row: dict[str, Any] = {"id": b["id"], "name": b["title"] or b["supplier_name"], "valid": bool(b["valid"])}
        if b.get("final_quote") is not None:
            row["final_quote"] = str(Decimal(b["final_quote"]).quantize(Decimal("0.01")))
        bid_rows.append(row)
    data["bids"] = bid_rows
    data["scores"] = [
        {"expert": str(s["expert"]), "bid": s["bid"], "criterion": s["criterion"], "value": decimal_text(s["value"])}
        for s in sorted(scores, key=lambda s: (str(s["expert"]), s["bid"], s["criterion"]))
    ]
    return data


def _criterion(c: Mapping[str, Any], kind: str) -> dict[str, Any]:
    veto = bool(c["veto"]) and kind == ReviewKind.ACCEPTANCE.value
    if veto and Decimal(str(c["max_points"] or 0)) == 0:
        # 否决项 as a 是/否 question (docs/scoring.md §1.3): answers 1 (否) / 0 (是, vetoed), no points
        return {"id": c["id"], "name": c["name"], "max": "1", "group": c["group"], "kind": c["kind"],
                "veto": True, "points": False}
    return {"id": c["id"], "name": c["name"], "max": decimal_text(c["max_points"]), "group": c["group"],
            "kind": c["kind"], "veto": veto}


def legal_part(output: Mapping[str, Any]) -> dict[str, Any]:
    """The legal result (docs/scoring.md §5 step 3): what members sign and the agency publishes."""
    return {
        "bids": [{k: b.get(k) for k in ("id", "subjective", "price_score", "total", "rank", "passed")}
                 for b in output.get("bids", [])],
        "candidates": list(output.get("candidates", [])),
    }


def result_sha256(output: Mapping[str, Any]) -> str:
    return canonical_sha256(legal_part(output))


async def review_rubric(review_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(criteria, bids) of a review in position order."""
    criteria = await (
        Criterion.select().where(Criterion.review == review_id).order_by(Criterion.position).order_by(Criterion.id)
    )
    bids = await Bid.select().where(Bid.review == review_id).order_by(Bid.position).order_by(Bid.id)
    return criteria, bids
