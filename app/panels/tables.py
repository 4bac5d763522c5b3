"""Panels (评审小组): draws (抽取记录), seats, invitations (邀请) and the e-mail outbox."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.accounts.tables import Agency, User
from app.reviews.tables import Review
from app.roster.tables import Expert


class DrawStatus(str, Enum):
    PENDING = "pending"
    """待监督人确认 — prepared; the input and its hash are fixed, no seed yet."""
    CONFIRMED = "confirmed"
    """已抽取 — the supervisor confirmed; seed drawn, solved, seats created."""
    CANCELLED = "cancelled"
    """已取消 (or expired before confirmation)."""


class DrawPurpose(str, Enum):
    INITIAL = "initial"
    """首次抽取."""
    REDRAW = "redraw"
    """补抽 — alternates ran out (198号 第17条)."""


class Draw(Table, tablename="panel_draw"):
    """抽取记录 — one draw: its exact input and output, the seed and the hashes, who ran and who witnessed it.

    Replay: `assignment.solve(input, seed)` must give `output["panels"]` byte for byte.
    """

    review = ForeignKey(references=Review, index=True)
    agency = ForeignKey(references=Agency, index=True)
    number = Integer(default=1)
    """1 for the first draw of the review, 2… for 补抽."""
    purpose = Varchar(length=10, choices=DrawPurpose, default=DrawPurpose.INITIAL.value)
    status = Varchar(length=10, choices=DrawStatus, default=DrawStatus.PENDING.value, index=True)
    input = JSON(default={})
    """The assignment/ input, exactly as solved."""
    input_sha256 = Varchar(length=64)
    pool_sha256 = Varchar(length=64)
    """SHA-256 of the canonical JSON of the 回避-filtered pool snapshot (input["experts"])."""
    pool_size = Integer(default=0)
    excluded = JSON(default={})
    """{expert_id: [{code, reason}]} — experts left out for 回避, for the record."""
    seed = BigInt(null=True, default=None)
    """From `secrets` at confirmation; None while pending."""
    output = JSON(default={})
    """The assignment/ output (panels, seed, input_sha256, stats)."""
    operator = ForeignKey(references=User, null=True)
    """经办人 who prepared the draw."""
    supervisor = ForeignKey(references=User, null=True)
    """监督人 who confirmed it on their own signed-in session."""
    created_at = Timestamptz(default=TimestamptzNow())
    confirm_by = Timestamptz(null=True, default=None)
    """The confirmation window ends here; after it the draw can only be cancelled."""
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=300, default="")
    seats_filled = Integer(default=0)
    """Vacant seats this draw was for (1 panel seat per member drawn)."""


class SeatRole(str, Enum):
    MEMBER = "member"
    """评审专家 (成员)."""
    ALTERNATE = "alternate"
    """候补专家."""
    PURCHASER_REP = "purchaser_rep"
    """采购人代表."""


ROLE_LABELS = {SeatRole.MEMBER.value: "评审专家", SeatRole.ALTERNATE.value: "候补专家",
               SeatRole.PURCHASER_REP.value: "采购人代表"}


class SeatState(str, Enum):
    STANDBY = "standby"
    """候补待命 — an alternate not yet called."""
    INVITED = "invited"
    """已邀请，待答复."""
    ACCEPTED = "accepted"
    """已接受."""
    DECLINED = "declined"
    """已谢绝."""
    EXPIRED = "expired"
    """超时未答复."""
    RECUSED = "recused"
    """回避."""
    REMOVED = "removed"
    """撤销 (e.g. an unused alternate after the review opened, or a cancelled seat)."""


STATE_LABELS = {
    SeatState.STANDBY.value: "候补待命", SeatState.INVITED.value: "已邀请", SeatState.ACCEPTED.value: "已接受",
    SeatState.DECLINED.value: "已谢绝", SeatState.EXPIRED.value: "超时未答复", SeatState.RECUSED.value: "回避",
    SeatState.REMOVED.value: "已撤销",
}

ACTIVE_STATES = (SeatState.INVITED.value, SeatState.ACCEPTED.value)


class PanelSeat(Table, tablename="panel_seat"):
    """评审小组成员 — one person's place on a review's panel (member, alternate or 采购人代表).

    A seat that ends (declined, expired, recused) keeps its row; the alternate who takes it
    over becomes a member with the same `seat_no` and `replaces` pointing at it. Issue 7
    scores by the seats with role member/purchaser_rep and state accepted.
    """

    review = ForeignKey(references=Review, index=True)
    draw = ForeignKey(references=Draw, null=True)
    """None for imported (财政 draw) names and 采购人代表."""
    expert = ForeignKey(references=Expert, null=True, index=True)
    """None when the person is not in this system's library (imported name, 采购人代表)."""
    name = Varchar(length=50, default="")
    """Only for people without an `expert` row; roster experts are named by the roster."""
    org = Varchar(length=100, default="")
    user = ForeignKey(references=User, null=True)
    """Account that answers and scores for this seat (the expert's, or a 采购人代表's)."""
    role = Varchar(length=20, choices=SeatRole)
    state = Varchar(length=20, choices=SeatState)
    seat_no = Integer(default=0)
    """Member seat number 1…n (0 for an alternate not yet called)."""
    drawn_role = Varchar(length=20, default="")
    drawn_order = Integer(default=0)
    """Order in the draw output: members in draw order, alternates in substitution order."""
    is_leader = Boolean(default=False)
    """评审小组组长."""
    source = Varchar(length=20, default="draw")
    """draw / redraw / import (财政 draw) / manual (采购人代表)."""
    replaces = Integer(null=True, default=None)
    """PanelSeat id this seat took over."""
    replaced_by = Integer(null=True, default=None)
    end_reason = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Invitation(Table, tablename="panel_invitation"):
    """邀请 — one invitation to one seat; the link's token is stored only as its SHA-256."""

    seat = ForeignKey(references=PanelSeat, index=True)
    review = ForeignKey(references=Review, index=True)
    expert = ForeignKey(references=Expert, null=True)
    token_hash = Varchar(length=64, unique=True)
    email = Varchar(length=100, default="")
    sent_at = Timestamptz(default=TimestamptzNow())
    deadline = Timestamptz()
    answered_at = Timestamptz(null=True, default=None)
    answer = Varchar(length=20, default="")
    """"" (open), accepted, declined, expired, cancelled."""
    reason = Text(default="")
    """The expert's reason for declining (or the 回避 grounds)."""
    answered_via = Varchar(length=20, default="")
    """link (public token) or account (signed-in expert)."""


class OutboxMessage(Table, tablename="outbox_message"):
    """发件箱 — every e-mail the system sends; in development (no SMTP) the outbox page shows them.

    Once delivered by SMTP the body is redacted: the accept/decline links must not outlive the e-mail.
    """

    to_address = Varchar(length=100)
    to_name = Varchar(length=50, default="")
    subject = Varchar(length=200)
    body = Text()
    invitation = ForeignKey(references=Invitation, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    error = Varchar(length=300, default="")
