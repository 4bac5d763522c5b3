"""From individual scores to each bid's displayed subjective score and total.

214号 and 87号令 only say the members' scores are "汇总"; the common document wording, and this
library's rule, is: subjective score = arithmetic mean over experts of each expert's sum over the
criteria; total = round_half_up(subjective) + round_half_up(price score). Everything before that
single rounding is exact: sums are integers in units of 10^-scale and a mean is an integer ratio.

The same vectorised aggregation serves the legal result (every expert once) and the stability
analysis (experts left out or resampled with multiplicities), so the two can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import TRIMMED_MEAN, TRIMMED_MIN_EXPERTS, Panel
from .price import PriceScore, price_scores


@dataclass(frozen=True)
class Aggregation:
    """Exact aggregated scores for D panels (rows) × V bids: value = numerator / denominator."""

    numerator: np.ndarray  # int64 (D, V)
    denominator: int  # number of experts counted × 10^scale


def expert_sums(panel: Panel, technical_only: bool = False) -> np.ndarray:
    """Each expert's sum over criteria per valid bid, int64 (E, V), in units of 10^-scale."""
    if technical_only:
        mask = np.array([c.technical for c in panel.criteria], dtype=bool)
        return panel.scores[:, :, mask].sum(axis=2)
    return panel.scores.sum(axis=2)


def aggregate(sums: np.ndarray, counts: np.ndarray, unit: int, trimmed: bool) -> Aggregation:
    """Mean (or trimmed mean) over experts with multiplicity `counts` (D, E); every row has the same total.

    A trimmed mean drops one copy of the highest and one of the lowest expert sum per bid, which is
    what 去掉一个最高分和一个最低分 means when an expert appears twice in a resample.
    """
    counts = np.asarray(counts, dtype=np.int64)
    size = int(counts[0].sum())
    assert np.all(counts.sum(axis=1) == size)
    numerator = counts @ sums
    if trimmed and size >= TRIMMED_MIN_EXPERTS:
        chosen = (counts > 0)[:, :, None]
        low_fill = np.iinfo(np.int64).min
        high_fill = np.iinfo(np.int64).max
        highest = np.where(chosen, sums[None, :, :], low_fill).max(axis=1)
        lowest = np.where(chosen, sums[None, :, :], high_fill).min(axis=1)
        return Aggregation(numerator - highest - lowest, (size - 2) * unit)
    return Aggregation(numerator, size * unit)


def rounded_units(agg: Aggregation, places: int) -> np.ndarray:
    """round_half_up(numerator / denominator, places) in units of 10^-places, exactly, in int64."""
    return (2 * agg.numerator * 10**places + agg.denominator) // (2 * agg.denominator)


@dataclass
class LegalResult:
    """The legal figures per valid bid, in `panel.valid_bids` order."""

    sums: np.ndarray  # (E, V) expert sums
    technical_sums: np.ndarray  # (E, V)
    subjective: Aggregation  # (1, V)
    technical: Aggregation  # (1, V)
    subjective_units: np.ndarray  # (V,) rounded, units of 10^-decimals
    price: list[PriceScore] | None
    price_units: np.ndarray  # (V,) zeros when there is no price
    total_units: np.ndarray  # (V,)
    vetoed: np.ndarray  # (V,) bool: some expert scored a veto criterion 0
    trimmed: bool


def legal_result(panel: Panel) -> LegalResult:
    config = panel.config
    places = config.decimals
    trimmed = config.aggregation == TRIMMED_MEAN
    sums = expert_sums(panel)
    tech = expert_sums(panel, technical_only=True)
    ones = np.ones((1, len(panel.experts)), dtype=np.int64)
    subjective = aggregate(sums, ones, panel.unit, trimmed)
    technical = aggregate(tech, ones, panel.unit, trimmed)
    subjective_units = rounded_units(subjective, places)[0]
    prices: list[PriceScore] | None = None
    price_units = np.zeros(len(panel.valid_bids), dtype=np.int64)
    if config.has_price:
        assert config.price_weight is not None
        prices = price_scores(panel.valid_bids, config.price_weight, places)
        price_units = np.array([int(p.shown.scaleb(places)) for p in prices], dtype=np.int64)
    veto = np.array([c.veto for c in panel.criteria], dtype=bool)
    vetoed = (
        (panel.scores[:, :, veto] == 0).any(axis=(0, 2)) if veto.any() else np.zeros(len(panel.valid_bids), dtype=bool)
    )
    if panel.check_vetoed is not None:
        vetoed = vetoed | panel.check_vetoed
    return LegalResult(
        sums=sums,
        technical_sums=tech,
        subjective=subjective,
        technical=technical,
        subjective_units=subjective_units,
        price=prices,
        price_units=price_units,
        total_units=subjective_units + price_units,
        vetoed=vetoed,
        trimmed=trimmed,
    )
