"""The import template round trip and row validation, without a database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from app.roster.config import RosterRules
from app.roster.sample import default_tree, demo_workbook
from app.roster.status import age_on, day_start, effective_status
from app.roster.validation import initials, validate_expert
from app.roster.xlsx import HEADERS, WorkbookError, read_roster

RULES = RosterRules(age_limit=70, max_specialties=3, min_years_intermediate=8, conflict_window_years=3)
TODAY = dt.date(2026, 11, 23)


def test_demo_roster_is_a_clean_import_file():
    sheet = read_roster(demo_workbook(120, seed=7), "演示.xlsx")
    assert len(sheet.rows) == 120 and sheet.rows[0][0] == 2
    tree = default_tree()
    problems = [(n, validate_expert(v, tree, RULES, today=TODAY, with_status=True)[1]) for n, v in sheet.rows]
    assert [p for p in problems if p[1]] == []


def test_headers_tolerate_half_width_brackets_and_spaces():
    book = Workbook()
    book.active.append([h.replace("（", "(").replace("）", ")") + " " for h in HEADERS])
    book.active.append(["x"] * len(HEADERS))
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(read_roster(buffer.getvalue(), "a.xlsx").rows) == 1


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"specialties": "安全生产、法律、财务审计、宣传培训"}, "specialties", "最多 3 个专业（实为 4 个）"),
        ({"specialties": ""}, "specialties", "至少填写一个专业"),
        ({"level": "初级"}, "level", "职称级别须为“高级”或“中级”"),
        ({"phone": "12345"}, "phone", "手机号码应为 11 位"),
        ({"employer_credit_code": "91350100M000100Y44"}, "employer_credit_code", "统一社会信用代码校验位不正确"),
        ({"status": "暂停"}, "status", "导入或新建时状态只能为“申请”或“在库”"),
        ({"id_number": 110101195001010000}, "id_number", "身份证号码"),
    ],
)
def test_row_problems(over, field, message):
    data = {"name": "张三", "id_number": "11010119750517001X", "employer": "昆明理工大学", "title": "教授",
            "level": "高级", "years_in_field": 10, "region": "昆明市", "specialties": "法律", **over}
    _, errors = validate_expert(data, default_tree(), RULES, today=TODAY, with_status=True)
    assert message in errors[field]


def test_age_limit_is_seventy_inclusive():
    assert age_on("530102195611240011", 1956, TODAY) == 69
    assert age_on("530102195611230011", 1956, TODAY) == 70
    assert age_on("530102195511220011", 1955, TODAY) == 71


def test_effective_status_of_periods():
    until = day_start(TODAY + dt.timedelta(days=1))  # last day: TODAY
    assert effective_status("suspended", None, until, TODAY) == "suspended"
    assert effective_status("suspended", None, until, TODAY + dt.timedelta(days=1)) == "active"
    start = day_start(TODAY + dt.timedelta(days=5))
    assert effective_status("leave", start, until + dt.timedelta(days=9), TODAY) == "active"
    assert effective_status("leave", start, until + dt.timedelta(days=9), TODAY + dt.timedelta(days=5)) == "leave"
    assert effective_status("removed", None, None, TODAY) == "removed"


def test_pinyin_initials():
    assert initials("张三") == "zs" and initials("欧阳娜娜") == "oynn"


def test_not_a_workbook():
    with pytest.raises(WorkbookError, match=r"不是有效的 \.xlsx"):
        read_roster(b"PK\x03\x04 broken zip", "a.xlsx")
