"""Online scoring (在线评分): declarations, score sheets with their history, anomaly notes,
returns for re-scoring, signatures and the published result.

Rules: regulations.md §1.4–1.8 (财库〔2014〕214号 Art. 23–26, 32) and §3.4 (财库〔2016〕198号 Art. 18–19).
"""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.accounts.tables import User
from app.panels.tables import PanelSeat
from app.reviews.tables import Bid, Criterion, Review


class Declaration(Table, tablename="scoring_declaration"):
    """回避声明与承诺书 — signed by a panel member before any bid material is shown."""

    review = ForeignKey(references=Review, index=True)
    seat = ForeignKey(references=PanelSeat, index=True)
    user = ForeignKey(references=User)
    conflict = Boolean(default=False)
    """True: the member declared a 回避 ground and leaves the panel."""
    conflict_text = Text(default="")
    pledge = Boolean(default=False)
    """承诺书: independent scoring, confidentiality, no contact with suppliers (198号 Art. 18–19)."""
    signed_at = Timestamptz(default=TimestamptzNow())


class SheetStatus(str, Enum):
    DRAFT = "draft"
    """草稿 — being filled in, saved automatically."""
    SUBMITTED = "submitted"
    """已提交 — locked and signed with the member's password."""
    RETURNED = "returned"
    """退回重评 — returned for one of the §1.8 reasons; the earlier version is kept."""


SHEET_STATUS_LABELS = {
    SheetStatus.DRAFT.value: "草稿",
    SheetStatus.SUBMITTED.value: "已提交",
    SheetStatus.RETURNED.value: "退回重评",
}


class ScoreSheet(Table, tablename="score_sheet"):
    """评分表 — one member's scores for one review.

    `version` is the optimistic lock (every save adds one); `revision` counts submissions
    (1 = first, 2 = after a return …); each submitted revision is kept in ScoreSheetVersion.
    """

    review = ForeignKey(references=Review, index=True)
    seat = ForeignKey(references=PanelSeat, index=True)
    user = ForeignKey(references=User, index=True)
    expert_key = Varchar(length=40)
    """The member's id in the scoring input (roster expert id, or "P<seat id>" for a 采购人代表)."""
    status = Varchar(length=20, choices=SheetStatus, default=SheetStatus.DRAFT.value)
    version = Integer(default=1)
    revision = Integer(default=1)
    submitted_at = Timestamptz(null=True, default=None)
    signed_at = Timestamptz(null=True, default=None)
    content_sha256 = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Score(Table, tablename="sheet_score"):
    """评分 — one member's score of one bid on one criterion (the current draft or submission)."""

    sheet = ForeignKey(references=ScoreSheet, index=True)
    bid = ForeignKey(references=Bid)
    criterion = ForeignKey(references=Criterion)
    value = Numeric(digits=(8, 2))
    comment = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class ScoreSheetVersion(Table, tablename="score_sheet_version"):
    """评分表历史版本 — every submitted revision, exactly as signed (kept when the sheet is returned)."""

    sheet = ForeignKey(references=ScoreSheet, index=True)
    revision = Integer()
    scores = JSON(default=[])
    """[{bid, criterion, value (text), comment}] as signed."""
    content_sha256 = Varchar(length=64)
    submitted_at = Timestamptz()
    signed_at = Timestamptz()


class ReturnReason(str, Enum):
    """The only grounds for re-scoring after submission (214号 Art. 32; regulations §1.8)."""

    QUALIFICATION_ERROR = "qualification_error"
    SUM_ERROR = "sum_error"
    OUT_OF_RANGE = "out_of_range"
    OBJECTIVE_MISMATCH = "objective_mismatch"
    ANOMALY_UNANIMOUS = "anomaly_unanimous"


