"""What state a review is in, and the one gate every write asks: "may this change happen now?"

One state machine per review (docs/reviews.md, design.md "What state a review is in"):

    draft 筹备中 → drawn 已抽取 → open 评审中 → closed 评分结束 → published 结果已公布 (→ 更正)
                                                               terminated 已终止 (nothing changes)

`drawn` is not a stored status: it is a draft review whose panel exists (a confirmed draw or
imported names), which is what freezes the rules the draw obeyed.

Every service that writes to a review's panel, sheets, bids, rubric, decisions or settings calls
`ensure_may_change(review_id, Change.X)` as the first statement inside its `write_tx()`: the
status is read again there (and the row locked on PostgreSQL), so a publication that commits
between a page's read and the write cannot be overtaken. After scoring ends nothing of these
moves; after publication the only way forward is a 更正 (app/scoresheets/correction.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_409_CONFLICT

from app.db import engine, is_sqlite
from app.reviews.tables import Review, ReviewStatus


class Phase(str, Enum):
    DRAFT = "draft"
    DRAWN = "drawn"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    TERMINATED = "terminated"


PHASE_LABELS = {
    Phase.DRAFT: "筹备中",
    Phase.DRAWN: "筹备中（评审小组已抽取）",
    Phase.OPEN: "评审中",
    Phase.CLOSED: "评分结束",
    Phase.PUBLISHED: "结果已公布",
    Phase.TERMINATED: "已终止",
}


class Change(str, Enum):
    """What a write changes; each kind is allowed in some phases only."""

    SETTINGS = "settings"
    """评审设置 and the panel rules — only before the panel exists (the draw obeyed them)."""
    RUBRIC = "rubric"
    """评分标准 (criteria, templates applied)."""
    BIDS = "bids"
    """评审对象 (suppliers' responses, items)."""
    DRAW = "draw"
    """组建小组 before the review opens: 抽取 and 补抽 (prepare, confirm, cancel), imported names, 采购人代表."""
    PANEL = "panel"
    """评审小组: draws, seats (回避, 递补, removal), invitation answers, 采购人代表, imports, 组长."""
    OPENING = "opening"
    """开始评审."""
    SHEETS = "sheets"
    """声明与承诺书, 评分表 (save, submit), 书面说明, 退回重评."""
    SCORING_SETTINGS = "scoring_settings"
    """合格分, 畸高畸低阈值, 价格权值特批."""
    DECISIONS = "decisions"
    """评审小组的决定: 异常低价审查, 并列的处理, 排序理由."""
    SIGNATURES = "signatures"
    """评审报告签字, 拒签记录."""
    PUBLICATION = "publication"
    """公布结果."""
    CORRECTION = "correction"
    """更正 — after publication, with a reason; the published version is kept."""


CHANGE_LABELS = {
    Change.SETTINGS: "评审设置和小组规则",
    Change.RUBRIC: "评分标准",
    Change.BIDS: "评审对象（供应商、申报项目）",
    Change.DRAW: "评审小组的组建（抽取、导入名单、采购人代表）",
    Change.PANEL: "评审小组（席位、回避、递补、邀请答复）",
    Change.OPENING: "评审状态",
    Change.SHEETS: "评分表、声明和书面说明",
    Change.SCORING_SETTINGS: "评分设置",
    Change.DECISIONS: "评审小组的决定（异常低价审查、并列处理、排序理由）",
    Change.SIGNATURES: "评审报告签字",
    Change.PUBLICATION: "结果公布",
    Change.CORRECTION: "更正",
}

ALLOWED: dict[Change, frozenset[Phase]] = {
    Change.SETTINGS: frozenset({Phase.DRAFT}),
    Change.RUBRIC: frozenset({Phase.DRAFT, Phase.DRAWN}),
    Change.BIDS: frozenset({Phase.DRAFT, Phase.DRAWN}),
    Change.DRAW: frozenset({Phase.DRAFT, Phase.DRAWN}),
    Change.PANEL: frozenset({Phase.DRAFT, Phase.DRAWN, Phase.OPEN}),
    Change.OPENING: frozenset({Phase.DRAFT, Phase.DRAWN}),
    Change.SHEETS: frozenset({Phase.OPEN}),
    Change.SCORING_SETTINGS: frozenset({Phase.DRAFT, Phase.DRAWN, Phase.OPEN}),
    Change.DECISIONS: frozenset({Phase.OPEN}),
    Change.SIGNATURES: frozenset({Phase.OPEN}),
    Change.PUBLICATION: frozenset({Phase.CLOSED}),
    Change.CORRECTION: frozenset({Phase.PUBLISHED}),
}


class FrozenError(HTTPException):
    """The review is in a state that does not allow this change: 409 with a Chinese message.

    An HTTPException on purpose: the one error handler (app/web/errors.py) answers an HTML
    page for people and JSON for the API, and raising it inside `write_tx()` rolls back
    everything the request had written so far.
    """

    status_code = HTTP_409_CONFLICT

    def __init__(self, review_id: int, phase: Phase, change: Change):
        self.review_id, self.phase, self.change = review_id, phase, change
        super().__init__(detail=refusal(phase, change), status_code=HTTP_409_CONFLICT)


def refusal(phase: Phase, change: Change) -> str:
    label = CHANGE_LABELS[change]
    if change == Change.CORRECTION:
        return (f"评审当前为“{PHASE_LABELS[phase]}”，结果尚未公布，不能办理更正，本次操作未生效。"
                "公布前发现的评分错误，按规定退回重评。")
    message = f"评审当前为“{PHASE_LABELS[phase]}”，{label}不能再更改，本次操作未生效。"
    if phase == Phase.CLOSED:
        message += "评审小组已全体签字，评分结束后的记录不能再变更；请公布结果。"
    elif phase == Phase.PUBLISHED:
        message += "结果已公布；如发现错误，只能由经办人办理“更正”并写明理由（原公布版本保留）。"
    elif phase in (Phase.DRAFT, Phase.DRAWN) and change in (Change.SHEETS, Change.DECISIONS, Change.SIGNATURES):
        message += "评审开始后才能进行。"
    elif phase == Phase.DRAWN and change == Change.SETTINGS:
        message += "已完成抽取，小组规则不能再修改（如需调整请终止本评审后重新设立）。"
    return message


async def _has_panel(review_id: int) -> bool:
    # Imported here: panels builds on reviews, not the other way round.
    from app.panels.tables import Draw, DrawStatus, PanelSeat, SeatRole

    if await Draw.exists().where((Draw.review == review_id) & (Draw.status == DrawStatus.CONFIRMED.value)):
        return True
    return await PanelSeat.exists().where((PanelSeat.review == review_id)
                                          & (PanelSeat.role == SeatRole.MEMBER.value))


async def phase_of(review: Review | dict[str, Any]) -> Phase:
    """The review's phase from its stored status (and, for a draft, whether its panel exists)."""
    status = review["status"] if isinstance(review, dict) else review.status
    review_id = review["id"] if isinstance(review, dict) else review.id
    if status == ReviewStatus.DRAFT.value:
        return Phase.DRAWN if await _has_panel(review_id) else Phase.DRAFT
    return Phase(status)


async def precheck(review: Review, change: Change) -> None:
    """The same rule, read outside any transaction: lets a service refuse before expensive work or
    before writing a refusal of its own. It never replaces `ensure_may_change` inside the write."""
    phase = await phase_of(review)
    if phase not in ALLOWED[change]:
        raise FrozenError(review.id, phase, change)


async def ensure_may_change(review: Review | int, change: Change) -> Review:
    """The gate: raise FrozenError unless `change` may happen now; returns the review as read now.

    Must run inside the caller's `write_tx()`: the status is read again there (locked on
    PostgreSQL until commit), so the check and the write it guards see the same state.
    """
    if not engine().transaction_exists():
        raise RuntimeError("ensure_may_change must be called inside write_tx()")
    review_id = review if isinstance(review, int) else review.id
    query = Review.objects().where(Review.id == review_id)
    if not is_sqlite():  # SQLite's write transaction already holds the database's one write lock
        query = query.lock_rows()
    current = await query.first()
    if current is None:
        from litestar.exceptions import NotFoundException

        raise NotFoundException("评审不存在")
    phase = await phase_of(current)
    if phase not in ALLOWED[change]:
        raise FrozenError(review_id, phase, change)
    return current
