"""A member's own work: the 回避 declaration and 承诺书, the score sheet, autosave, submit and sign.

Independence (214号 Art. 24; 198号 Art. 18): nothing here ever reads another member's scores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.lockout import recheck_password
from app.audit import services as audit
from app.db import unique_or, write_tx
from app.exports.bundle import sheet_content_sha256
from app.panels.members import holds
from app.panels.tables import PanelSeat, SeatState
from app.reviews.state import Change, ensure_may_change
from app.reviews.tables import Review, ReviewStatus
from app.scoresheets.access import FlowError, ensure_open, expert_key, get_review, log, member_review
from app.scoresheets.entries import CleanScore, Entry, check_entries
from app.scoresheets.inputs import review_rubric
from app.scoresheets.tables import (
    AnomalyNote,
    Declaration,
    Score,
    ScoreSheet,
    ScoreSheetVersion,
    SheetReturn,
    SheetStatus,
)
from app.settings import get_settings

PLEDGE_TEXT = (
    "本人承诺：与本项目的采购人、供应商（申报单位）不存在利害关系；独立、客观、公正地按评审文件规定的"
    "评审程序、方法和标准评分，不与他人协商打分；对评审情况和评审结果保密；不收受任何财物或好处；"
    "发现违法违规行为及时报告。（财库〔2016〕198号 第十八、十九条；财库〔2014〕214号 第二十四条）"
)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def declaration_of(seat_id: int) -> Declaration | None:
    return await Declaration.objects().where(Declaration.seat == seat_id).first()


async def sign_declaration(user: Any, review_id: int, *, conflict: bool, conflict_text: str,
                           pledge: bool) -> dict[str, Any]:
    """回避声明 and 承诺书. Declaring a conflict ends the seat and calls the next alternate in."""
    review, seat = await member_review(user, review_id)
    conflict_text = conflict_text.strip()
    errors: dict[str, str] = {}
    if conflict and not conflict_text:
        errors["conflict_text"] = "请写明需要回避的原因（与哪一方、何种关系）"
    if len(conflict_text) > 300:
        errors["conflict_text"] = "回避原因不超过 300 字"
    if not conflict and not pledge:
        errors["pledge"] = "请阅读并勾选承诺书后再开始评分"
    if errors:
        raise FlowError(errors)
    ensure_open(review)
    if await declaration_of(seat.id) is not None:
        raise FlowError({"declaration": "您已签署过本次评审的声明"}, 409)
    outcome: dict[str, Any] = {"conflict": conflict}
    async with unique_or(FlowError({"declaration": "您已签署过本次评审的声明"}, 409)), write_tx():
        await ensure_may_change(review.id, Change.SHEETS)
        # Checked again where it counts: concurrent requests queue on the write transaction, and the
        # unique index on (review, seat) stops whatever slips past (one person, one declaration).
        if await declaration_of(seat.id) is not None:
            raise FlowError({"declaration": "您已签署过本次评审的声明"}, 409)
        declaration = Declaration(review=review.id, seat=seat.id, user=user.id, conflict=conflict,
                                  conflict_text=conflict_text, pledge=pledge and not conflict, signed_at=now_utc())
        await declaration.save()
        await audit.record(actor=user, action="scoresheet.declaration_signed", object_type="panel_seat",
                           object_id=seat.id, agency_id=review.agency,
                           new={"review_id": review.id, "conflict": conflict, "conflict_text": conflict_text,
                                "pledge": declaration.pledge})
        if conflict:
            outcome.update(await _recuse(user, review, seat, conflict_text))
    if conflict:
        await _deliver_mail()
    return outcome


async def _recuse(user: Any, review: Review, seat: PanelSeat, reason: str) -> dict[str, Any]:
    # The panels area owns replacement (递补): end the seat for 回避, move the next alternate in.
    from app.panels.seats import end_seat

    row = await PanelSeat.select().where(PanelSeat.id == seat.id).first()
    return await end_seat(user, review, row, SeatState.RECUSED.value, f"回避：{reason}", now_utc())


async def _deliver_mail() -> None:
    from app.panels import mail

    try:
        await mail.deliver_pending()
    except Exception:  # the outbox keeps the message; delivery is retried from there
        log.exception("scoring: invitation mail after a 回避 could not be delivered now")


async def open_sheet(user: Any, review_id: int) -> ScoreSheet | None:
    """The member's sheet, created at first visit after the declaration; None before it."""
    review, seat = await member_review(user, review_id)
    if review.status == ReviewStatus.DRAFT.value:
        raise FlowError({"review": "评审尚未开始，开始后才能查看评审材料和评分"}, 409)
    declaration = await declaration_of(seat.id)
    if declaration is None or declaration.conflict:
        return None
    sheet = await ScoreSheet.objects().where(ScoreSheet.seat == seat.id).first()
    if sheet is None and review.status == ReviewStatus.OPEN.value:  # a page view after scoring ends writes nothing
        async with unique_or(FlowError({"sheet": "评分表刚刚已在其他窗口创建，请刷新页面"}, 409)), write_tx():
            sheet = await ScoreSheet.objects().where(ScoreSheet.seat == seat.id).first()
            if sheet is None:
                await ensure_may_change(review.id, Change.SHEETS)
                sheet = ScoreSheet(review=review.id, seat=seat.id, user=user.id, expert_key=expert_key(seat))
                await sheet.save()
                await audit.record(actor=user, action="scoresheet.created", object_type="score_sheet",
                                   object_id=sheet.id, agency_id=review.agency,
                                   new={"review_id": review.id, "seat_id": seat.id, "expert": sheet.expert_key})
    return sheet