RETURN_REASON_LABELS = {
    ReturnReason.QUALIFICATION_ERROR.value: "资格性检查认定错误",
    ReturnReason.SUM_ERROR.value: "分值汇总计算错误",
    ReturnReason.OUT_OF_RANGE.value: "分项评分超出评分标准范围",
    ReturnReason.OBJECTIVE_MISMATCH.value: "客观分评分不一致",
    ReturnReason.ANOMALY_UNANIMOUS.value: "经评审小组一致认定评分畸高、畸低",
}


class SheetReturn(Table, tablename="score_sheet_return"):
    """退回重评 — a submitted sheet sent back, with the §1.8 reason, who and when."""

    review = ForeignKey(references=Review, index=True)
    sheet = ForeignKey(references=ScoreSheet, index=True)
    revision = Integer()
    """The revision that was returned (kept in ScoreSheetVersion)."""
    reason = Varchar(length=30, choices=ReturnReason)
    note = Text(default="")
    bid = ForeignKey(references=Bid, null=True)
    criterion = ForeignKey(references=Criterion, null=True)
    unanimous = Boolean(default=False)
    """经评审小组一致认定 — required for an anomaly return."""
    returned_by = ForeignKey(references=User)
    returned_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)


class AnomalyNote(Table, tablename="score_anomaly_note"):
    """评分畸高畸低 — a request for a written explanation, and the member's answer (财库〔2012〕69号)."""

    review = ForeignKey(references=Review, index=True)
    sheet = ForeignKey(references=ScoreSheet, index=True)
    revision = Integer()
    bid = ForeignKey(references=Bid)
    criterion = ForeignKey(references=Criterion, null=True)
    """None: the flag is on the member's total for the bid."""
    value = Varchar(length=30)
    others_mean = Varchar(length=30)
    deviation = Varchar(length=30)
    requested_by = ForeignKey(references=User)
    requested_at = Timestamptz(default=TimestamptzNow())
    explanation = Text(default="")
    answered_at = Timestamptz(null=True, default=None)


class Signature(Table, tablename="review_signature"):
    """评审报告签字 — agree, or dissent with reasons; a refusal without reasons counts as agreement (§1.7)."""

    review = ForeignKey(references=Review, index=True)
    seat = ForeignKey(references=PanelSeat)
    user = ForeignKey(references=User, null=True)
    agree = Boolean(default=True)
    dissent = Text(default="")
    refused = Boolean(default=False)
    """拒签且未说明理由 — recorded by agency staff; deemed to agree."""
    result_sha256 = Varchar(length=64)
    """Hash of the legal result the member signed (the summary they saw)."""
    recorded_by = ForeignKey(references=User, null=True)
    signed_at = Timestamptz(default=TimestamptzNow())
    voided_at = Timestamptz(null=True, default=None)
    """Set when a later return changed the scores: the member must sign again."""


