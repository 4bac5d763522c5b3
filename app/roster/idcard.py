"""居民身份证号码 (GB 11643-1999): checksum validation and masking."""

from __future__ import annotations

import datetime as dt
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """Why an 18-digit ID number is invalid, in Chinese; None when it is valid."""
    value = value.strip().upper()
    if len(value) != 18:
        return f"身份证号码应为 18 位（实为 {len(value)} 位）"
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):  # ASCII: str.isdigit() also takes "²" and "１"
        return "身份证号码前 17 位须为数字，末位为数字或 X"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"身份证号码中的出生日期 {value[6:14]} 无效"
    if check_digit(value[:17]) != value[17]:
        return "身份证号码校验位不正确"
    return None


def birth_year_of(value: str) -> int:
    return int(value[6:10])


def gender_of(value: str) -> str:
    """男 for an odd 17th digit, 女 for an even one."""
    return "男" if int(value[16]) % 2 else "女"


def mask_id_number(value: str) -> str:
    return value[:6] + "********" + value[-4:] if len(value) == 18 else "******"


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else ("****" if value else "")