async def own_sheet(user: Any, sheet_id: int) -> tuple[ScoreSheet, Review]:
    """A member's own sheet; anyone else's answers 404 (and the attempt is logged and recorded)."""
    sheet = await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()
    # The sheet belongs to the seat, the seat to a person; ScoreSheet.user only records which
    # account opened it (an expert's account may be re-linked mid-review).
    seat = await PanelSeat.objects().where(PanelSeat.id == sheet.seat).first() if sheet else None
    if sheet is None or seat is None or not await holds(user, seat.id):
        log.warning("scoring: %s tried to open score sheet %s that is not theirs", user.username, sheet_id)
        if sheet is not None:
            await audit.record(actor=user, action="scoresheet.access_refused", object_type="score_sheet",
                               object_id=sheet_id, new={"reason": "not the owner"})
        raise NotFoundException("评分表不存在")
    if seat.state != SeatState.ACCEPTED.value:
        raise NotFoundException("您已不在该评审小组中")
    return sheet, await get_review(sheet.review)


def two_places(value: Any) -> str:
    """One text for a stored score on both engines (SQLite gives Decimal("30"), PostgreSQL "30.00")."""
    return str(Decimal(value).quantize(Decimal("0.01")))


async def scores_of(sheet_id: int) -> list[dict[str, Any]]:
    rows = await Score.select(Score.bid, Score.criterion, Score.value, Score.comment).where(Score.sheet == sheet_id)
    for row in rows:
        row["value"] = two_places(row["value"])
    return rows


async def sheet_page(sheet: ScoreSheet, review: Review) -> dict[str, Any]:
    """Everything the member's form shows: the rubric, their own values, requests to them."""
    criteria, bids = await review_rubric(review.id)
    values = {f"{s['bid']}-{s['criterion']}": s for s in await scores_of(sheet.id)}
    notes = await AnomalyNote.select().where(AnomalyNote.sheet == sheet.id).order_by(AnomalyNote.id)
    returns = await SheetReturn.select().where(SheetReturn.sheet == sheet.id).order_by(SheetReturn.id)
    history = await (ScoreSheetVersion.select(ScoreSheetVersion.revision, ScoreSheetVersion.content_sha256,
                                              ScoreSheetVersion.signed_at)
                     .where(ScoreSheetVersion.sheet == sheet.id).order_by(ScoreSheetVersion.revision))
    return {"sheet": sheet, "review": review, "criteria": criteria, "bids": [b for b in bids if b["valid"]],
            "bid_names": {b["id"]: b["title"] or b["supplier_name"] for b in bids},
            "criterion_names": {c["id"]: c["name"] for c in criteria},
            "values": values, "notes": notes, "returns": returns, "history": history,
            "editable": sheet.status != SheetStatus.SUBMITTED.value and review.status == "open"}


def sheet_json(sheet: ScoreSheet, scores: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": sheet.id, "review": sheet.review, "status": sheet.status, "version": sheet.version,
        "revision": sheet.revision, "content_sha256": sheet.content_sha256 or None,
        "scores": [{"bid": s["bid"], "criterion": s["criterion"], "value": s["value"],
                    "comment": s["comment"]} for s in sorted(scores, key=lambda s: (s["bid"], s["criterion"]))],
    }


