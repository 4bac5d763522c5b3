"""专家库 — the provincial expert roster."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.accounts.tables import User


class ExpertStatus(str, Enum):
    APPLIED = "applied"
    """申请 — applied, not yet admitted."""
    ACTIVE = "active"
    """在库 — in the library and drawable."""
    SUSPENDED = "suspended"
    """暂停 — suspended until an end date."""
    LEAVE = "leave"
    """请假 — on leave for a period."""
    REMOVED = "removed"
    """出库 — removed, with a reason."""


STATUS_LABELS = {
    ExpertStatus.APPLIED.value: "申请",
    ExpertStatus.ACTIVE.value: "在库",
    ExpertStatus.SUSPENDED.value: "暂停",
    ExpertStatus.LEAVE.value: "请假",
    ExpertStatus.REMOVED.value: "出库",
}


class Specialty(Table, tablename="specialty"):
    """A node of the configurable specialty tree (专业分类)."""

    code = Varchar(length=40, unique=True)
    name = Varchar(length=60)
    parent_code = Varchar(length=40, default="")
    sort_order = Integer(default=0)


class Expert(Table, tablename="expert"):
    """评审专家 — one person in the provincial library."""

    name = Varchar(length=50, index=True)
    name_initials = Varchar(length=20, index=True)
    """Pinyin initials of the name, so `zs` finds 张三."""
    gender = Varchar(length=1)
    birth_year = SmallInt()
    id_number = Varchar(length=18, unique=True)
    phone = Varchar(length=20, default="")
    email = Varchar(length=100, default="")
    employer = Varchar(length=100, index=True)
    employer_credit_code = Varchar(length=18, default="")
    """统一社会信用代码 of the current employer, when known."""
    title = Varchar(length=50)
    """职称, e.g. 高级工程师."""
    level = Varchar(length=10)
    """高级 or 中级."""
    years_in_field = SmallInt(default=0)
    region = Varchar(length=30, index=True)
    """州(市)."""
    county = Varchar(length=30, default="")
    specialties = JSON(default=[])
    """Specialty codes, at most the configured number (default 3)."""
    status = Varchar(length=12, choices=ExpertStatus, default=ExpertStatus.ACTIVE.value, index=True)
    status_until = Timestamptz(null=True, default=None)
    user = ForeignKey(references=User, null=True)
    notes = Text(default="")
    version = Integer(default=1)
    """Optimistic lock: a save with a stale version is refused, never silently overwritten."""
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
