"""Answering invitations: by the e-mailed link (public, guarded by its token) or signed in as the expert.

A link answers once, before its deadline; an expert answers only their own invitation.
Every refused attempt is written to the audit trail, and nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.audit.services import SYSTEM
from app.db import write_tx
from app.panels import mail
from app.panels.members import expert_of
from app.panels.seats import PanelError, end_seat, expire_overdue, now_utc, token_hash
from app.panels.tables import Invitation, PanelSeat, SeatState
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import KIND_LABELS, Project, Review
from app.roster.tables import Expert
from app.web.templating import localtime

ANSWER_LABELS = {"accepted": "接受", "declined": "谢绝", "expired": "超时", "cancelled": "已撤回", "": "待答复"}


async def _refuse(actor: Any, invitation: dict[str, Any] | None, reason: str, message: str,
                  status: int = 400) -> NoReturn:
    async with write_tx():
        await audit.record(actor=actor, action="panel.invitation_refused", object_type="panel_invitation",
                           object_id=invitation["id"] if invitation else "unknown",
                           agency_id=invitation.get("agency_id") if invitation else None,
                           new={"reason": reason, "message": message})
    raise PanelError({"answer": message}, status_code=status)


async def _by_token(token: str) -> dict[str, Any] | None:
    if not token or len(token) > 100:
        return None
    return await Invitation.select(
        Invitation.all_columns(), Invitation.review.agency.as_alias("agency_id"),
    ).where(Invitation.token_hash == token_hash(token)).first()


async def invitation_page(token: str) -> dict[str, Any]:
    """What the link shows: the review, the deadline, and whether it can still be answered."""
    invitation = await _by_token(token)
    if invitation is None:
        raise NotFoundException("邀请链接无效")
    return await _describe(invitation)


async def _describe(invitation: dict[str, Any]) -> dict[str, Any]:
    review = await Review.select().where(Review.id == invitation["review"]).first()
    project = await Project.select(Project.name).where(Project.id == review["project"]).first()
    expert = await Expert.select(Expert.name).where(Expert.id == invitation["expert"]).first()
    now = now_utc()
    return {
        "invitation": invitation, "review": review, "project": project, "expert_name": expert["name"] if expert else "",
        "kind_label": KIND_LABELS[review["kind"]], "answer_label": ANSWER_LABELS.get(invitation["answer"], ""),
        "open": invitation["answer"] == "" and invitation["deadline"] >= now,
        "deadline": localtime(invitation["deadline"]),
    }


async def _answer(actor: Any, invitation: dict[str, Any], accept: bool, reason: str, via: str) -> dict[str, Any]:
    now = now_utc()
    reason = reason.strip()
    review = await Review.objects().where(Review.id == invitation["review"]).first()
    await precheck(review, Change.PANEL)
    if invitation["answer"]:
        when = localtime(invitation["answered_at"]) if invitation["answered_at"] else ""
        await _refuse(actor, invitation, "already_answered",
                      f"该邀请已于 {when} 答复（{ANSWER_LABELS.get(invitation['answer'], '')}），不能重复使用")
    if invitation["deadline"] < now:
        await expire_overdue(SYSTEM, invitation["review"], now)
        await _refuse(actor, invitation, "deadline_passed",
                      f"邀请已于 {localtime(invitation['deadline'])} 过期，席位已由候补专家递补")
    if not accept and not reason:
        raise PanelError({"reason": "请写明谢绝原因（如与项目有利害关系，请注明回避）"})
    if len(reason) > 500:
        raise PanelError({"reason": "原因不能超过 500 个字符"})
    result: dict[str, Any] = {}
    async with write_tx():
        review = await ensure_may_change(invitation["review"], Change.PANEL)
        seat = await PanelSeat.select().where(PanelSeat.id == invitation["seat"]).first()
        claimed = await Invitation.update({
            Invitation.answer: "accepted" if accept else "declined", Invitation.answered_at: now,
            Invitation.reason: reason, Invitation.answered_via: via}).where(
            (Invitation.id == invitation["id"]) & (Invitation.answer == "")).returning(Invitation.id)
        if not claimed or seat is None or seat["state"] != SeatState.INVITED.value:
            raise PanelError({"answer": "该邀请已答复或已撤回"})
        await audit.record(actor=actor, action="panel.invitation_accepted" if accept else "panel.invitation_declined",
                           object_type="panel_invitation", object_id=invitation["id"], agency_id=review.agency,
                           new={"seat_id": seat["id"], "expert_id": invitation["expert"], "via": via,
                                "reason": reason, "review_id": review.id})
        if accept:
            await PanelSeat.update({PanelSeat.state: SeatState.ACCEPTED.value, PanelSeat.updated_at: now,
                                    PanelSeat.version: PanelSeat.version + 1}).where(PanelSeat.id == seat["id"])
        else:
            result = await end_seat(actor, review, seat, SeatState.DECLINED.value, f"谢绝：{reason}", now)
    await mail.deliver_pending()
    return {"accepted": accept, **result}


async def answer_by_token(token: str, *, accept: bool, reason: str = "") -> dict[str, Any]:
    invitation = await _by_token(token)
    if invitation is None:
        # Not written to the audit trail: unknown tokens are counted per address and summarised
        # once the address is refused (RateLimitMiddleware on the link's routes).
        raise PanelError({"answer": "邀请链接无效"}, status_code=404)
    return await _answer(SYSTEM, invitation, accept, reason, "link")


async def answer_by_account(user: Any, invitation_id: int, *, accept: bool, reason: str = "") -> dict[str, Any]:
    invitation = await Invitation.select(
        Invitation.all_columns(), Invitation.review.agency.as_alias("agency_id"),
    ).where(Invitation.id == invitation_id).first()
    if invitation is None:
        raise NotFoundException("邀请不存在")
    own = await expert_of(user)
    if own is None or invitation["expert"] != own:
        await _refuse(user, invitation, "not_own_invitation", "您只能答复发给您本人的邀请", status=403)
    return await _answer(user, invitation, accept, reason, "account")


async def my_invitations(user: Any) -> list[dict[str, Any]]:
    """An expert's own invitations, newest first (experts see nothing else of the panel)."""
    own = await expert_of(user)
    if own is None:
        return []
    rows = await Invitation.select(
        Invitation.id, Invitation.answer, Invitation.deadline, Invitation.answered_at, Invitation.reason,
        Invitation.review.title.as_alias("review_title"), Invitation.review.kind.as_alias("review_kind"),
        Invitation.review.scheduled_at.as_alias("scheduled_at"), Invitation.review.location.as_alias("location"),
    ).where(Invitation.expert == own).order_by(Invitation.id, ascending=False)
    now = now_utc()
    for row in rows:
        row["open"] = row["answer"] == "" and row["deadline"] >= now
        row["kind_label"] = KIND_LABELS[row["review_kind"]]
        row["answer_label"] = ANSWER_LABELS.get(row["answer"], "")
    return rows


def overdue(deadline: dt.datetime) -> bool:
    return deadline < now_utc()
