"""评审专家分配 — who sits on which panel: random draws, balanced plans, capped randomization.

Pure library (NumPy + OR-Tools): no app, database, network or clock. ``solve(input, seed)``
returns the output dict of the JSON contract in docs/assignment.md; errors are raised as
:class:`AssignmentError` carrying ``[{code, message, ...}]``.
"""

from .core import canonical_json, input_sha256, solve
from .errors import AssignmentError

__all__ = ["AssignmentError", "canonical_json", "input_sha256", "solve"]