class ScoringSettings(Table, tablename="review_scoring_settings"):
    """Settings the scoring input needs that the review itself does not hold."""

    review = ForeignKey(references=Review, unique=True)
    pass_score = Numeric(digits=(6, 2), null=True, default=None)
    """合格分 (approval/acceptance)."""
    anomaly_threshold = Numeric(digits=(4, 2), default=None, null=True)
    """畸高畸低 threshold as a fraction of the maximum (None: scoring's default 0.20)."""
    price_weight_approved = Boolean(default=False)
    """本级财政部门 approved a price weight outside the range."""
    updated_by = ForeignKey(references=User, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Result(Table, tablename="review_result"):
    """公布的评审结果 — scoring's input and output exactly as given to / returned by `scoring.evaluate`."""

    review = ForeignKey(references=Review, unique=True)
    input = JSON(default={})
    output = JSON(default={})
    input_sha256 = Varchar(length=64)
    result_sha256 = Varchar(length=64)
    outcome = JSON(default={})
    """{"kind", "candidates" | "items": [...]} — what was published, in plain words."""
    balance_payment_due = Boolean(default=False)
    """验收合格: the balance payment (尾款) is due."""
    published_by = ForeignKey(references=User)
    published_at = Timestamptz(default=TimestamptzNow())


class PriceDecision(str, Enum):
    ACCEPTED = "accepted"
    """报价合理，投标（响应）有效."""
    REJECTED = "rejected"
    """不能证明报价合理，投标（响应）无效."""


PRICE_DECISION_LABELS = {
    PriceDecision.ACCEPTED.value: "报价合理，投标有效",
    PriceDecision.REJECTED.value: "不能证明报价合理，投标无效",
}


class PriceReview(Table, tablename="abnormal_price_review"):
    """异常低价审查 — the supplier's written explanation and the panel's decision (财库〔2026〕2号,
    regulations §2). One decision per bid; the bid stays valid until it is recorded."""

    review = ForeignKey(references=Review, index=True)
    bid = ForeignKey(references=Bid, index=True)
    triggers = JSON(default=[])
    """scoring's `abnormal_low_price_triggers` when the decision was taken."""
    explanation = Text(default="")
    """供应商书面说明 (as received)."""
    received_on = Varchar(length=10, default="")
    """Date the explanation was received, YYYY-MM-DD (Beijing date)."""
    decision = Varchar(length=20, choices=PriceDecision)
    reasons = Text(default="")
    decided_by = ForeignKey(references=User)
    decided_at = Timestamptz(default=TimestamptzNow())


class TieMethod(str, Enum):
    LOT = "lot"
    VOTE = "vote"
    RULE = "rule"


TIE_METHOD_LABELS = {
    TieMethod.LOT.value: "在监督下抽签",
    TieMethod.VOTE.value: "评审小组表决（少数服从多数）",
    TieMethod.RULE.value: "按磋商文件载明的规则",
}


class TieSettlement(Table, tablename="ranking_tie_settlement"):
    """并列的处理 — how the panel settled a tie scoring left unresolved (214号 is silent; regulations §1.6)."""

    review = ForeignKey(references=Review, index=True)
    rank = Integer()
    """The rank the tied bids share in scoring's output."""
    bids = JSON(default=[])
    """The tied bid ids, sorted (the group the settlement applies to)."""
    order = JSON(default=[])
    """The same bid ids in the settled order, best first."""
    method = Varchar(length=20, choices=TieMethod)
    basis = Text(default="")
    """What was done: who drew the lot under whose supervision, the vote, the rule applied."""
    recorded_by = ForeignKey(references=User)
    recorded_at = Timestamptz(default=TimestamptzNow())


class RankingNote(Table, tablename="ranking_note"):
    """排序理由 — the panel's own reasons for a bid's place (评审报告, 214号 Art. 26; regulations §1.7)."""

    review = ForeignKey(references=Review, index=True)
    bid = ForeignKey(references=Bid)
    note = Text(default="")
    recorded_by = ForeignKey(references=User)
    recorded_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ResultCorrection(Table, tablename="review_result_correction"):
    """更正 — a later version of a published result (2, 3 …); the published `Result` (version 1) and every
    earlier correction are kept as they were, never overwritten.

    After publication a score can only change this way: an error of the kinds 214号 Art. 32 lists
    (regulations §1.8) found by the 采购人/经办机构 and re-reviewed by the original panel (87号令 第64条),
    recorded with who, why and exactly what changed, scoring re-run on the corrected input.
    """

    review = ForeignKey(references=Review, index=True)
    version = Integer()
    """2 for the first correction; (review, version) is unique."""
    reason = Varchar(length=30, choices=ReturnReason)
    note = Text(default="")
    """Why, in words: what was found, by whom, the re-review by the original panel."""
    changes = JSON(default=[])
    """[{sheet, expert, bid, criterion, old, new, old_sha256, new_sha256}] — each corrected score."""
    supersedes_sha256 = Varchar(length=64)
    """result_sha256 of the version this one replaces."""
    input = JSON(default={})
    output = JSON(default={})
    input_sha256 = Varchar(length=64)
    result_sha256 = Varchar(length=64)
    outcome = JSON(default={})
    balance_payment_due = Boolean(default=False)
    corrected_by = ForeignKey(references=User)
    corrected_at = Timestamptz(default=TimestamptzNow())
