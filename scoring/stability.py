"""Would the winner change with a slightly different panel? Diagnostics shown beside the result.

- Leave one expert out: the legal rule re-applied without each expert in turn; an expert whose
  absence changes the winner (or leaves it tied) is *pivotal*.
- Bootstrap over experts: panels of the same size drawn with replacement from the experts. The
  distinct resamples are the multisets of n experts, C(2n−1, n) of them, each with multinomial
  probability n!/(Π c_i!)/nⁿ; for up to 7 experts (1,716 multisets) they are enumerated exactly,
  above that `bootstrap_draws` panels are sampled from the seeded generator. Each bid's probability
  of rank 1 follows, with the full legal tie-breaks (a tie left at the top splits the credit).
- The winner under three other aggregations of each expert's implied total (subjective sum plus the
  price score): median, mean of per-expert z-scores, and mean rank.

`robust` is false when any of these disagrees with the legal winner (or there is no single legal
winner), which tells the panel and an auditor that the result hinges on who sat on the panel.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .aggregate import LegalResult, aggregate, rounded_units
from .model import Panel
from .ranking import winner_shares
from .signals import expert_ranks, expert_zscores

EXACT_BOOTSTRAP_LIMIT = 2000
CHUNK = 500


@dataclass(frozen=True)
class Stability:
    p_rank1: np.ndarray  # (V,)
    bootstrap_method: str  # "exact" or "sampled"
    resamples: int
    leave_one_out: list[list[int]]  # per expert, the winner set without them (bid indices)
    pivotal: list[int]  # expert indices
    alternatives: dict[str, list[int]]  # aggregation name → winner set
    robust: bool


@lru_cache(maxsize=16)
def multisets(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every multiset of n experts drawn from n as counts (D, n), with its bootstrap probability."""
    rows = [np.bincount(c, minlength=n) for c in itertools.combinations_with_replacement(range(n), n)]
    counts = np.array(rows, dtype=np.int64)
    log_weight = (
        math.lgamma(n + 1) - np.array([sum(math.lgamma(int(c) + 1) for c in row) for row in counts]) - n * math.log(n)
    )
    weights = np.exp(log_weight)
    return counts, weights / weights.sum()


def _shares(counts: np.ndarray, legal: LegalResult, panel: Panel, quote_rank: np.ndarray | None) -> np.ndarray:
    places = panel.config.decimals
    subjective = aggregate(legal.sums, counts, panel.unit, legal.trimmed)
    technical = aggregate(legal.technical_sums, counts, panel.unit, legal.trimmed)
    total = rounded_units(subjective, places) + legal.price_units[None, :]
    return winner_shares(total, quote_rank, technical.numerator)


def _winner_set(shares_row: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(shares_row > 0)]


def _argbest(values: np.ndarray, higher: bool) -> list[int]:
    best = values.max() if higher else values.min()
    return [int(i) for i in np.flatnonzero(np.isclose(values, best, rtol=0, atol=1e-9))]


def stability(
    panel: Panel,
    legal: LegalResult,
    quote_rank: np.ndarray | None,
    legal_winner: int | None,
    implied: np.ndarray,
    rng: np.random.Generator,
) -> Stability:
    """`implied` (E, V): each expert's subjective sum plus the price score, in points (floats)."""
    n = len(panel.experts)
    draws = panel.config.bootstrap_draws
    leave_one_out: list[list[int]] = []
    if n >= 2:
        loo = np.ones((n, n), dtype=np.int64) - np.eye(n, dtype=np.int64)
        leave_one_out = [_winner_set(row) for row in _shares(loo, legal, panel, quote_rank)]
    pivotal = [e for e, winners in enumerate(leave_one_out) if winners != [legal_winner]]

    if math.comb(2 * n - 1, n) <= EXACT_BOOTSTRAP_LIMIT:
        counts, weights = multisets(n)
        method = "exact"
    else:
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=draws).astype(np.int64)
        weights = np.full(draws, 1.0 / draws)
        method = "sampled"
    p_rank1 = np.zeros(len(panel.valid_bids))
    for start in range(0, counts.shape[0], CHUNK):
        block = counts[start : start + CHUNK]
        p_rank1 += weights[start : start + CHUNK] @ _shares(block, legal, panel, quote_rank)

    alternatives = {
        "median": _argbest(np.median(implied, axis=0), higher=True),
        "z_score_mean": _argbest(expert_zscores(implied).mean(axis=0), higher=True),
        "mean_rank": _argbest(expert_ranks(implied).mean(axis=0), higher=False),
    }
    modal = _argbest(p_rank1, higher=True)
    robust = (
        legal_winner is not None
        and not pivotal
        and modal == [legal_winner]
        and all(w == [legal_winner] for w in alternatives.values())
    )
    return Stability(p_rank1, method, int(counts.shape[0]), leave_one_out, pivotal, alternatives, robust)
