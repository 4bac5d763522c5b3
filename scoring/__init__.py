"""Pingshen scoring: how a panel's scores become results (pure library: no app, database, network or clock).

    from scoring import evaluate, ScoringError
    result = evaluate(panel_dict)      # the same object `python -m scoring evaluate INPUT.json` reads

See docs/scoring.md for every rule and its source.
"""

from .errors import ScoringError
from .evaluate import evaluate

__all__ = ["ScoringError", "evaluate"]
