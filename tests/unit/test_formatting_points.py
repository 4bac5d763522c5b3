"""Scores and maxima read the same whichever database returned them."""

from decimal import Decimal

from app.web.formatting import points


def test_points_drop_trailing_zeros_and_never_use_exponents() -> None:
    assert points(Decimal("40.00")) == "40"  # PostgreSQL numeric
    assert points(Decimal("40")) == "40"  # SQLite
    assert points(Decimal("20")) == "20" and points("2.50") == "2.5" and points(0) == "0"
    assert points("abc") == "abc"
