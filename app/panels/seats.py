"""Panel seats: invitations out, replacements in order (递补), late 回避, timeouts, 采购人代表, imports.

A member seat that ends (谢绝, 超时, 回避) is taken over by the next standby alternate in
substitution order; an alternate who now has a 回避 or is no longer 在库 is skipped (and
marked). When none is left the seat stays vacant and the review needs a 补抽 (198号 第17条).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.db import write_tx
from app.panels import mail
from app.panels.context import conflicts_of
from app.panels.queries import active_members, seats_of, standby_alternates
from app.panels.tables import ACTIVE_STATES, Invitation, PanelSeat, SeatRole, SeatState
from app.reviews.parsing import ReviewError
from app.reviews.services import get_review
from app.reviews.state import Change, FrozenError, ensure_may_change, precheck
from app.reviews.tables import KIND_LABELS, PanelSource, Project, Review, ReviewStatus
from app.roster.tables import Expert
from app.web.templating import localtime


class PanelError(ReviewError):
    """A refused panel action; `status_code` 400 (bad input) or 403 (not yours to do)."""

    def __init__(self, errors: dict[str, str], status_code: int = 400):
        super().__init__(errors)
        self.status_code = status_code


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite(review: Review, seat_id: int, expert_id: int, now: dt.datetime) -> None:
    """Create the invitation and queue its e-mail; inside the caller's write transaction."""
    expert = await Expert.select(Expert.name, Expert.email).where(Expert.id == expert_id).first()
    project = await Project.select(Project.name).where(Project.id == review.project).first()
    token = secrets.token_urlsafe(32)
    deadline = now + dt.timedelta(hours=review.invitation_hours)
    invitation = Invitation(seat=seat_id, review=review.id, expert=expert_id, token_hash=token_hash(token),
                            email=expert["email"], sent_at=now, deadline=deadline)
    await invitation.save()
    link = f"{mail.mail_settings().base_url}/invitations/{token}"
    when = localtime(review.scheduled_at) if review.scheduled_at else "另行通知"
    body = (
        f"{expert['name']} 专家：您好！\n\n"
        f"现邀请您参加{KIND_LABELS[review.kind]}：“{review.title}”（项目：{project['name']}）。\n"
        f"评审时间：{when}；评审地点：{review.location or '另行通知'}。\n\n"
        f"请于 {localtime(deadline)}（北京时间）前答复，接受或谢绝请打开：\n{link}\n\n"
        "如与本项目的采购人或供应商存在利害关系（财库〔2016〕198号 第十六条），请选择谢绝并写明回避原因。\n"
        "评审专家名单在结果公布前保密，请勿向他人透露受邀情况。此链接仅供您本人使用，请勿转发。\n")
    await mail.queue(to_address=expert["email"], to_name=expert["name"], subject=f"评审邀请：{review.title}",
                     body=body, invitation_id=invitation.id)


async def _close_open_invitations(seat_id: int, answer: str, now: dt.datetime) -> None:
    await Invitation.update({Invitation.answer: answer, Invitation.answered_at: now}).where(
        (Invitation.seat == seat_id) & (Invitation.answer == ""))


async def end_seat(actor: Any, review: Review, seat: dict[str, Any], state: str, reason: str,
                   now: dt.datetime) -> dict[str, Any]:
    """End a seat (declined/expired/recused/removed) and, for a member, move the next alternate in.

    Runs inside the caller's write transaction. Returns {"replaced_by": seat id | None, "skipped": [...]}.
    Every way a seat ends passes here, so this is where the panel freezes once scoring has ended.
    """
    await ensure_may_change(review.id, Change.PANEL)
    await PanelSeat.update({PanelSeat.state: state, PanelSeat.end_reason: reason[:300],
                            PanelSeat.updated_at: now, PanelSeat.version: PanelSeat.version + 1}).where(
        PanelSeat.id == seat["id"])
    if state != SeatState.DECLINED.value:
        await _close_open_invitations(seat["id"], "cancelled" if state != SeatState.EXPIRED.value else "expired", now)
    await audit.record(actor=actor, action=f"panel.seat_{state}", object_type="panel_seat", object_id=seat["id"],
                       agency_id=review.agency, old={"state": seat["state"], "role": seat["role"]},
                       new={"state": state, "reason": reason, "review_id": review.id})
    if seat["role"] != SeatRole.MEMBER.value:
        return {"replaced_by": None, "skipped": []}
    return await _move_next_alternate_in(actor, review, seat, now)


