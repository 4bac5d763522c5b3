"""Errors the library reports to callers: a list of ``{code, message, ...}`` objects.

Every message is bilingual (Chinese first, then English) because the same error reaches an
agency clerk through the web app and an auditor or integrator through the command line.
"""

from __future__ import annotations

from typing import Any

INVALID_INPUT = "invalid_input"
INFEASIBLE = "infeasible"
INTERNAL_ERROR = "internal_error"


class AssignmentError(Exception):
    """Raised by :func:`assignment.solve`; ``errors`` is the list the CLI prints."""

    def __init__(self, errors: list[dict[str, Any]], explanation: dict[str, Any] | None = None) -> None:
        self.errors = errors
        # For an infeasible plan: where the shortfall is and which relaxation fixes it (explain.py).
        self.explanation = explanation
        super().__init__("; ".join(str(e.get("message", e.get("code"))) for e in errors))

    @property
    def infeasible(self) -> bool:
        return bool(self.errors) and all(e.get("code") == INFEASIBLE for e in self.errors)

    def to_json(self) -> dict[str, Any]:
        if self.explanation is None:
            return {"errors": self.errors}
        return {"errors": self.errors, "status": "infeasible", "explanation": self.explanation}


def invalid(path: str, zh: str, en: str) -> dict[str, Any]:
    """One ``invalid_input`` error; ``path`` points into the input (``experts[3].id``)."""
    return {"code": INVALID_INPUT, "message": f"{zh} / {en}", "path": path}


def infeasible(
    zh: str,
    en: str,
    *,
    panel: Any = None,
    specialty: str | None = None,
    needed: int,
    available: int,
    **extra: Any,
) -> dict[str, Any]:
    """One ``infeasible`` error: supply (``available``) against demand (``needed``)."""
    err: dict[str, Any] = {
        "code": INFEASIBLE,
        "message": f"{zh} / {en}",
        "panel": panel,
        "specialty": specialty,
        "needed": int(needed),
        "available": int(available),
    }
    err.update(extra)
    return err
