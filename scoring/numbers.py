"""Exact decimal helpers: the legal result is rounded once, half up, from unrounded values.

Python's `round` rounds half to even and binary floats cannot hold 0.005 exactly, so neither is
used for anything shown. Sums of scores are kept as integers in units of 10^-q (q = the finest
decimal place in the input), means and price scores are exact ratios of integers, and a ratio
is rounded with `Decimal.quantize(ROUND_HALF_UP)` in a context wide enough to hold it exactly
whenever the exact value lies on a rounding boundary (a ratio that does not terminate within 60
digits cannot sit on a boundary, so its 60-digit approximation rounds the same way).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

_CTX = Context(prec=60, rounding=ROUND_HALF_UP)
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class NotADecimal(ValueError):
    """The value is not a finite decimal number."""


def to_decimal(value: Any) -> Decimal:
    """A finite Decimal from an int, a float (read as its shortest repr), a Decimal or a decimal string.

    Booleans are refused although Python treats them as ints: `true` in a score sheet is a typo.
    """
    if isinstance(value, bool) or value is None:
        raise NotADecimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotADecimal(repr(value))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotADecimal(str(value))
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.match(text):
            raise NotADecimal(repr(value))
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
            raise NotADecimal(repr(value)) from exc
    raise NotADecimal(repr(value))


def decimal_places(value: Decimal) -> int:
    """Digits after the point that carry information (7.50 → 1, 8 → 0)."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def quantize_ratio(numerator: int | Decimal, denominator: int | Decimal, places: int) -> Decimal:
    """numerator / denominator rounded half up to `places` decimals, from the unrounded value."""
    exact = _CTX.divide(Decimal(numerator), Decimal(denominator))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CTX)


def quantize(value: Decimal, places: int) -> Decimal:
    """A Decimal rounded half up to `places` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CTX)


def plain(value: Decimal) -> str:
    """A Decimal as ordinary digits, never in exponent form (80, not 8E+1)."""
    return format(value, "f")


def units_to_text(units: int, places: int) -> str:
    """Integer units of 10^-places as a decimal string with exactly `places` decimals."""
    return str(Decimal(units).scaleb(-places))


def exact_product(*factors: Decimal) -> Decimal:
    """A product of Decimals with no intermediate rounding (60 digits is far beyond any input)."""
    result = Decimal(1)
    for factor in factors:
        result = _CTX.multiply(result, factor)
    return result


def exact_divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    return _CTX.divide(numerator, denominator)


_CHUNK = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Sort key that puts E2 before E10, so lists read the way a clerk numbered them.

    The text itself breaks the remaining ties (E2 and E02), so the order is total.
    """
    parts = _CHUNK.split(text)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p != ""), text
