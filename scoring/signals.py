"""Expert-level signals and the normalised view: context for the panel, never the legal result.

- leniency: the mean, over valid bids, of the expert's total minus the mean of the other experts'
  totals (points; positive = scores more generously than colleagues).
- spearman_with_others: rank correlation of the expert's totals with the others' mean totals; at
  ≤ 0 with 4 or more bids the expert "ranks against the panel".
- modified z-score per cell (bid × subjective criterion), Iglewicz & Hoaglin: 0.6745·(x − median)/MAD,
  flagged above 3.5. On 3–9 experts the MAD is often 0, so it is floored at the scoring step (the
  smallest increment the sheet uses); plain z-scores and Grubbs' test cannot fire on panels this small.
- normalised view per bid: mean over experts of each expert's z-score of their implied totals, and
  mean rank (1 = best); these remove leniency differences but are shown beside the legal mean only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .stats import average_ranks

MODIFIED_Z_LIMIT = 3.5
MODIFIED_Z_FACTOR = 0.6745
AGAINST_PANEL_MIN_BIDS = 4


@dataclass(frozen=True)
class ExpertSignals:
    leniency: np.ndarray  # (E,) points, NaN when there is no other expert
    spearman: np.ndarray  # (E,) NaN when undefined (constant totals, fewer than 2 bids)
    outlier_cells: np.ndarray  # (E,) count of cells with |modified z| > 3.5
    max_abs_z: np.ndarray  # (E,) NaN with fewer than 3 experts


def _row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    denominator = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * b).sum(axis=1) / denominator
    return np.where(denominator > 0, r, np.nan)


def expert_signals(sums: np.ndarray, cells: np.ndarray, unit: int, steps: np.ndarray) -> ExpertSignals:
    """sums (E, V) int totals; cells (E, V, K) subjective criterion scores; steps (K,); all in units."""
    n, v = sums.shape
    totals = sums.astype(np.float64) / unit
    if n >= 2:
        others = (totals.sum(axis=0, keepdims=True) - totals) / (n - 1)
        leniency = (totals - others).mean(axis=1) if v else np.full(n, np.nan)
        spearman = _row_pearson(average_ranks(totals), average_ranks(others)) if v >= 2 else np.full(n, np.nan)
    else:
        leniency = np.full(n, np.nan)
        spearman = np.full(n, np.nan)
    if n >= 3 and cells.size:
        x = cells.astype(np.float64)
        median = np.median(x, axis=0, keepdims=True)
        mad = np.median(np.abs(x - median), axis=0, keepdims=True)
        z = MODIFIED_Z_FACTOR * (x - median) / np.maximum(mad, steps[None, None, :].astype(np.float64))
        outliers = (np.abs(z) > MODIFIED_Z_LIMIT).sum(axis=(1, 2))
        max_abs_z = np.abs(z).max(axis=(1, 2))
    else:
        outliers = np.zeros(n, dtype=np.int64)
        max_abs_z = np.full(n, np.nan)
    return ExpertSignals(leniency, spearman, outliers, max_abs_z)


def expert_zscores(implied: np.ndarray) -> np.ndarray:
    """Each expert's totals standardised across bids (E, V); an expert who gives all bids the same total
    expresses no preference, so contributes zeros."""
    sd = implied.std(axis=1, keepdims=True)
    centred = implied - implied.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 0, centred / np.where(sd > 0, sd, 1.0), 0.0)


def expert_ranks(implied: np.ndarray) -> np.ndarray:
    """Rank of each bid within each expert (E, V), 1 = best, ties share the average rank."""
    return average_ranks(-implied)
