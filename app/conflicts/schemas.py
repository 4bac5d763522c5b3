"""API shapes for 回避 checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec


class BidderIn(msgspec.Struct):
    name: str
    credit_code: str = ""
    legal_representative: str = ""
    head: str = ""


class CheckIn(msgspec.Struct):
    purchaser_name: str
    purchaser_credit_code: str = ""
    bidders: list[BidderIn] = []
    project_id: int | None = None
    review_id: int | None = None
    on_date: dt.date | None = None
    """Defaults to today (Beijing time)."""


class ConflictOut(msgspec.Struct):
    code: str
    label: str
    reason: str
    source: str
    evidence: dict[str, Any]


class ConflictedExpert(msgspec.Struct):
    expert_id: int
    name: str
    employer: str
    conflicts: list[ConflictOut]