async def _move_next_alternate_in(actor: Any, review: Review, seat: dict[str, Any],
                                  now: dt.datetime) -> dict[str, Any]:
    skipped: list[int] = []
    for alternate in standby_alternates(await seats_of(review.id)):
        expert = await Expert.select(Expert.status).where(Expert.id == alternate["expert"]).first()
        problem = ""
        if expert is None or expert["status"] != "active":
            problem = "专家已不在库（状态变更），不能递补"
            state = SeatState.REMOVED.value
        else:
            conflicts = (await conflicts_of(review, [alternate["expert"]])).get(alternate["expert"], [])
            if conflicts:
                problem = "；".join(c.reason for c in conflicts)
                state = SeatState.RECUSED.value
        if problem:
            skipped.append(alternate["id"])
            await PanelSeat.update({PanelSeat.state: state, PanelSeat.end_reason: problem[:300],
                                    PanelSeat.updated_at: now}).where(PanelSeat.id == alternate["id"])
            await audit.record(actor=actor, action=f"panel.alternate_{state}", object_type="panel_seat",
                               object_id=alternate["id"], agency_id=review.agency,
                               new={"reason": problem, "review_id": review.id})
            continue
        await PanelSeat.update({
            PanelSeat.role: SeatRole.MEMBER.value, PanelSeat.state: SeatState.INVITED.value,
            PanelSeat.seat_no: seat["seat_no"], PanelSeat.replaces: seat["id"], PanelSeat.updated_at: now,
            PanelSeat.version: PanelSeat.version + 1}).where(PanelSeat.id == alternate["id"])
        await PanelSeat.update({PanelSeat.replaced_by: alternate["id"]}).where(PanelSeat.id == seat["id"])
        await invite(review, alternate["id"], alternate["expert"], now)
        await audit.record(actor=actor, action="panel.seat_replaced", object_type="panel_seat", object_id=seat["id"],
                           agency_id=review.agency,
                           new={"seat_no": seat["seat_no"], "replaced_by": alternate["id"],
                                "expert_id": alternate["expert"], "alternate_order": alternate["drawn_order"],
                                "skipped": skipped, "review_id": review.id})
        return {"replaced_by": alternate["id"], "skipped": skipped}
    await audit.record(actor=actor, action="panel.seat_vacant", object_type="panel_seat", object_id=seat["id"],
                       agency_id=review.agency,
                       new={"seat_no": seat["seat_no"], "review_id": review.id, "skipped": skipped,
                            "message": "候补专家已用完，须补抽"})
    return {"replaced_by": None, "skipped": skipped}


async def _seat_for(user: Any, seat_id: int) -> tuple[Review, dict[str, Any]]:
    seat = await PanelSeat.select().where(PanelSeat.id == seat_id).first()
    if seat is None:
        raise NotFoundException("席位不存在")
    return await get_review(user, seat["review"]), seat


async def recuse_seat(actor: Any, seat_id: int, reason: str) -> dict[str, Any]:
    """记录回避 — a 回避 found late (at sign-in, or declared on the day); the next alternate moves in."""
    review, seat = await _seat_for(actor, seat_id)
    await precheck(review, Change.PANEL)
    reason = reason.strip()
    if not reason:
        raise PanelError({"reason": "请写明回避原因"})
    if len(reason) > 300:
        raise PanelError({"reason": "回避原因不能超过 300 个字符"})
    if seat["expert"] is None or seat["state"] not in (*ACTIVE_STATES, SeatState.STANDBY.value):
        raise PanelError({"seat": "该席位当前不在小组中，无需回避"})
    async with write_tx():
        result = await end_seat(actor, review, seat, SeatState.RECUSED.value, f"回避：{reason}", now_utc())
    await mail.deliver_pending()
    return result


