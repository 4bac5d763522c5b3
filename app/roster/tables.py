"""专家库 — the provincial expert roster."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, SmallInt, Text, Timestamptz, Varchar
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
    status_from = Timestamptz(null=True, default=None)
    """Start of a 请假 period (leave may be booked ahead); None for other statuses."""
    status_reason = Varchar(length=200, default="")
    """Why the current status was set (出库 reason, 暂停 grounds…); the history keeps every one."""


class ExpertStatusChange(Table, tablename="expert_status_change"):
    """状态变更记录 — one row per status change, manual or automatic."""

    expert = ForeignKey(references=Expert, index=True)
    old_status = Varchar(length=12)
    new_status = Varchar(length=12)
    reason = Varchar(length=200, default="")
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    actor = Varchar(length=50, default="system")
    automatic = Boolean(default=False)
    """True when the system restored the expert because a 暂停/请假 period ended."""
    created_at = Timestamptz(default=TimestamptzNow())


class Employment(Table, tablename="expert_employment"):
    """工作经历 — past (and current) employers with dates, for the 3-year 回避 rule."""

    expert = ForeignKey(references=Expert, index=True)
    org_name = Varchar(length=100)
    credit_code = Varchar(length=18, default="")
    position = Varchar(length=50, default="")
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    """None: still employed there."""
    created_at = Timestamptz(default=TimestamptzNow())


class Relative(Table, tablename="expert_relative"):
    """申报的近亲属 — spouse, lineal or collateral (三代以内) relatives and close in-laws, with their employers."""

    expert = ForeignKey(references=Expert, index=True)
    relation = Varchar(length=20)
    name = Varchar(length=50)
    employer = Varchar(length=100, default="")
    employer_credit_code = Varchar(length=18, default="")
    position = Varchar(length=50, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class HoldingKind(str, Enum):
    DIRECTOR = "director"
    """董事."""
    SUPERVISOR = "supervisor"
    """监事."""
    CONTROLLING_SHAREHOLDER = "controlling_shareholder"
    """控股股东."""
    ACTUAL_CONTROLLER = "actual_controller"
    """实际控制人."""
    SHAREHOLDER = "shareholder"
    """其他持股、出资."""


HOLDING_LABELS = {
    HoldingKind.DIRECTOR.value: "董事",
    HoldingKind.SUPERVISOR.value: "监事",
    HoldingKind.CONTROLLING_SHAREHOLDER.value: "控股股东",
    HoldingKind.ACTUAL_CONTROLLER.value: "实际控制人",
    HoldingKind.SHAREHOLDER.value: "持股/出资",
}


class Holding(Table, tablename="expert_holding"):
    """持股及任职 — shareholdings and director/supervisor posts, with dates."""

    expert = ForeignKey(references=Expert, index=True)
    kind = Varchar(length=30, choices=HoldingKind)
    org_name = Varchar(length=100)
    credit_code = Varchar(length=18, default="")
    share_percent = Varchar(length=10, default="")
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Declaration(Table, tablename="expert_declaration"):
    """自行申报的回避事项 — an expert's own declaration of a conflict.

    Names an organisation (unit or credit code), a person (a bidder's 法定代表人/负责人) or a
    project; any of them matching a panel's purchaser, bidders or project is a conflict.
    """

    expert = ForeignKey(references=Expert, index=True)
    org_name = Varchar(length=100, default="")
    credit_code = Varchar(length=18, default="")
    person_name = Varchar(length=50, default="")
    project_id = Integer(null=True, default=None)
    reason = Varchar(length=300)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PerformanceRecord(Table, tablename="expert_performance"):
    """履职评价 — one evaluation of one review (198号文 Art. 21), 0–100."""

    expert = ForeignKey(references=Expert, index=True)
    project = Varchar(length=200)
    review_id = Integer(null=True, default=None)
    score = SmallInt()
    comment = Text(default="")
    recorded_on = Date()
    recorded_by = Varchar(length=50)
    created_at = Timestamptz(default=TimestamptzNow())


class ProfileChange(Table, tablename="expert_profile_change"):
    """An expert's own change to employer or title, kept for agency review (198号文 Art. 10)."""

    expert = ForeignKey(references=Expert, index=True)
    field = Varchar(length=30)
    old_value = Varchar(length=200, default="")
    new_value = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    reviewed_by = Varchar(length=50, default="")
    reviewed_at = Timestamptz(null=True, default=None)
