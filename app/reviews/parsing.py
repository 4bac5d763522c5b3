"""Form values → typed values, collecting Chinese messages keyed by field."""

from __future__ import annotations

import re
from decimal import Decimal

from app.web.parsing import plain_decimal

CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class ReviewError(ValueError):
    """A user-facing problem; `errors` maps field → Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def text(value: str, field: str, label: str, errors: dict[str, str], *, max_len: int,
         required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = f"{label}不能为空"
    elif len(value) > max_len:
        errors[field] = f"{label}不能超过 {max_len} 个字符"
    return value


def money(value: str, field: str, label: str, errors: dict[str, str], *, required: bool = True) -> Decimal | None:
    """元, two places; commas and a trailing 元 are allowed."""
    raw = (value or "").replace(",", "").replace("，", "").removesuffix("元").strip()
    if not raw:
        if required:
            errors[field] = f"{label}不能为空"
        return None
    amount = plain_decimal(raw)
    if amount is None:
        errors[field] = f"{label}“{value}”不是有效金额"
        return None
    if amount < 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("1e12"):
        errors[field] = f"{label}须为非负金额，最多两位小数"
        return None
    return amount.quantize(Decimal("0.01"))


def integer(value: str, field: str, label: str, errors: dict[str, str], *, low: int, high: int) -> int:
    raw = (value or "").strip()
    if not re.fullmatch(r"-?[0-9]{1,6}", raw):  # ASCII only: "１２" and "²" are not numbers here
        errors[field] = f"{label}须为整数"
        return low
    number = int(raw)
    if not low <= number <= high:
        errors[field] = f"{label}须在 {low}–{high} 之间"
    return number


def credit_code(value: str, field: str, errors: dict[str, str]) -> str:
    code = (value or "").strip().upper()
    if code and not CREDIT_CODE.match(code):
        errors[field] = f"统一社会信用代码“{value}”格式不正确（18 位）"
    return code


def percent(value: str, field: str, label: str, errors: dict[str, str]) -> Decimal | None:
    """'30' or '30%' → Decimal('0.3000')."""
    raw = (value or "").strip().removesuffix("%").strip()
    if not raw:
        return None
    number = plain_decimal(raw)
    if number is None:
        errors[field] = f"{label}须为百分数，如 30"
        return None
    if not 0 <= number <= 100:
        errors[field] = f"{label}须在 0–100 之间"
        return None
    return (number / 100).quantize(Decimal("0.0001"))


def money_str(value: Decimal | None) -> str | None:
    """元 with two places (SQLite hands back Decimal('398000') for 398000.00)."""
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))
