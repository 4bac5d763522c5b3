"""Input errors, reported all at once so a clerk can fix a score sheet in one pass.

Every error carries a stable machine `code` (the command-line contract) and a message in Chinese
and English that names the expert, bid and criterion involved.
"""

from __future__ import annotations

from typing import Any

# The codes the command-line contract promises (issue 3); tests outside the repository match on them.
MISSING_SCORE = "missing_score"
SCORE_OUT_OF_RANGE = "score_out_of_range"
UNKNOWN_REFERENCE = "unknown_reference"
INVALID_QUOTE = "invalid_quote"
PRICE_WEIGHT_OUT_OF_RANGE = "price_weight_out_of_range"
OBJECTIVE_MISMATCH = "objective_mismatch"
TOO_FEW_BIDS = "too_few_bids"
INVALID_INPUT = "invalid_input"
# Not an input problem: a bug in this library. Still reported as JSON, never as a traceback.
INTERNAL_ERROR = "internal_error"

# A sheet with 54,000 scores and one systematic mistake would otherwise print 54,000 errors.
MAX_ERRORS = 200


def bilingual(zh: str, en: str) -> str:
    """One message for both audiences: the clerk reads Chinese, an external auditor may not."""
    return f"{zh} / {en}"


def make_error(
    code: str,
    zh: str,
    en: str,
    *,
    expert: Any = None,
    bid: Any = None,
    criterion: Any = None,
) -> dict[str, Any]:
    """An error object: `code` and `message`, plus the references it concerns when there are any."""
    error: dict[str, Any] = {"code": code, "message": bilingual(zh, en)}
    for key, value in (("expert", expert), ("bid", bid), ("criterion", criterion)):
        if value is not None:
            error[key] = value
    return error


class ScoringError(Exception):
    """Raised by `evaluate` for bad input; `errors` is the list the command line prints."""

    def __init__(self, errors: list[dict[str, Any]]):
        if not errors:
            raise ValueError("ScoringError needs at least one error")
        if len(errors) > MAX_ERRORS:
            hidden = len(errors) - MAX_ERRORS
            errors = [
                *errors[:MAX_ERRORS],
                make_error(
                    errors[MAX_ERRORS]["code"],
                    f"另有 {hidden} 个错误未列出",
                    f"{hidden} more errors not listed",
                ),
            ]
        self.errors = errors
        super().__init__("; ".join(f"{e['code']}: {e['message']}" for e in errors[:5]))

    @property
    def codes(self) -> list[str]:
        return [e["code"] for e in self.errors]


class ErrorList:
    """Collects errors while validating; `raise_if_any` turns them into one ScoringError."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, code: str, zh: str, en: str, **refs: Any) -> None:
        self.items.append(make_error(code, zh, en, **refs))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ScoringError(self.items)
