"""Status arithmetic (pure): what an expert's status is on a given day.

暂停 and 请假 are stored as instants in UTC: `status_from` is 00:00 Beijing time of the first
day, `status_until` 00:00 Beijing time of the day after the last one. An expert whose period
has ended is treated as 在库 on read, so the draw never waits for the restore job; the job
(`services.restore_expired`) then writes the change and its audit record.
"""

from __future__ import annotations

import datetime as dt

from app.roster.tables import ExpertStatus

CHINA = dt.timezone(dt.timedelta(hours=8))
PERIODIC = (ExpertStatus.SUSPENDED.value, ExpertStatus.LEAVE.value)

#: Allowed manual changes: from → to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "applied": ("active", "removed"),
    "active": ("suspended", "leave", "removed"),
    "suspended": ("active", "removed"),
    "leave": ("active", "removed"),
    "removed": ("applied",),
}

ACTION_LABELS = {
    ("applied", "active"): "批准入库",
    ("applied", "removed"): "不予入库",
    ("active", "suspended"): "暂停",
    ("active", "leave"): "请假",
    ("active", "removed"): "出库",
    ("suspended", "active"): "提前恢复",
    ("suspended", "removed"): "出库",
    ("leave", "active"): "销假",
    ("leave", "removed"): "出库",
    ("removed", "applied"): "重新申请入库",
}


def day_start(day: dt.date) -> dt.datetime:
    """00:00 Beijing time of `day`, in UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(dt.UTC)


def local_day(instant: dt.datetime) -> dt.date:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(CHINA).date()


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def last_day(status_until: dt.datetime | None) -> dt.date | None:
    """The last day of a period stored as the instant it ends."""
    return None if status_until is None else local_day(status_until) - dt.timedelta(days=1)


def effective_status(status: str, status_from: dt.datetime | None, status_until: dt.datetime | None,
                     on: dt.date) -> str:
    """The status on day `on`: a 暂停 or 请假 outside its period counts as 在库."""
    if status not in PERIODIC:
        return status
    if status_until is not None and on >= local_day(status_until):
        return ExpertStatus.ACTIVE.value
    if status == ExpertStatus.LEAVE.value and status_from is not None and on < local_day(status_from):
        return ExpertStatus.ACTIVE.value
    return status


def age_on(id_number: str, birth_year: int, on: dt.date) -> int:
    """Completed years (周岁) on `on`, from the birth date in the ID number when it has one."""
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except (ValueError, IndexError):
        return on.year - birth_year
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
