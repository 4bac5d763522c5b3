"""Assemble a validated `Panel` from the JSON-like input, or raise `ScoringError` with every problem."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import INVALID_INPUT, ErrorList
from .model import (
    CONSULTATION,
    TRIMMED_MEAN,
    TRIMMED_MIN_EXPERTS,
    Panel,
    check_bid_count,
    parse_bids,
    parse_config,
    parse_criteria,
)
from .numbers import decimal_places
from .scores import build_sheet, score_step

# Every exact sum below, times the resample size and 2·10^decimals, must stay inside int64.
_INT64_HEADROOM = 2**62


def parse_input(data: Any) -> Panel:
    errors = ErrorList()
    warnings: list[str] = []
    if not isinstance(data, dict):
        errors.add(INVALID_INPUT, "输入应为 JSON 对象", "the input must be a JSON object")
        errors.raise_if_any()
    config = parse_config(data, errors, warnings)
    if decimal_places(config.anomaly_threshold) > 6:
        errors.add(
            INVALID_INPUT, "anomaly_threshold 至多 6 位小数", "anomaly_threshold has at most 6 decimals"
        )
    criteria = parse_criteria(data.get("criteria"), config, errors)
    bids = parse_bids(data.get("bids"), config, errors, warnings)
    if bids:
        check_bid_count(config, bids, errors, warnings)
    if errors or not criteria or not bids:
        errors.raise_if_any()
    sheet = build_sheet(data.get("scores"), criteria, bids, errors)
    errors.raise_if_any()
    assert sheet is not None
    n_experts = len(sheet.experts)
    if config.aggregation == TRIMMED_MEAN and n_experts < TRIMMED_MIN_EXPERTS:
        errors.add(
            INVALID_INPUT,
            f"去掉最高分和最低分需要至少 {TRIMMED_MIN_EXPERTS} 名专家，本次只有 {n_experts} 名",
            f"a trimmed mean needs at least {TRIMMED_MIN_EXPERTS} experts; this panel has {n_experts}",
        )
    bound = n_experts * int(sheet.max_units.sum()) * 2 * 10**config.decimals
    if bound >= _INT64_HEADROOM:
        errors.add(
            INVALID_INPUT,
            "满分、小数位数与专家人数过大，无法精确计算",
            "criterion maxima, decimal places and panel size are too large to compute exactly",
        )
    errors.raise_if_any()
    _panel_warnings(config, criteria, bids, sheet.experts, data.get("scores"), warnings)
    valid_bids = tuple(b for b in bids if b.valid)
    return Panel(
        config=config,
        criteria=criteria,
        bids=bids,
        valid_bids=valid_bids,
        experts=sheet.experts,
        scale=sheet.scale,
        scores=sheet.values,
        max_units=sheet.max_units,
        step_units=score_step(sheet.values, sheet.max_units),
        warnings=warnings,
    )


def _panel_warnings(
    config: Any, criteria: Any, bids: Any, experts: Any, scores: Any, warnings: list[str]
) -> None:
    n = len(experts)
    if config.method == CONSULTATION:
        if n < 3 or n % 2 == 0:
            warnings.append(
                f"磋商小组应为 3 人以上单数（财库〔2014〕214号第14条），本次评分人数为 {n} / "
                f"a consultation panel must be odd and at least 3 (财库〔2014〕214号 Art. 14); {n} scored"
            )
        subjective_max = sum((c.max for c in criteria), Decimal(0))
        assert config.price_weight is not None
        expected = (Decimal(1) - config.price_weight) * 100
        if subjective_max != expected:
            warnings.append(
                f"各评分项满分之和为 {subjective_max}，"
                f"与 100 ×（1 − 价格权值）= {expected.normalize()} 不一致 / "
                f"criterion maxima add up to {subjective_max}, not 100 × (1 − price_weight) = "
                f"{expected.normalize()}"
            )
        if config.pass_score is not None:
            warnings.append("竞争性磋商不设合格分，忽略 pass_score / consultation has no pass_score; ignored")
    if n < 2:
        warnings.append(
            "只有 1 名专家评分，无法计算一致性、异常评分与稳定性 / "
            "only one expert scored: agreement, anomalies and stability need at least two"
        )
    invalid = {b.key for b in bids if not b.valid}
    if invalid and isinstance(scores, list):
        ignored = sum(1 for s in scores if isinstance(s, dict) and str(s.get("bid")) in invalid)
        if ignored:
            warnings.append(
                f"无效投标的 {ignored} 条评分不参与计算 / {ignored} scores of invalid bids are not counted"
            )
