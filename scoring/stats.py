"""Small statistics helpers in NumPy alone.

SciPy would provide `rankdata`, but importing scipy.stats costs about a second, and the command
line is run once per check by auditors and by tests; ranks are all this library needed from it.
"""

from __future__ import annotations

import numpy as np


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n within each row of a 2-D array, tied values sharing their average rank.

    Same as scipy.stats.rankdata(values, method="average", axis=1).
    """
    x = np.asarray(values, dtype=np.float64)
    rows, n = x.shape
    if n == 0:
        return np.zeros_like(x)
    order = np.argsort(x, axis=1, kind="stable")
    ordered = np.take_along_axis(x, order, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    # number each run of equal values across the whole array, so one bincount averages every run
    group = np.cumsum(starts.ravel()) - 1
    positions = np.tile(np.arange(1, n + 1, dtype=np.float64), rows)
    mean_position = np.bincount(group, weights=positions) / np.bincount(group)
    ranks = np.empty_like(x)
    np.put_along_axis(ranks, order, mean_position[group].reshape(rows, n), axis=1)
    return ranks