async def _refuse(user: Any, sheet: ScoreSheet, review: Review, action: str, errors: dict[str, str],
                  status: int, record: bool) -> FlowError:
    log.warning("scoring: %s refused for %s on sheet %s: %s", action, user.username, sheet.id,
                "; ".join(errors.values()))
    if record:
        await audit.record(actor=user, action=f"scoresheet.{action}_refused", object_type="score_sheet",
                           object_id=sheet.id, agency_id=review.agency,
                           new={"reason": "; ".join(errors.values())[:500], "version": sheet.version})
    return FlowError(errors, status)


async def _checked(user: Any, sheet: ScoreSheet, review: Review, version: int, entries: list[Entry],
                   *, complete: bool, action: str) -> list[CleanScore]:
    if review.status != "open":
        raise await _refuse(user, sheet, review, action, {
            "review": "评审已结束或不在评审中，评分不能再提交或修改"}, 409, True)
    if sheet.status == SheetStatus.SUBMITTED.value:
        raise await _refuse(user, sheet, review, action, {
            "sheet": "评分表已提交并签名，不能重复提交或修改；如确有错误，须由评审小组按规定退回重评"}, 409, True)
    if version != sheet.version:
        raise await _refuse(user, sheet, review, action, {
            "version": f"评分表已在其他窗口或设备上保存（当前第 {sheet.version} 版，您的页面是第 {version} 版）。"
                       "为避免覆盖，本次保存未生效，请刷新页面后继续。"}, 409, True)
    criteria, bids = await review_rubric(review.id)
    clean, errors = check_entries(entries, bids=bids, criteria=criteria, complete=complete)
    if errors:
        raise await _refuse(user, sheet, review, action, errors, 400, action == "submit")
    return clean


async def _write_scores(sheet: ScoreSheet, expected_version: int, clean: list[CleanScore],
                        changes: dict[Any, Any]) -> int:
    """Replace the sheet's scores if nobody saved in between (optimistic lock); the new version."""
    now = now_utc()
    updated = await ScoreSheet.update({ScoreSheet.version: expected_version + 1, ScoreSheet.updated_at: now,
                                       **changes}).where(
        (ScoreSheet.id == sheet.id) & (ScoreSheet.version == expected_version)
        & (ScoreSheet.status != SheetStatus.SUBMITTED.value)).returning(ScoreSheet.id)
    if not updated:
        raise FlowError({"version": "评分表刚被其他窗口保存，本次保存未生效，请刷新页面后继续。"}, 409)
    await Score.delete().where(Score.sheet == sheet.id)
    if clean:
        await Score.insert(*[Score(sheet=sheet.id, bid=s.bid, criterion=s.criterion, value=s.value,
                                   comment=s.comment, updated_at=now) for s in clean])
    return expected_version + 1


def _content(sheet: ScoreSheet, clean: list[CleanScore]) -> list[dict[str, Any]]:
    return [{"bid": s.bid, "criterion": s.criterion, "value": str(s.value), "comment": s.comment} for s in clean]


def draft_digest(review_id: int, sheet: dict[str, Any]) -> str:
    """HMAC-SHA256 of a draft under a key derived from the server secret (never the plain SHA-256).

    Whoever holds the server's secret can still show that a draft was what the trail says; whoever
    reads only the trail (监督人, an auditor before publication) cannot test guesses against it.
    The signed (submitted) content keeps its plain hash: that one is meant to be re-computed.
    """
    key = hmac.new(get_settings().secret_key, b"pingshen/scoresheet-draft/v1", hashlib.sha256).digest()
    return hmac.new(key, sheet_content_sha256(review_id, sheet).encode(), hashlib.sha256).hexdigest()


async def save_draft(user: Any, sheet_id: int, version: int, entries: list[Entry]) -> dict[str, Any]:
    """自动保存 — the draft as typed so far (blanks allowed), refused when the version is stale."""
    sheet, review = await own_sheet(user, sheet_id)
    clean = await _checked(user, sheet, review, version, entries, complete=False, action="save")
    digest = draft_digest(review.id, {"expert": sheet.expert_key, "scores": _content(sheet, clean)})
    try:
        async with write_tx():
            await ensure_may_change(review.id, Change.SHEETS)
            new_version = await _write_scores(sheet, version, clean, {})
            # Counts and a keyed digest, never values nor a plain hash: the trail is read by people who
            # must not see drafts, and a plain hash of a small draft is found by trying every draft.
            await audit.record(actor=user, action="scoresheet.saved", object_type="score_sheet", object_id=sheet.id,
                               agency_id=review.agency, old={"version": version},
                               new={"version": new_version, "scores": len(clean), "draft_hmac": digest})
    except FlowError as exc:
        raise await _refuse(user, sheet, review, "save", exc.errors, exc.status_code, True) from None
    return {"version": new_version, "saved_at": now_utc().isoformat(), "scores": len(clean)}