async def recheck_panel(actor: Any, review_id: int) -> list[dict[str, Any]]:
    """Re-run the 回避 check on everyone on or waiting for the panel (bids may have come in since)."""
    review = await get_review(actor, review_id)
    await precheck(review, Change.PANEL)
    seats = [s for s in await seats_of(review.id) if s["expert"] is not None
             and s["state"] in (*ACTIVE_STATES, SeatState.STANDBY.value)]
    conflicts = await conflicts_of(review, [s["expert"] for s in seats])
    found = []
    async with write_tx():
        await ensure_may_change(review.id, Change.PANEL)
        for seat in sorted(seats, key=lambda s: (s["role"] != SeatRole.MEMBER.value, s["seat_no"], s["drawn_order"])):
            fresh = await PanelSeat.select().where(PanelSeat.id == seat["id"]).first()
            if seat["expert"] not in conflicts or fresh["state"] not in (*ACTIVE_STATES, SeatState.STANDBY.value):
                continue
            reason = "回避：" + "；".join(c.reason for c in conflicts[seat["expert"]])
            result = await end_seat(actor, review, fresh, SeatState.RECUSED.value, reason, now_utc())
            found.append({"seat_id": seat["id"], "reason": reason, **result})
        await audit.record(actor=actor, action="panel.rechecked", object_type="review", object_id=review.id,
                           agency_id=review.agency, new={"checked": len(seats), "recused": len(found)})
    await mail.deliver_pending()
    return found


async def expire_overdue(actor: Any, review_id: int | None = None, now: dt.datetime | None = None) -> int:
    """超时未答复 — invitations past their deadline end their seats; the next alternates move in."""
    now = now or now_utc()
    # Only reviews whose panel may still change: a page view of a closed review must not try to write.
    query = Invitation.select(Invitation.id, Invitation.seat, Invitation.review).where(
        (Invitation.answer == "") & (Invitation.deadline < now)
        & Invitation.review.status.is_in([ReviewStatus.DRAFT.value, ReviewStatus.OPEN.value]))
    if review_id is not None:
        query = query.where(Invitation.review == review_id)
    overdue = await query.order_by(Invitation.deadline)
    count = 0
    for row in overdue:
        try:
            count += await _expire_one(actor, row, now)
        except FrozenError:  # scoring ended meanwhile: the invitation stays as it was
            continue
    if count:
        await mail.deliver_pending()
    return count


async def _expire_one(actor: Any, row: dict[str, Any], now: dt.datetime) -> int:
    async with write_tx():
        seat = await PanelSeat.select().where(PanelSeat.id == row["seat"]).first()
        if seat is None or seat["state"] != SeatState.INVITED.value:
            await Invitation.update({Invitation.answer: "cancelled", Invitation.answered_at: now}).where(
                (Invitation.id == row["id"]) & (Invitation.answer == ""))
            return 0
        review = await ensure_may_change(row["review"], Change.PANEL)
        await Invitation.update({Invitation.answer: "expired", Invitation.answered_at: now}).where(
            Invitation.id == row["id"])
        await end_seat(actor, review, seat, SeatState.EXPIRED.value, "超过答复期限未答复", now)
        return 1


async def add_purchaser_rep(actor: Any, review_id: int, name: str, org: str) -> int:
    """采购人代表 — recorded by name; may not sit as an expert on their own unit's project."""
    review = await get_review(actor, review_id)
    await precheck(review, Change.DRAW)
    name, org = name.strip(), org.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 50:
        errors["rep_name"] = "请填写采购人代表姓名（不超过 50 字）"
    if len(org) > 100:
        errors["rep_org"] = "单位名称不能超过 100 个字符"
    seats = await seats_of(review.id)
    reps = [s for s in seats if s["role"] == SeatRole.PURCHASER_REP.value and s["state"] in ACTIVE_STATES]
    if len(reps) >= review.purchaser_reps:
        errors["rep_name"] = f"本评审设 {review.purchaser_reps} 名采购人代表，已登记 {len(reps)} 名"
    if errors:
        raise PanelError(errors)
    project = await Project.select(Project.purchaser_name).where(Project.id == review.project).first()
    async with write_tx():
        await ensure_may_change(review.id, Change.DRAW)
        seat = PanelSeat(review=review.id, name=name, org=org or project["purchaser_name"],
                         role=SeatRole.PURCHASER_REP.value, state=SeatState.ACCEPTED.value,
                         seat_no=len(reps) + 1, source="manual")
        await seat.save()
        await audit.record(actor=actor, action="panel.purchaser_rep_added", object_type="panel_seat",
                           object_id=seat.id, agency_id=review.agency,
                           new={"review_id": review.id, "name": name, "org": seat.org})
    return seat.id


