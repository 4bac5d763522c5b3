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
from .numbers import quantize_ratio


@dataclass(frozen=True)
class Anomaly:
    expert: int  # index into panel.experts
    bid: int  # index into panel.valid_bids
    criterion: int | None  # index into panel.criteria; None at total level
    value_units: int  # units of 10^-scale
    others_numerator: int  # others' mean = others_numerator / ((n - 1) · 10^scale)
    n_experts: int


def _flags(values: np.ndarray, maximum: np.ndarray, threshold: Decimal) -> np.ndarray:
    """values (E, V, K) in units, maximum (K,) in units → bool (E, V, K) of exceeding deviations."""
    n = values.shape[0]
    t_num, t_den = threshold.as_integer_ratio()
    deviation_n = np.abs(n * values - values.sum(axis=0, keepdims=True))
    return deviation_n * t_den > t_num * maximum[None, None, :] * (n - 1)


def find_anomalies(panel: Panel, sums: np.ndarray) -> list[Anomaly]:
    n = len(panel.experts)
    if n < 2:
        return []
    threshold = panel.config.anomaly_threshold
    found: list[tuple[tuple[int, int, int], Anomaly]] = []
    total_max = np.array([int(panel.max_units.sum())], dtype=np.int64)
    totals = sums[:, :, None]
    column = totals.sum(axis=0)
    for e, v, _ in zip(*np.nonzero(_flags(totals, total_max, threshold)), strict=True):
        value = int(totals[e, v, 0])
        found.append(((e, v, -1), Anomaly(e, v, None, value, int(column[v, 0]) - value, n)))
    subjective = [i for i, c in enumerate(panel.criteria) if not c.objective]
    if subjective:
        block = panel.scores[:, :, subjective]
        column = block.sum(axis=0)
        for e, v, k in zip(*np.nonzero(_flags(block, panel.max_units[subjective], threshold)), strict=True):
            value = int(block[e, v, k])
            c = subjective[k]
            found.append(((e, v, c), Anomaly(e, v, c, value, int(column[v, k]) - value, n)))
    found.sort(key=lambda item: item[0])
    return [a for _, a in found]


def anomaly_record(panel: Panel, anomaly: Anomaly) -> dict[str, object]:
    """The output object: value exact, others' mean and deviation rounded half up for display."""
    places = panel.config.decimals
    unit = panel.unit
    others_den = (anomaly.n_experts - 1) * unit
    deviation_num = anomaly.value_units * (anomaly.n_experts - 1) - anomaly.others_numerator
    value_places = max(places, panel.scale)
    criterion = panel.criteria[anomaly.criterion] if anomaly.criterion is not None else None
    return {
        "expert": panel.experts[anomaly.expert],
        "bid": panel.valid_bids[anomaly.bid].id,
        "criterion": criterion.id if criterion is not None else None,
        "value": str(quantize_ratio(anomaly.value_units, unit, value_places)),
        "others_mean": str(quantize_ratio(anomaly.others_numerator, others_den, places)),
        "deviation": str(quantize_ratio(deviation_num, others_den, places)),
    }
