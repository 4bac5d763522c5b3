"""One small class per mode behind the :class:`~assignment.solvers.base.Solver` interface."""

from __future__ import annotations

from .balanced import BalancedSolver, BestMatchSolver
from .base import Assignment, Solver
from .draw import DrawSolver
from .randomized import RandomizedSolver

SOLVERS: dict[str, type[Solver]] = {
    "draw": DrawSolver,
    "balanced": BalancedSolver,
    "best_match": BestMatchSolver,
    "randomized": RandomizedSolver,
}

__all__ = ["SOLVERS", "Assignment", "BalancedSolver", "BestMatchSolver", "DrawSolver", "RandomizedSolver", "Solver"]