async def submit(user: Any, sheet_id: int, version: int, entries: list[Entry], password: str) -> ScoreSheet:
    """提交并电子签名 — complete and in range, confirmed with the member's password; locks the sheet."""
    sheet, review = await own_sheet(user, sheet_id)
    clean = await _checked(user, sheet, review, version, entries, complete=True, action="submit")
    if refusal := await recheck_password(user, password, wrong="密码不正确，电子签名未完成，评分表未提交",
                                         purpose="scoresheet.submit"):
        raise await _refuse(user, sheet, review, "submit", {"password": refusal}, 400, True)
    now = now_utc()
    content = _content(sheet, clean)
    digest = sheet_content_sha256(review.id, {"expert": sheet.expert_key, "scores": content})
    try:
        async with write_tx():
            await ensure_may_change(review.id, Change.SHEETS)
            await _write_scores(sheet, version, clean, {
                ScoreSheet.status: SheetStatus.SUBMITTED.value, ScoreSheet.submitted_at: now,
                ScoreSheet.signed_at: now, ScoreSheet.content_sha256: digest})
            await ScoreSheetVersion.insert(ScoreSheetVersion(
                sheet=sheet.id, revision=sheet.revision, scores=content, content_sha256=digest,
                submitted_at=now, signed_at=now))
            await SheetReturn.update({SheetReturn.resolved_at: now}).where(
                (SheetReturn.sheet == sheet.id) & SheetReturn.resolved_at.is_null())
            await audit.record(actor=user, action="scoresheet.submitted", object_type="score_sheet",
                               object_id=sheet.id, agency_id=review.agency,
                               old={"status": sheet.status, "version": version},
                               new={"status": SheetStatus.SUBMITTED.value, "revision": sheet.revision,
                                    "content_sha256": digest, "scores": len(clean), "review_id": review.id})
    except FlowError as exc:
        raise await _refuse(user, sheet, review, "submit", exc.errors, exc.status_code, True) from None
    return await ScoreSheet.objects().where(ScoreSheet.id == sheet.id).first()


async def explain(user: Any, note_id: int, text: str) -> AnomalyNote:
    """书面说明 — the member answers a 畸高畸低 prompt on their own sheet."""
    note = await AnomalyNote.objects().where(AnomalyNote.id == note_id).first()
    if note is None:
        raise NotFoundException("说明请求不存在")
    sheet, review = await own_sheet(user, note.sheet)
    text = text.strip()
    if not text:
        raise FlowError({"explanation": "请写明评分理由"})
    if len(text) > 2000:
        raise FlowError({"explanation": "说明不超过 2000 字"})
    if note.answered_at is not None:
        raise FlowError({"explanation": "该项已作出书面说明"}, 409)
    ensure_open(review)
    async with write_tx():
        await ensure_may_change(review.id, Change.SHEETS)
        now = now_utc()
        await AnomalyNote.update({AnomalyNote.explanation: text, AnomalyNote.answered_at: now}).where(
            AnomalyNote.id == note.id)
        await audit.record(actor=user, action="scoresheet.anomaly_explained", object_type="score_anomaly_note",
                           object_id=note.id, agency_id=review.agency,
                           new={"sheet_id": sheet.id, "explanation": text})
    note.explanation, note.answered_at = text, now
    return note


async def note_sheet_id(note_id: int) -> int:
    row = await AnomalyNote.select(AnomalyNote.sheet).where(AnomalyNote.id == note_id).first()
    if row is None:
        raise NotFoundException("说明请求不存在")
    return row["sheet"]


def entries_from_form(form: dict[str, Any]) -> list[Entry]:
    """Form fields `v-<bid>-<criterion>` (value) and `m-<bid>-<criterion>` (comment)."""
    entries = []
    for name, value in form.items():
        if not name.startswith("v-"):
            continue
        parts = name.split("-")
        if len(parts) != 3:
            continue
        comment = form.get(f"m-{parts[1]}-{parts[2]}", "")
        entries.append(Entry(parts[1], parts[2], str(value), str(comment)))
    return entries


