"""回避 records kept by the agency: conflicts it found, and 分公司 → 总公司 links."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.roster.tables import Expert


class RecordedConflict(Table, tablename="recorded_conflict"):
    """经办机构记录的回避事项 — or that the expert took part in drafting a project's requirements.

    kind: "agency_recorded" or "drafted_requirements". The scope is a unit (name and/or credit
    code), a person (a bidder's 法定代表人/负责人), a project or a review.
    """

    expert = ForeignKey(references=Expert, index=True)
    kind = Varchar(length=30, default="agency_recorded")
    org_name = Varchar(length=100, default="")
    credit_code = Varchar(length=18, default="")
    person_name = Varchar(length=50, default="")
    project_id = Integer(null=True, default=None)
    review_id = Integer(null=True, default=None)
    reason = Varchar(length=300)
    active = Boolean(default=True)
    recorded_by = Varchar(length=50)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_by = Varchar(length=50, default="")
    revoked_at = Timestamptz(null=True, default=None)
    revoke_reason = Varchar(length=300, default="")


class OrgLink(Table, tablename="org_link"):
    """分公司 → 总公司, for branches whose own name does not carry the parent's registered name."""

    branch_name = Varchar(length=100)
    branch_credit_code = Varchar(length=18, default="")
    parent_name = Varchar(length=100)
    parent_credit_code = Varchar(length=18, default="")
    recorded_by = Varchar(length=50)
    created_at = Timestamptz(default=TimestamptzNow())
