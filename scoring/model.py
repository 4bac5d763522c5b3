"""The input contract as data: rule constants and the dataclasses a validated panel is made of.

Validation lives in config.py (settings), validate.py (criteria, bids, assembly) and scores.py
(the score sheet); they produce a `Panel` whose experts, bids and criteria are in one canonical
order (natural sort of their ids), so no result can depend on the order of the input lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

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
    step: Decimal | None = None  # smallest increment the scoring standard allows; inferred when absent
    points: bool = True  # False: a 是/否 veto question (max 1: 1 = no veto, 0 = vetoed) that adds no points

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
    step_units: np.ndarray  # (C,) scoring step per criterion, units of 10^-scale
    warnings: list[str] = field(default_factory=list)
    # 是/否 veto questions (`"points": false`): kept out of `criteria` and `scores`, so they add nothing
    # to any sum or diagnostic; `check_vetoed[v]` is True when some expert answered 0 (vetoed) for bid v.
    veto_checks: tuple[Criterion, ...] = ()
    check_vetoed: np.ndarray | None = None

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
