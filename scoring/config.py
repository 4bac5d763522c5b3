"""Reading and checking the settings of one evaluation (method, price weight, rounding, thresholds)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import INVALID_INPUT, PRICE_WEIGHT_OUT_OF_RANGE, ErrorList
from .model import (
    CONSULTATION,
    DEFAULT_DRAWS,
    KNOWN_KEYS,
    LOW_PRICE_BASE,
    LOW_PRICE_CEILING,
    MAX_DECIMALS,
    MEAN,
    METHODS,
    PRICE_WEIGHT_RANGES,
    TRIMMED_MEAN,
    Config,
)
from .numbers import NotADecimal, to_decimal


class _Reader:
    """Reads typed fields, recording an invalid_input error instead of raising on the first one."""

    def __init__(self, data: dict[str, Any], errors: ErrorList):
        self.data = data
        self.errors = errors

    def _bad(self, key: str, zh_expect: str, en_expect: str) -> None:
        self.errors.add(
            INVALID_INPUT,
            f"字段 {key} 应为{zh_expect}，实际为 {self.data.get(key)!r}",
            f"field {key} must be {en_expect}, got {self.data.get(key)!r}",
        )

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._bad(key, "布尔值 true/false", "true or false")
            return default
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self._bad(key, f" {low}–{high} 之间的整数", f"an integer from {low} to {high}")
            return default
        return value

    def decimal(self, key: str, code: str = INVALID_INPUT) -> Decimal | None:
        value = self.data.get(key)
        if value is None:
            return None
        try:
            return to_decimal(value)
        except NotADecimal:
            self.errors.add(
                code,
                f'字段 {key} 应为十进制数（如 "0.30"），实际为 {value!r}',
                f'field {key} must be a decimal number such as "0.30", got {value!r}',
            )
            return None

    def choice(self, key: str, options: tuple[str, ...], default: str | None) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            return default
        if value not in options:
            self._bad(key, "以下之一：" + "、".join(options), "one of " + ", ".join(options))
            return default
        return value


def parse_config(data: dict[str, Any], errors: ErrorList, warnings: list[str]) -> Config:
    read = _Reader(data, errors)
    method = data.get("method")
    if method not in METHODS:
        errors.add(
            INVALID_INPUT,
            f"method 应为 {'、'.join(METHODS)} 之一，实际为 {method!r}",
            f"method must be one of {', '.join(METHODS)}, got {method!r}",
        )
        method = CONSULTATION
    category = read.choice("category", tuple(PRICE_WEIGHT_RANGES), None)
    approved = read.boolean("price_weight_approved", False)
    weight = read.decimal("price_weight", PRICE_WEIGHT_OUT_OF_RANGE)
    aggregation = read.choice("aggregation", (MEAN, TRIMMED_MEAN), MEAN) or MEAN
    pass_score = read.decimal("pass_score")
    threshold = read.decimal("anomaly_threshold")
    budget = read.decimal("budget")
    max_price = read.decimal("max_price")
    config = Config(
        method=method,
        category=category,
        price_weight=weight,
        price_weight_approved=approved,
        decimals=read.integer("decimals", 2, 0, MAX_DECIMALS),
        candidates=read.integer("candidates", 3, 1, 1000),
        two_supplier_exception=read.boolean("two_supplier_exception", False),
        pass_score=pass_score,
        aggregation=aggregation,
        anomaly_threshold=Decimal("0.20") if threshold is None else threshold,
        budget=budget,
        max_price=max_price,
        low_price_ratios=_low_price_ratios(data.get("abnormal_low_ratios"), errors),
        seed=read.integer("seed", 0, 0, 2**63 - 1),
        bootstrap_draws=read.integer("bootstrap_draws", DEFAULT_DRAWS, 1, 1_000_000),
        permutation_draws=read.integer("permutation_draws", DEFAULT_DRAWS, 1, 1_000_000),
    )
    _check_config(config, data, errors, warnings)
    return config


def _low_price_ratios(value: Any, errors: ErrorList) -> dict[str, Decimal]:
    ratios = dict(LOW_PRICE_BASE)
    if value is None:
        return ratios
    if not isinstance(value, dict) or set(value) - set(LOW_PRICE_BASE):
        errors.add(
            INVALID_INPUT,
            "abnormal_low_ratios 应为对象，键为 mean、second_lowest、max_price",
            "abnormal_low_ratios must be an object with keys mean, second_lowest, max_price",
        )
        return ratios
    for key, raw in value.items():
        try:
            ratio = to_decimal(raw)
        except NotADecimal:
            ratio = Decimal(-1)
        base = LOW_PRICE_BASE[key]
        if not base <= ratio <= LOW_PRICE_CEILING:
            errors.add(
                INVALID_INPUT,
                f"异常低价比例 {key} 应在 {base}–{LOW_PRICE_CEILING} 之间（财库〔2026〕2号），实际为 {raw!r}",
                f"abnormal-low-price ratio {key} must lie in {base}–{LOW_PRICE_CEILING} (财库〔2026〕2号), got {raw!r}",
            )
        else:
            ratios[key] = ratio
    return ratios


def _check_config(config: Config, data: dict[str, Any], errors: ErrorList, warnings: list[str]) -> None:
    for key in sorted(set(data) - KNOWN_KEYS, key=str):
        warnings.append(f"忽略未知字段 {key} / unknown input key {key} ignored")
    if config.anomaly_threshold is not None and not Decimal(0) < config.anomaly_threshold <= Decimal(1):
        errors.add(
            INVALID_INPUT,
            "anomaly_threshold 应在 0（不含）到 1 之间，如 0.20",
            "anomaly_threshold must lie in (0, 1], e.g. 0.20",
        )
    for key in ("budget", "max_price"):
        amount = getattr(config, key)
        if amount is not None and amount <= 0:
            errors.add(INVALID_INPUT, f"{key} 应大于 0", f"{key} must be greater than 0")
    if config.pass_score is not None and config.pass_score < 0:
        errors.add(INVALID_INPUT, "pass_score 不能为负", "pass_score must not be negative")
    if config.method == CONSULTATION:
        _check_consultation(config, errors, warnings)
    else:
        if config.pass_score is None:
            errors.add(
                INVALID_INPUT,
                f"{config.method} 评审须给出合格分 pass_score",
                f"method {config.method} needs pass_score to decide pass or fail",
            )
        if config.price_weight not in (None, Decimal(0)):
            warnings.append(
                f"{config.method} 评审不计价格分，忽略 price_weight / "
                f"method {config.method} has no price score; price_weight ignored"
            )
        if config.aggregation == TRIMMED_MEAN:
            warnings.append(
                "按 aggregation=trimmed_mean 去掉一个最高分和一个最低分（地方规则，非全国性规定） / "
                "trimmed mean (drop one highest and one lowest) applied by request: "
                "a local rule, not national law"
            )


def _check_consultation(config: Config, errors: ErrorList, warnings: list[str]) -> None:
    if config.aggregation == TRIMMED_MEAN:
        errors.add(
            INVALID_INPUT,
            "竞争性磋商不得去掉最高分和最低分，aggregation 只能为 mean（财库〔2014〕214号）",
            "competitive consultation may not drop the highest and lowest scores; "
            "aggregation must be mean (财库〔2014〕214号)",
        )
    if config.category is None:
        errors.add(
            INVALID_INPUT,
            "竞争性磋商须给出 category：service（服务）或 goods（货物）",
            "consultation needs category: service or goods",
        )
    weight = config.price_weight
    if weight is None:
        errors.add(
            PRICE_WEIGHT_OUT_OF_RANGE,
            "竞争性磋商须给出价格权值 price_weight（小数，如 0.30 表示 30%）",
            "consultation needs price_weight as a fraction, e.g. 0.30 for 30%",
        )
        return
    if not Decimal(0) <= weight <= Decimal(1):
        errors.add(
            PRICE_WEIGHT_OUT_OF_RANGE,
            f"价格权值 {weight} 应为 0–1 之间的小数（30% 写作 0.30）",
            f"price_weight {weight} must be a fraction from 0 to 1 (write 30% as 0.30)",
        )
        return
    if config.category is None:
        return
    low, high = PRICE_WEIGHT_RANGES[config.category]
    if low <= weight <= high:
        return
    if config.price_weight_approved:
        warnings.append(
            f"价格权值 {weight} 超出{config.category}类 {low}–{high} 范围，已经本级财政部门批准 / "
            f"price_weight {weight} lies outside {low}–{high} for {config.category}, "
            "approved by the 本级财政部门"
        )
        return
    zh_category = "服务" if config.category == "service" else "货物"
    errors.add(
        PRICE_WEIGHT_OUT_OF_RANGE,
        f"{zh_category}项目价格权值应在 {low}–{high} 之间（财库〔2014〕214号第24条），实际为 {weight}；"
        "超出须经本级财政部门批准（price_weight_approved）",
        f"price_weight for {config.category} must lie in {low}–{high} (财库〔2014〕214号 Art. 24), "
        f"got {weight}; outside that range needs 本级财政部门 approval (price_weight_approved)",
    )
