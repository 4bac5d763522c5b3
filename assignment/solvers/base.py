"""The one interface every solver implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..eligibility import PanelCandidates
from ..model import Problem

Progress = Callable[[str], None]


def no_progress(_: str) -> None:
    return None


@dataclass
class Assignment:
    """Members of every panel (expert indices, in seat order) and the solver's own figures."""

    members: list[np.ndarray]
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Solver(Protocol):
    name: str

    def solve(
        self, problem: Problem, cands: list[PanelCandidates], rng: np.random.Generator, progress: Progress
    ) -> Assignment:
        """Fill every panel's member seats; raise AssignmentError when it cannot."""
        ...