async def import_names(actor: Any, review_id: int, text: str, reference: str) -> int:
    """导入财政专家库抽取名单 — 磋商 whose legal draw happened in the 财政 system (regulations §0).

    One expert a line: 姓名,工作单位. The 财政 system confirmed them, so the seats start accepted.
    """
    review = await get_review(actor, review_id)
    await precheck(review, Change.DRAW)
    errors: dict[str, str] = {}
    if review.panel_source != PanelSource.FINANCE_SYSTEM.value:
        errors["names"] = "只有专家来源为“财政专家库抽取”的评审可以导入名单"
    reference = reference.strip()
    if not reference or len(reference) > 200:
        errors["reference"] = "请填写财政系统的抽取记录编号（不超过 200 字）"
    people = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, _, org = line.replace("，", ",").partition(",")
        if not name.strip() or len(name.strip()) > 50 or len(org.strip()) > 100:
            errors["names"] = f"第 {number} 行应写作“姓名,工作单位”"
            break
        people.append((name.strip(), org.strip()))
    needed = review.panel_size - review.purchaser_reps
    if "names" not in errors and len(people) != needed:
        errors["names"] = f"本评审需要 {needed} 名评审专家，名单中有 {len(people)} 名"
    existing = [s for s in await seats_of(review.id) if s["role"] == SeatRole.MEMBER.value]
    if existing:
        errors["names"] = "已有专家名单，不能重复导入"
    if errors:
        raise PanelError(errors)
    async with write_tx():
        await ensure_may_change(review.id, Change.DRAW)
        for seat_no, (name, org) in enumerate(people, start=1):
            await PanelSeat.insert(PanelSeat(
                review=review.id, name=name, org=org, role=SeatRole.MEMBER.value, state=SeatState.ACCEPTED.value,
                seat_no=seat_no, drawn_role=SeatRole.MEMBER.value, drawn_order=seat_no, source="import"))
        await audit.record(actor=actor, action="panel.names_imported", object_type="review", object_id=review.id,
                           agency_id=review.agency, new={"reference": reference, "count": len(people),
                                                         "names": [p[0] for p in people]})
    return len(people)


def panel_complete(review: Review, seats: list[dict[str, Any]]) -> list[str]:
    """What still keeps the review from opening; [] when the panel is complete."""
    problems = []
    members = active_members(seats)
    needed = review.panel_size - review.purchaser_reps
    accepted = [s for s in members if s["state"] == SeatState.ACCEPTED.value]
    if len(accepted) < needed:
        problems.append(f"评审专家已接受 {len(accepted)}/{needed} 人")
    reps = [s for s in seats if s["role"] == SeatRole.PURCHASER_REP.value and s["state"] == SeatState.ACCEPTED.value]
    if len(reps) < review.purchaser_reps:
        problems.append(f"采购人代表已登记 {len(reps)}/{review.purchaser_reps} 人")
    return problems


async def open_review(actor: Any, review_id: int) -> None:
    """开始评审 — only with a complete panel; from now on the agency sees the names (198号 第20条)."""
    review = await get_review(actor, review_id)
    await precheck(review, Change.OPENING)
    problems = panel_complete(review, await seats_of(review.id))
    if problems:
        raise PanelError({"panel": "小组尚未组成，不能开始评审：" + "；".join(problems)})
    async with write_tx():
        await ensure_may_change(review.id, Change.OPENING)
        now = now_utc()
        updated = await Review.update({Review.status: ReviewStatus.OPEN.value, Review.opened_at: now,
                                       Review.version: review.version + 1}).where(
            (Review.id == review.id) & (Review.status == ReviewStatus.DRAFT.value)).returning(Review.id)
        if not updated:
            raise PanelError({"status": "评审状态已被他人改变，请刷新页面"})
        await audit.record(actor=actor, action="review.opened", object_type="review", object_id=review.id,
                           agency_id=review.agency, old={"status": review.status},
                           new={"status": ReviewStatus.OPEN.value})
