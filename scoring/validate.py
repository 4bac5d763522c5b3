"""Assemble a validated `Panel` from the JSON-like input, or raise `ScoringError` with every problem.

`parse_input` accepts the command line's JSON object (or the same dict from Python): settings are
read by config.py, criteria and bids here, the score sheet by scores.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np

from .config import parse_config
from .errors import INVALID_INPUT, INVALID_QUOTE, TOO_FEW_BIDS, ErrorList
from .model import (
    ACCEPTANCE,
    CONSULTATION,
    MAX_DECIMALS,
    TRIMMED_MEAN,
    TRIMMED_MIN_EXPERTS,
    Bid,
    Config,
    Criterion,
    Panel,
    ident,
)
from .numbers import NotADecimal, decimal_places, natural_key, plain, to_decimal
from .scores import ScoreSheet, build_sheet, score_steps

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
        errors.add(INVALID_INPUT, "anomaly_threshold 至多 6 位小数", "anomaly_threshold has at most 6 decimals")
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
    valid_bids = tuple(b for b in bids if b.valid)
    values, max_units, checks, check_vetoed = _split_veto_checks(sheet, criteria, valid_bids, errors)
    errors.raise_if_any()
    criteria = tuple(c for c in criteria if c.points)
    _panel_warnings(config, criteria, sheet.experts, sheet.ignored, warnings)
    return Panel(
        config=config,
        criteria=criteria,
        bids=bids,
        valid_bids=valid_bids,
        experts=sheet.experts,
        scale=sheet.scale,
        scores=values,
        max_units=max_units,
        step_units=score_steps(values, max_units, criteria, sheet.scale),
        warnings=warnings,
        veto_checks=checks,
        check_vetoed=check_vetoed,
    )


def _split_veto_checks(
    sheet: ScoreSheet, criteria: tuple[Criterion, ...], valid_bids: tuple[Bid, ...], errors: ErrorList
) -> tuple[np.ndarray, np.ndarray, tuple[Criterion, ...], np.ndarray | None]:
    """Take the 是/否 veto questions (`points: false`) out of the score array.

    Their answers are 1 (否决不成立) or 0 (否决); they decide `vetoed` and nothing else, so a veto
    question never adds to a total, a mean or a diagnostic. Inputs without them are unchanged.
    """
    keep = [i for i, c in enumerate(criteria) if c.points]
    checks = [i for i, c in enumerate(criteria) if not c.points]
    if not checks:
        return sheet.values, sheet.max_units, (), None
    if not keep:
        errors.add(INVALID_INPUT, "至少要有一个计分的评分项", "at least one criterion must carry points")
    unit = 10**sheet.scale
    answers = sheet.values[:, :, checks]
    for e, v, k in zip(*np.nonzero((answers != 0) & (answers != unit)), strict=True):
        c = criteria[checks[k]]
        errors.add(
            INVALID_INPUT,
            f"专家 {sheet.experts[e]} 对投标 {valid_bids[v].key} 的否决项 {c.key}（{c.name}）"
            "只能答 1（否决不成立）或 0（否决）",
            f"expert {sheet.experts[e]}, bid {valid_bids[v].key}: veto question {c.key} ({c.name}) takes 1 "
            "(not vetoed) or 0 (vetoed) only",
            expert=sheet.experts[e],
            bid=valid_bids[v].key,
            criterion=c.key,
        )
    vetoed = (answers == 0).any(axis=(0, 2))
    return (
        sheet.values[:, :, keep],
        sheet.max_units[keep],
        tuple(criteria[i] for i in checks),
        vetoed,
    )


def _panel_warnings(
    config: Config,
    criteria: tuple[Criterion, ...],
    experts: tuple[str, ...],
    ignored: int,
    warnings: list[str],
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
                f"与 100 ×（1 − 价格权值）= {plain(expected.normalize())} 不一致 / "
                f"criterion maxima add up to {subjective_max}, not 100 × (1 − price_weight) = "
                f"{plain(expected.normalize())}"
            )
        if config.pass_score is not None:
            warnings.append("竞争性磋商不设合格分，忽略 pass_score / consultation has no pass_score; ignored")
    if n < 2:
        warnings.append(
            "只有 1 名专家评分，无法计算一致性、异常评分与稳定性 / "
            "only one expert scored: agreement, anomalies and stability need at least two"
        )
    if ignored:
        warnings.append(f"无效投标的 {ignored} 条评分不参与计算 / {ignored} scores of invalid bids are not counted")


def parse_criteria(raw: Any, config: Config, errors: ErrorList) -> tuple[Criterion, ...]:
    if not isinstance(raw, list) or not raw:
        errors.add(INVALID_INPUT, "criteria 应为非空列表", "criteria must be a non-empty list")
        return ()
    criteria: dict[str, Criterion] = {}
    for index, item in enumerate(raw):
        where_zh, where_en = f"criteria[{index}]", f"criteria[{index}]"
        key = ident(item.get("id")) if isinstance(item, dict) else None
        if key is None:
            errors.add(INVALID_INPUT, f"{where_zh} 须为带 id 的对象", f"{where_en} must be an object with an id")
            continue
        if key in criteria:
            errors.add(INVALID_INPUT, f"评分项 {key} 重复", f"criterion {key} is listed twice", criterion=key)
            continue
        try:
            maximum = to_decimal(item.get("max"))
        except NotADecimal:
            maximum = Decimal(-1)
        if maximum <= 0 or decimal_places(maximum) > MAX_DECIMALS:
            errors.add(
                INVALID_INPUT,
                f"评分项 {key} 的满分 max 应为正数（至多 {MAX_DECIMALS} 位小数），实际为 {item.get('max')!r}",
                f"criterion {key}: max must be a positive number with at most {MAX_DECIMALS} decimals, "
                f"got {item.get('max')!r}",
                criterion=key,
            )
            continue
        kind = item.get("kind") or "subjective"
        group = item.get("group")
        veto = item.get("veto", False)
        points = item.get("points", True)
        name = item.get("name", key)
        if (
            kind not in ("subjective", "objective")
            or not isinstance(group, str | None)
            or not isinstance(veto, bool | None)
            or not isinstance(points, bool | None)
            or not isinstance(name, str | int)
        ):
            errors.add(
                INVALID_INPUT,
                f"评分项 {key}：kind 应为 subjective/objective，group 为字符串，veto 为布尔值",
                f"criterion {key}: kind must be subjective or objective, group a string, veto and points true/false",
                criterion=key,
            )
            continue
        if points is False and (not veto or maximum != 1):
            errors.add(
                INVALID_INPUT,
                f"评分项 {key} 不计分（points 为 false），只能是满分为 1 的否决项（veto，1 = 否决不成立，0 = 否决）",
                f"criterion {key} has points false: only a veto criterion with max 1 may carry no points "
                "(1 = not vetoed, 0 = vetoed)",
                criterion=key,
            )
            continue
        if veto and config.method != ACCEPTANCE:
            errors.add(
                INVALID_INPUT,
                f"评分项 {key} 标为否决项 veto，但否决项只用于评估验收（acceptance）",
                f"criterion {key} is marked veto, but veto criteria apply to acceptance only",
                criterion=key,
            )
        step = _criterion_step(item.get("step"), key, maximum, errors)
        criteria[key] = Criterion(
            item["id"], key, str(name), maximum, group, kind, bool(veto), step, points=points is not False
        )
    return tuple(sorted(criteria.values(), key=lambda c: natural_key(c.key)))


def _criterion_step(raw: Any, key: str, maximum: Decimal, errors: ErrorList) -> Decimal | None:
    if raw is None:
        return None
    try:
        step = to_decimal(raw)
    except NotADecimal:
        step = Decimal(-1)
    if not Decimal(0) < step <= maximum or decimal_places(step) > MAX_DECIMALS:
        errors.add(
            INVALID_INPUT,
            f"评分项 {key} 的评分步长 step 应为不超过满分的正数，实际为 {raw!r}",
            f"criterion {key}: step must be a positive number no larger than max, got {raw!r}",
            criterion=key,
        )
        return None
    return step


def parse_bids(raw: Any, config: Config, errors: ErrorList, warnings: list[str]) -> tuple[Bid, ...]:
    if not isinstance(raw, list) or not raw:
        errors.add(INVALID_INPUT, "bids 应为非空列表", "bids must be a non-empty list")
        return ()
    bids: dict[str, Bid] = {}
    for index, item in enumerate(raw):
        key = ident(item.get("id")) if isinstance(item, dict) else None
        if key is None:
            errors.add(
                INVALID_INPUT,
                f"bids[{index}] 须为带 id 的对象",
                f"bids[{index}] must be an object with an id",
            )
            continue
        if key in bids:
            errors.add(INVALID_INPUT, f"投标 {key} 重复", f"bid {key} is listed twice", bid=key)
            continue
        valid = item.get("valid", True)
        name = item.get("name", key)
        if not isinstance(valid, bool) or not isinstance(name, str | int):
            errors.add(
                INVALID_INPUT,
                f"投标 {key}：valid 应为布尔值，name 为字符串",
                f"bid {key}: valid must be true or false and name a string",
                bid=key,
            )
            continue
        quote = _parse_quote(item.get("final_quote"), key, valid, config, errors)
        bids[key] = Bid(item["id"], key, str(name), quote, valid)
    return tuple(sorted(bids.values(), key=lambda b: natural_key(b.key)))


def _parse_quote(raw: Any, key: str, valid: bool, config: Config, errors: ErrorList) -> Decimal | None:
    if raw is None:
        if config.has_price and valid:
            errors.add(
                INVALID_QUOTE,
                f"有效投标 {key} 缺少最后报价 final_quote",
                f"valid bid {key} has no final_quote",
                bid=key,
            )
        return None
    try:
        quote = to_decimal(raw)
    except NotADecimal:
        quote = None
    if quote is None or quote <= 0:
        if config.has_price and valid:
            errors.add(
                INVALID_QUOTE,
                f'投标 {key} 的最后报价 {raw!r} 不是正的十进制数（如 "80000.00"）',
                f'bid {key}: final_quote {raw!r} is not a positive decimal such as "80000.00"',
                bid=key,
            )
        return None
    return quote


def check_bid_count(config: Config, bids: tuple[Bid, ...], errors: ErrorList, warnings: list[str]) -> None:
    """财库〔2014〕214号 Art. 21/34: ≥3 valid bids; 财库〔2015〕124号 lets 政府购买服务 go on with 2."""
    valid = sum(1 for b in bids if b.valid)
    if config.method != CONSULTATION:
        if valid == 0 and bids:
            errors.add(TOO_FEW_BIDS, "没有有效的评审对象", "there is no valid bid or project to score")
        return
    needed = 2 if config.two_supplier_exception else 3
    if valid < needed:
        if config.two_supplier_exception:
            zh = f"有效供应商只有 {valid} 家；即使适用财库〔2015〕124号也至少需要 2 家，应终止采购"
            en = f"only {valid} valid bids; even under 财库〔2015〕124号 at least 2 are needed: terminate"
        else:
            zh = (
                f"有效供应商只有 {valid} 家，竞争性磋商至少需要 3 家（财库〔2014〕214号）；"
                "政府购买服务项目可按财库〔2015〕124号设置 two_supplier_exception"
            )
            en = (
                f"only {valid} valid bids; consultation needs at least 3 (财库〔2014〕214号); "
                "government-purchased services may set two_supplier_exception (财库〔2015〕124号)"
            )
        errors.add(TOO_FEW_BIDS, zh, en)
    elif valid == 2:
        warnings.append(
            "仅 2 家有效供应商，按财库〔2015〕124号继续磋商，推荐 2 名成交候选人 / "
            "2 valid bids: consultation continues under 财库〔2015〕124号 with 2 candidates"
        )
