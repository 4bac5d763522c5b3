"""Accounts: agencies (机构) and users with one role each."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Role(str, Enum):
    ADMIN = "admin"
    AGENCY = "agency"
    """经办人 — agency staff."""
    SUPERVISOR = "supervisor"
    """监督人 — supervisor who must witness a draw."""
    EXPERT = "expert"
    """评审专家."""
    AUDITOR = "auditor"
    """审计/纪检 — reads everything, changes nothing."""


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN.value: "系统管理员",
    Role.AGENCY.value: "经办人",
    Role.SUPERVISOR.value: "监督人",
    Role.EXPERT.value: "评审专家",
    Role.AUDITOR.value: "审计",
}

#: Roles that act for one agency and only see that agency's objects.
AGENCY_ROLES = frozenset({Role.AGENCY.value, Role.SUPERVISOR.value})


class Agency(Table, tablename="agency"):
    """机构 — a social-insurance agency of one 州(市) (or the province)."""

    name = Varchar(length=100, unique=True)
    region = Varchar(length=50)
    """州(市) the agency serves."""
    created_at = Timestamptz(default=TimestamptzNow())
    is_active = Boolean(default=True)
    """停用的机构: its staff cannot sign in or act; its projects and records stay."""


class User(Table, tablename="app_user"):
    username = Varchar(length=50, unique=True, index=True)
    display_name = Varchar(length=50)
    role = Varchar(length=20, choices=Role)
    agency = ForeignKey(references=Agency, null=True)
    password_hash = Varchar(length=255)
    is_active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    last_login = Timestamptz(null=True, default=None)
    email = Varchar(length=100, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    must_change_password = Boolean(default=False)
    """Set when an administrator resets the password: the next sign-in goes to 修改密码 first."""


class RateWindow(Table, tablename="rate_window"):
    """请求频率计数 — one counter per limit and address, in the database so every worker process
    and host counts into the same window (a process's memory would let N workers allow N times
    the limit)."""

    bucket = Varchar(length=200, unique=True)
    """`<limit name>:<address>`"""
    hits = Integer(default=0)
    expires_at = BigInt(default=0, index=True)
    """Unix seconds at which the window ends and the count starts again."""
