"""评分畸高畸低: flags for the panel, never silent changes to the scores.

214号 Art. 32 (5) allows re-review of 畸高/畸低 scores only when the 磋商小组 unanimously finds them
so, and 财库〔2012〕69号 asks the agency to prompt the panel about large differences. No national rule
fixes a number, so the threshold is a setting: an expert's subjective total for a bid is flagged when
it deviates from the mean of the *other* experts by more than `anomaly_threshold` × the maximum
possible total (default 0.20); each subjective criterion likewise against its own maximum.
Objective criteria are not checked here: they must already be identical (objective_mismatch).

Comparisons are exact: |x − mean(others)| > t × max  ⇔  |n·x − S| · t_den > t_num · max · (n − 1),
with S the sum over all n experts, all in integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .model import Panel


@dataclass(frozen=True)
class Anomalies:
    """Flagged (expert, bid, criterion) triples, sorted by expert, bid, then total before criteria."""

    expert: np.ndarray  # index into panel.experts
    bid: np.ndarray  # index into panel.valid_bids
    criterion: np.ndarray  # index into panel.criteria; -1 at total level
    value: np.ndarray  # the expert's score, units of 10^-scale
    others: np.ndarray  # sum of the other experts' scores, same units

    def __len__(self) -> int:
        return int(self.expert.size)


def _flags(values: np.ndarray, maximum: np.ndarray, threshold: Decimal) -> np.ndarray:
    """values (E, V, K) in units, maximum (K,) in units → bool (E, V, K) of exceeding deviations."""
    n = values.shape[0]
    t_num, t_den = threshold.as_integer_ratio()
    deviation_n = np.abs(n * values - values.sum(axis=0, keepdims=True))
    return deviation_n * t_den > t_num * maximum[None, None, :] * (n - 1)


def find_anomalies(panel: Panel, sums: np.ndarray) -> Anomalies:
    n = len(panel.experts)
    parts: list[tuple[np.ndarray, ...]] = []
    if n >= 2:
        threshold = panel.config.anomaly_threshold
        total_max = np.array([int(panel.max_units.sum())], dtype=np.int64)
        levels = [(sums[:, :, None], total_max, np.array([-1]))]
        subjective = [i for i, c in enumerate(panel.criteria) if not c.objective]
        if subjective:
            levels.append((panel.scores[:, :, subjective], panel.max_units[subjective], np.array(subjective)))
        for block, maximum, criterion_ids in levels:
            e, v, k = np.nonzero(_flags(block, maximum, threshold))
            value = block[e, v, k]
            parts.append((e, v, criterion_ids[k], value, block.sum(axis=0)[v, k] - value))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Anomalies(empty, empty, empty, empty, empty)
    e, v, c, value, others = (np.concatenate(column).astype(np.int64) for column in zip(*parts, strict=True))
    order = np.lexsort((c, v, e))
    return Anomalies(e[order], v[order], c[order], value[order], others[order])


def _text(units: np.ndarray, places: int) -> list[str]:
    """Integer units of 10^-places as decimal strings (no "-0.00": zero is unsigned)."""
    scale = 10**places
    whole, frac = np.divmod(np.abs(units), scale)
    sign = np.where(units < 0, "-", "")
    if places == 0:
        return [f"{s}{w}" for s, w in zip(sign.tolist(), whole.tolist(), strict=True)]
    return [f"{s}{w}.{f:0{places}d}" for s, w, f in zip(sign.tolist(), whole.tolist(), frac.tolist(), strict=True)]


def _half_up(numerator: np.ndarray, denominator: int, places: int) -> np.ndarray:
    """Signed round half up (away from zero on a tie, like Decimal ROUND_HALF_UP) in exact integers."""
    magnitude = (2 * np.abs(numerator) * 10**places + denominator) // (2 * denominator)
    return np.sign(numerator) * magnitude


def anomaly_records(panel: Panel, found: Anomalies) -> list[dict[str, object]]:
    """Output objects: the value exactly, the others' mean and the deviation rounded half up."""
    n = len(panel.experts)
    places = panel.config.decimals
    value_places = max(places, panel.scale)
    denominator = (n - 1) * panel.unit
    values = _text(found.value * 10 ** (value_places - panel.scale), value_places)
    means = _text(_half_up(found.others, denominator, places), places)
    deviations = _text(_half_up(found.value * (n - 1) - found.others, denominator, places), places)
    experts = panel.experts
    bid_ids = [b.id for b in panel.valid_bids]
    criterion_ids = [c.id for c in panel.criteria]
    return [
        {
            "expert": experts[e],
            "bid": bid_ids[v],
            "criterion": criterion_ids[c] if c >= 0 else None,
            "value": value,
            "others_mean": mean,
            "deviation": deviation,
        }
        for e, v, c, value, mean, deviation in zip(
            found.expert.tolist(),
            found.bid.tolist(),
            found.criterion.tolist(),
            values,
            means,
            deviations,
            strict=True,
        )
    ]
