"""How far the experts agree: Kendall's W with a permutation p-value, and ICC(A,1) / ICC(A,k).

Kendall's W (coefficient of concordance) with the tie correction, over each expert's ranking of
the valid bids by their subjective totals:  W = 12·S / (m²(n³ − n) − m·ΣT),  S = Σ_j (R_j − m(n+1)/2)²,
T = Σ (t³ − t) over each expert's groups of tied bids.

p-value: the probability, when every expert's ranking is an independent random permutation of the
ranks they actually gave (ties kept), of an S at least as large. The chi-square approximation
m(n−1)W ~ χ²(n−1) is far too conservative for panels of 3–9 experts, so:
- exact for small panels (up to 6 bids, fewer experts as bids grow): a dynamic programme over
  the vector of rank sums, kept sorted because the remaining experts' permutations make the
  distribution symmetric in the bids;
- otherwise Monte Carlo with a seeded generator, p = (1 + #{S* ≥ S}) / (1 + draws).

ICC(A,1) and ICC(A,k): two-way random effects, absolute agreement (McGraw & Wong 1996; Shrout &
Fleiss 1979 ICC(2,1) and ICC(2,k)), bids as targets and experts as raters, on subjective totals.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .stats import average_ranks

# Panels (experts m, bids n) whose exact distribution takes at most a few tens of milliseconds;
# larger ones go to Monte Carlo, whose 2,000 draws pin p to about ±0.01.
EXACT_MAX_EXPERTS = {2: 1000, 3: 30, 4: 12, 5: 6, 6: 3}
EXACT_MAX_WORK = 600_000  # rows built over the whole dynamic programme (a few tens of ms)
MC_CHUNK = 256


@dataclass(frozen=True)
class Concordance:
    w: float | None
    p_value: float | None
    p_method: str | None  # "exact" or "monte_carlo"
    draws: int | None


def _doubled_ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks within each row, doubled so average ranks of ties are integers."""
    return np.rint(2 * average_ranks(scores)).astype(np.int64)


def _null_rows(ranks: np.ndarray) -> np.ndarray:
    """Each expert's ranks sorted, experts in a canonical order (most distinct arrangements first).

    Under the null hypothesis only the multiset of ranks an expert gave matters, so the p-value is
    computed from these rows alone: it then cannot depend on how experts or bids are labelled or
    ordered, even when sampled. The expert with the most arrangements goes first because the first
    row is held fixed, and the programme grows slowest when the others come in increasing order.
    """
    rows = np.sort(ranks, axis=1)
    arrangements = [_log_arrangements(row) for row in rows]
    order = sorted(range(len(rows)), key=lambda i: (arrangements[i], rows[i].tolist()))
    if order:
        order = [order[-1], *order[:-1]]
    return rows[order]


def _log_arrangements(row: np.ndarray) -> float:
    """log(n! / Π t!): the number of distinct orderings of an expert's ranks with ties of sizes t."""
    _, counts = np.unique(row, return_counts=True)
    return math.lgamma(row.size + 1) - sum(math.lgamma(int(t) + 1) for t in counts)


def kendall_w(scores: np.ndarray) -> float | None:
    """W for scores (m raters, n objects); None when undefined (n < 2, m < 2, or every rater ties all)."""
    m, n = scores.shape
    if m < 2 or n < 2:
        return None
    ranks = average_ranks(scores)
    rank_sums = ranks.sum(axis=0)
    s = float(((rank_sums - m * (n + 1) / 2.0) ** 2).sum())
    ties = 0.0
    for row in scores:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m * m * (n**3 - n) - m * ties
    if denominator <= 0:
        return None
    return 12.0 * s / denominator


def _statistic(rank_sums: np.ndarray) -> np.ndarray:
    """Σ R_j² over the last axis: S differs from it by a constant, so it orders draws the same way."""
    return (rank_sums * rank_sums).sum(axis=-1)


def exact_p_value(scores: np.ndarray) -> float | None:
    """Exact permutation p-value, or None when the state space is too large to enumerate."""
    m, n = scores.shape
    if m > EXACT_MAX_EXPERTS.get(n, 0):
        return None
    observed = int(_statistic(_doubled_ranks(scores).sum(axis=0)))
    ranks = _null_rows(_doubled_ranks(scores))
    base = int(2 * m * n + 1)  # every partial rank sum is below this
    weights = base ** np.arange(n, dtype=np.int64)
    states = ranks[0][None, :]
    probability = np.ones(1)
    work = 0
    for row in ranks[1:]:
        perms = np.unique(np.array(list(itertools.permutations(row.tolist())), dtype=np.int64), axis=0)
        work += states.shape[0] * perms.shape[0]
        if work > EXACT_MAX_WORK:
            return None
        grown = np.sort((states[:, None, :] + perms[None, :, :]).reshape(-1, n), axis=1)
        keys = grown @ weights
        unique_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        probability = np.bincount(
            inverse,
            weights=np.repeat(probability / perms.shape[0], perms.shape[0]),
            minlength=unique_keys.size,
        )
        states = grown[first]
    tail = probability[_statistic(states) >= observed].sum()
    return float(min(1.0, tail))


def monte_carlo_p_value(scores: np.ndarray, draws: int, rng: np.random.Generator) -> float:
    observed = int(_statistic(_doubled_ranks(scores).sum(axis=0)))
    ranks = _null_rows(_doubled_ranks(scores))
    first, rest = ranks[0], ranks[1:]
    at_least = 0
    remaining = draws
    while remaining:
        size = min(MC_CHUNK, remaining)
        shuffled = rng.permuted(np.broadcast_to(rest, (size, *rest.shape)), axis=2)
        at_least += int((_statistic(shuffled.sum(axis=1) + first) >= observed).sum())
        remaining -= size
    return (1 + at_least) / (1 + draws)


def concordance(scores: np.ndarray, draws: int, rng: np.random.Generator) -> Concordance:
    """W and its permutation p-value for scores (m experts, n bids)."""
    w = kendall_w(scores)
    if w is None:
        return Concordance(None, None, None, None)
    exact = exact_p_value(scores)
    if exact is not None:
        return Concordance(w, exact, "exact", None)
    return Concordance(w, monte_carlo_p_value(scores, draws, rng), "monte_carlo", draws)


def icc_absolute(ratings: np.ndarray) -> tuple[float | None, float | None]:
    """ICC(A,1) and ICC(A,k) for ratings (n targets, k raters); None where undefined."""
    n, k = ratings.shape
    if n < 2 or k < 2:
        return None, None
    grand = ratings.mean()
    ss_rows = k * float(((ratings.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((ratings.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((ratings - grand) ** 2).sum())
    ms_rows = ss_rows / (n - 1)
    ms_cols = ss_cols / (k - 1)
    ms_error = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    single_den = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    average_den = ms_rows + (ms_cols - ms_error) / n
    single = (ms_rows - ms_error) / single_den if single_den > 0 else None
    average = (ms_rows - ms_error) / average_den if average_den > 0 else None
    return single, average
