"""Validating one expert's data — shared by the form, the API and every row of an import.

Returns clean values and Chinese messages keyed by field, all problems at once, so a form
or an import report can show everything that needs fixing in one go.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pypinyin import Style, lazy_pinyin

from app.conflicts.names import credit_code_problem, normalise_credit_code
from app.roster.config import RosterRules
from app.roster.idcard import birth_year_of, gender_of, id_number_problem
from app.roster.specialties import SpecialtyTree
from app.roster.status import age_on
from app.roster.tables import STATUS_LABELS
from app.web.parsing import plain_int

LEVELS = ("高级", "中级")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SPLIT = re.compile(r"[、,，;；\n]+")
STATUS_BY_LABEL = {label: value for value, label in STATUS_LABELS.items()}

#: Editable fields with their lengths (SQLite does not enforce Varchar lengths).
LENGTHS = {"name": 50, "phone": 20, "email": 100, "employer": 100, "title": 50, "region": 30, "county": 30,
           "notes": 2000}


def initials(name: str) -> str:
    """拼音首字母: 张三 → zs (letters and digits in the name are kept as they are)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()[:20]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel gives numbers for digit-only cells
    return str(value).strip()


def split_specialties(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [t.strip() for t in _SPLIT.split(str(value or "")) if t.strip()]


def validate_expert(
    data: Mapping[str, Any],
    tree: SpecialtyTree,
    rules: RosterRules,
    *,
    today: dt.date,
    with_status: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean values ready for the Expert table, errors by field)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for key, limit in LENGTHS.items():
        clean[key] = _text(data, key)
        if len(clean[key]) > limit:
            errors[key] = f"不超过 {limit} 个字符"
    if not clean["name"]:
        errors["name"] = "姓名不能为空"
    id_number = _text(data, "id_number").upper()
    clean["id_number"] = id_number
    if problem := id_number_problem(id_number):
        errors["id_number"] = problem
    else:
        clean["birth_year"] = birth_year_of(id_number)
        clean["gender"] = gender_of(id_number)
        age = age_on(id_number, clean["birth_year"], today)
        if age > rules.age_limit:
            errors["id_number"] = f"年龄 {age} 周岁，超过 {rules.age_limit} 周岁上限"
        elif age < 18:
            errors["id_number"] = f"年龄 {age} 周岁，未满 18 周岁"
    if clean["phone"] and not _PHONE.match(clean["phone"].replace(" ", "")):
        errors["phone"] = "手机号码应为 11 位，固定电话形如 0871-12345678"
    clean["phone"] = clean["phone"].replace(" ", "")
    if clean["email"] and not _EMAIL.match(clean["email"]):
        errors["email"] = "电子邮箱格式不正确"
    if not clean["employer"]:
        errors["employer"] = "工作单位不能为空"
    code = normalise_credit_code(_text(data, "employer_credit_code"))
    clean["employer_credit_code"] = code
    if code and (problem := credit_code_problem(code)):
        errors["employer_credit_code"] = problem
    if not clean["title"]:
        errors["title"] = "职称不能为空"
    level = _text(data, "level")
    clean["level"] = level
    if level not in LEVELS:
        errors["level"] = "职称级别须为“高级”或“中级”"
    years_text = _text(data, "years_in_field") or "0"
    years = plain_int(years_text, low=0, high=60)
    if years is None:
        errors["years_in_field"] = "从业年限须为 0–60 的整数"
        years = 0
    clean["years_in_field"] = years
    if level == "中级" and "years_in_field" not in errors and years < rules.min_years_intermediate:
        errors["years_in_field"] = f"中级职称须从业满 {rules.min_years_intermediate} 年（实为 {years} 年）"
    if not clean["region"]:
        errors["region"] = "所属州（市）不能为空"
    codes: list[str] = []
    problems: list[str] = []
    for token in split_specialties(data.get("specialties")):
        found, problem = tree.resolve(token)
        if problem:
            problems.append(problem)
        elif found not in codes:
            codes.append(found)  # type: ignore[arg-type]
    if problems:
        errors["specialties"] = "；".join(problems)
    elif not codes:
        errors["specialties"] = "至少填写一个专业"
    elif len(codes) > rules.max_specialties:
        errors["specialties"] = f"最多 {rules.max_specialties} 个专业（实为 {len(codes)} 个）"
    clean["specialties"] = codes
    if with_status:
        status = _text(data, "status") or "在库"
        value = STATUS_BY_LABEL.get(status, status if status in STATUS_LABELS else None)
        if value not in ("applied", "active"):
            errors["status"] = "导入或新建时状态只能为“申请”或“在库”"
        clean["status"] = value or "active"
    clean["name_initials"] = initials(clean["name"])
    return clean, errors
