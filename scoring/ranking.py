"""Ranking with the tie-breaks of 财库〔2014〕214号 Art. 25, and unresolved ties reported.

Order: higher displayed total; then lower 最后报价; then higher technical subtotal (criteria with
group "technical", the "技术指标" comparator). Bids still equal after that share a rank and are
flagged: 214号 says nothing further, so the 磋商小组 decides and records it — the library never
breaks such a tie silently (no random draw, no input order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np


@dataclass(frozen=True)
class Ranking:
    ranks: list[int]  # per bid, competition ranking: 1, 2, 2, 4
    order: list[int]  # bid indices, best first; tied bids keep the canonical (id) order
    ties: list[list[int]]  # groups of bid indices still tied after every tie-break


def rank_bids(
    total_units: Sequence[int],
    quotes: Sequence[Decimal] | None,
    technical: Sequence[int],
) -> Ranking:
    """Rank bids by (-total, +quote, -technical); `technical` values share one denominator."""
    keys = [
        (-int(total_units[i]), quotes[i] if quotes is not None else Decimal(0), -int(technical[i]))
        for i in range(len(total_units))
    ]
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    ranks = [0] * len(keys)
    ties: list[list[int]] = []
    position = 0
    while position < len(order):
        end = position
        while end + 1 < len(order) and keys[order[end + 1]] == keys[order[position]]:
            end += 1
        group = order[position : end + 1]
        for i in group:
            ranks[i] = position + 1
        if len(group) > 1:
            ties.append(group)
        position = end + 1
    return Ranking(ranks, order, ties)


def quote_ranks(quotes: Sequence[Decimal]) -> np.ndarray:
    """Dense ranks of the quotes (lowest = 0), so vectorised code can compare Decimals as integers."""
    distinct = sorted(set(quotes))
    position = {q: i for i, q in enumerate(distinct)}
    return np.array([position[q] for q in quotes], dtype=np.int64)


def winner_shares(total: np.ndarray, quote_rank: np.ndarray | None, technical: np.ndarray) -> np.ndarray:
    """Rank-1 credit per panel (row) and bid, by the same tie-breaks as `rank_bids`.

    Bids still tied for first split the credit equally: a resample whose winner the rules cannot
    name counts half (or a third) for each candidate rather than favouring one of them.
    """
    best = total == total.max(axis=1, keepdims=True)
    if quote_rank is not None:
        masked = np.where(best, quote_rank[None, :], np.iinfo(np.int64).max)
        best &= masked == masked.min(axis=1, keepdims=True)
    masked = np.where(best, technical, np.iinfo(np.int64).min)
    best &= masked == masked.max(axis=1, keepdims=True)
    return best / best.sum(axis=1, keepdims=True)
