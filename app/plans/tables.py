"""Season plans (评审计划): many reviews staffed together by one solve of assignment/."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, BigInt, Float, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.accounts.tables import Agency, User
from app.panels.tables import Draw
from app.reviews.tables import Review


class PlanMode(str, Enum):
    BALANCED = "balanced"
    """均衡负荷 — fewest seats for the busiest expert, then best specialty match."""
    RANDOMIZED = "randomized"
    """随机化 — no expert above probability q on any panel."""
    BEST_MATCH = "best_match"
    """限额内最优匹配 — best specialty match with every load within the stated cap."""


MODE_LABELS = {PlanMode.BALANCED.value: "均衡负荷", PlanMode.RANDOMIZED.value: "随机化（概率上限）",
               PlanMode.BEST_MATCH.value: "限额内最优匹配"}


class PlanStatus(str, Enum):
    PENDING = "pending"
    """待监督人确认 — input and pool hashes fixed, no seed."""
    SOLVING = "solving"
    """已确认，正在求解 (background job)."""
    SOLVED = "solved"
    """已求解，待经办人采用."""
    INFEASIBLE = "infeasible"
    """无可行方案 — the explanation is stored."""
    ACCEPTED = "accepted"
    """已采用 — seats and invitations created for every review."""
    CANCELLED = "cancelled"
    """已取消或超时作废."""
    FAILED = "failed"
    """求解出错."""


STATUS_LABELS = {PlanStatus.PENDING.value: "待监督人确认", PlanStatus.SOLVING.value: "正在求解",
                 PlanStatus.SOLVED.value: "已求解，待采用", PlanStatus.INFEASIBLE.value: "无可行方案",
                 PlanStatus.ACCEPTED.value: "已采用", PlanStatus.CANCELLED.value: "已取消",
                 PlanStatus.FAILED.value: "求解失败"}


class Plan(Table, tablename="season_plan"):
    """评审计划 — the exact input, its hashes, the seed drawn at confirmation, and the result.

    Replay: `assignment.solve(input, seed)` must give `output["panels"]` byte for byte.
    """

    agency = ForeignKey(references=Agency, index=True)
    title = Varchar(length=100)
    mode = Varchar(length=20, choices=PlanMode)
    q = Float(null=True, default=None)
    """randomized: the stated cap on every expert–panel probability."""
    load_cap = Integer(default=2)
    """Member seats per expert in this plan at most (rules.load_cap and each expert's max_load)."""
    yearly_cap = Integer(default=6)
    """Seats per expert this calendar year at most, prior seats included (rules.yearly_cap)."""
    status = Varchar(length=20, choices=PlanStatus, default=PlanStatus.PENDING.value, index=True)
    input = JSON(default={})
    input_sha256 = Varchar(length=64)
    pool_sha256 = Varchar(length=64)
    pool_size = Integer(default=0)
    excluded = JSON(default={})
    """{review_id: {expert_id: [{code, reason}]}} — 回避 per panel, for the record."""
    seed = BigInt(null=True, default=None)
    output = JSON(default={})
    baseline = JSON(default={})
    """The plain random draw (`draw` mode) of the same input and seed, for comparison; or its errors."""
    probabilities = JSON(default={})
    """randomized: {panel_id: [[expert_id, p], …]} — the published LP probabilities."""
    explanation = JSON(default={})
    """infeasible: the library's errors and report."""
    job = Integer(null=True, default=None)
    error = Text(default="")
    operator = ForeignKey(references=User, null=True)
    supervisor = ForeignKey(references=User, null=True)
    accepted_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    confirm_by = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    solved_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)


class PlanReview(Table, tablename="season_plan_review"):
    """One review of a plan: its panel id in the input, and the draw record made on acceptance."""

    plan = ForeignKey(references=Plan, index=True)
    review = ForeignKey(references=Review, index=True)
    panel_id = Varchar(length=40)
    draw = ForeignKey(references=Draw, null=True)
