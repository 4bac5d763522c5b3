"""The input contract: dataclasses for a panel's scoring data and their validation.

`parse_input` accepts the JSON object of the command line (or the same dict from Python) and
returns a `Panel`, or raises `ScoringError` listing every problem found. Experts, bids and
criteria are put in one canonical order (natural sort of their ids) before anything is computed,
so the result cannot depend on the order in which the input lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from .errors import (
    INVALID_INPUT,
    INVALID_QUOTE,
    PRICE_WEIGHT_OUT_OF_RANGE,
    TOO_FEW_BIDS,
    ErrorList,
)
from .numbers import NotADecimal, decimal_places, natural_key, to_decimal

CONSULTATION = "consultation"  # 竞争性磋商 (财库〔2014〕214号)
APPROVAL = "approval"  # 立项评审 / 方案评审
ACCEPTANCE = "acceptance"  # 评估验收
METHODS = (CONSULTATION, APPROVAL, ACCEPTANCE)

MEAN = "mean"
TRIMMED_MEAN = "trimmed_mean"
TRIMMED_MIN_EXPERTS = 5

# 214号 Art. 24: price weight as a fraction of the total, per 采购对象 category.
PRICE_WEIGHT_RANGES = {
    "service": (Decimal("0.10"), Decimal("0.30")),
    "goods": (Decimal("0.30"), Decimal("0.60")),
}

# 财库〔2026〕2号: base ratios of the three abnormal-low-price triggers; documents may raise them to 65%.
LOW_PRICE_BASE = {"mean": Decimal("0.50"), "second_lowest": Decimal("0.50"), "max_price": Decimal("0.45")}
LOW_PRICE_CEILING = Decimal("0.65")

MAX_DECIMALS = 6  # displayed places; also the finest score step accepted (integer arithmetic stays in int64)
DEFAULT_DRAWS = 2000

KNOWN_KEYS = frozenset(
    {
        "method",
        "category",
        "price_weight",
        "price_weight_approved",
        "decimals",
        "candidates",
        "two_supplier_exception",
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
        "bootstrap_draws",
        "permutation_draws",
    }
)


@dataclass(frozen=True)
class Config:
    method: str
    category: str | None
    price_weight: Decimal | None
    price_weight_approved: bool
    decimals: int
    candidates: int
    two_supplier_exception: bool
    pass_score: Decimal | None
    aggregation: str
    anomaly_threshold: Decimal
    budget: Decimal | None
    max_price: Decimal | None
    low_price_ratios: dict[str, Decimal]
    seed: int
    bootstrap_draws: int
    permutation_draws: int

    @property
    def has_price(self) -> bool:
        return self.method == CONSULTATION


@dataclass(frozen=True)
class Criterion:
    """评分因素 — one line of the scoring standard."""

    id: Any
    key: str
    name: str
    max: Decimal
    group: str | None
    kind: str  # "subjective" or "objective" (客观分: must be equal across experts)
    veto: bool  # 否决项 (acceptance only): any expert scoring it 0 fails the project

    @property
    def technical(self) -> bool:
        return self.group == "technical"

    @property
    def objective(self) -> bool:
        return self.kind == "objective"


@dataclass(frozen=True)
class Bid:
    """A supplier's response (磋商) or a project (立项/验收)."""

    id: Any
    key: str
    name: str
    final_quote: Decimal | None  # 最后报价, 元
    valid: bool  # passed 资格/符合性审查


@dataclass
class Panel:
    """Validated input: scores as an int64 array expert × valid bid × criterion in units of 10^-scale."""

    config: Config
    criteria: tuple[Criterion, ...]
    bids: tuple[Bid, ...]
    valid_bids: tuple[Bid, ...]
    experts: tuple[Any, ...]
    scale: int
    scores: np.ndarray
    max_units: np.ndarray
    step_units: int
    warnings: list[str] = field(default_factory=list)

    @property
    def unit(self) -> int:
        """10^scale: the integer that stands for one point."""
        return 10**self.scale


def ident(value: Any) -> str | None:
    """The canonical text of an id (ids may be strings or integers), or None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int):
        return str(value)
    return None


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
                f"abnormal-low-price ratio {key} must lie in {base}–{LOW_PRICE_CEILING} "
                f"(财库〔2026〕2号), got {raw!r}",
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


def parse_criteria(raw: Any, config: Config, errors: ErrorList) -> tuple[Criterion, ...]:
    if not isinstance(raw, list) or not raw:
        errors.add(INVALID_INPUT, "criteria 应为非空列表", "criteria must be a non-empty list")
        return ()
    criteria: dict[str, Criterion] = {}
    for index, item in enumerate(raw):
        where_zh, where_en = f"criteria[{index}]", f"criteria[{index}]"
        key = ident(item.get("id")) if isinstance(item, dict) else None
        if key is None:
            errors.add(
                INVALID_INPUT, f"{where_zh} 须为带 id 的对象", f"{where_en} must be an object with an id"
            )
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
        name = item.get("name", key)
        if (
            kind not in ("subjective", "objective")
            or not isinstance(group, str | None)
            or not isinstance(veto, bool | None)
            or not isinstance(name, str | int)
        ):
            errors.add(
                INVALID_INPUT,
                f"评分项 {key}：kind 应为 subjective/objective，group 为字符串，veto 为布尔值",
                f"criterion {key}: kind must be subjective or objective, group a string, veto true/false",
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
        criteria[key] = Criterion(item["id"], key, str(name), maximum, group, kind, bool(veto))
    return tuple(sorted(criteria.values(), key=lambda c: natural_key(c.key)))


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
