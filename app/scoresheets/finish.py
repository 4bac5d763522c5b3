"""Finishing a review: members sign the 评审报告 (agree, or dissent with reasons; 214号 Art. 26,
实施条例 第41条, regulations §1.7), then the agency publishes the result.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.accounts.lockout import recheck_password
from app.audit import services as audit
from app.audit.chain import canonical_sha256
from app.db import unique_or, write_tx
from app.reviews.state import Change, ensure_may_change
from app.reviews.tables import Review, ReviewKind, ReviewStatus
from app.scoresheets import decisions
from app.scoresheets.access import FlowError, ensure_open, log, member_review, seated, staff_view
from app.scoresheets.inputs import legal_part, result_sha256, review_rubric
from app.scoresheets.panel import all_in, evaluate_review, notes_of, progress, signatures_of
from app.scoresheets.tables import Result, SheetReturn, Signature
from app.web.formatting import chinese_part


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _ready(review: Review) -> tuple[dict[str, Any], dict[str, Any]]:
    """The evaluated result, if the panel may sign it now; else a FlowError saying what is missing."""
    members = await progress(review.id)
    if not all_in(members):
        raise FlowError({"sheets": "还有评分表未提交，不能签字"}, 409)
    if await SheetReturn.exists().where((SheetReturn.review == review.id) & SheetReturn.resolved_at.is_null()):
        raise FlowError({"returns": "有退回重评的评分表尚未重新提交"}, 409)
    if any(n["answered_at"] is None for n in await notes_of(review.id)):
        raise FlowError({"notes": "有畸高畸低评分尚待专家书面说明"}, 409)
    data, output, errors = await evaluate_review(review)
    if output is None:
        raise FlowError({"scoring": "评分汇总未通过校验："
                                     + "；".join(chinese_part(e["message"]) for e in errors)}, 409)
    problems = await decisions.pending(review, output)
    if problems:
        raise FlowError(problems, 409)
    return data, output


async def report_page(user: Any, review_id: int) -> dict[str, Any]:
    """What a member sees before signing: totals and ranking only, never another member's scores."""
    review, seat = await member_review(user, review_id)
    _, bids = await review_rubric(review.id)
    page: dict[str, Any] = {"review": review, "seat": seat, "bids": {b["id"]: b for b in bids},
                            "output": None, "problem": "", "mine": None}
    try:
        _, page["output"] = await _ready(review)
    except FlowError as exc:
        page["problem"] = "；".join(exc.errors.values())
    page["mine"] = next((s for s in await signatures_of(review.id) if s["seat"] == seat.id), None)
    return page


async def sign(user: Any, review_id: int, *, agree: bool, dissent: str, password: str) -> Signature:
    """签字 — with the member's password; a dissent needs written reasons (§1.7)."""
    review, seat = await member_review(user, review_id)
    ensure_open(review)
    dissent = dissent.strip()
    errors: dict[str, str] = {}
    if not agree and not dissent:
        errors["dissent"] = "持不同意见的，须写明不同意见和理由（财库〔2014〕214号 第二十六条）"
    if len(dissent) > 2000:
        errors["dissent"] = "意见不超过 2000 字"
    if refusal := await recheck_password(user, password, wrong="密码不正确，签字未完成", purpose="scoresheet.sign"):
        errors["password"] = refusal
    if errors:
        log.warning("scoring: signature refused for %s on review %s: %s", user.username, review.id, errors)
        raise FlowError(errors)
    _, output = await _ready(review)
    if any(s["seat"] == seat.id for s in await signatures_of(review.id)):
        raise FlowError({"signature": "您已签字"}, 409)
    async with unique_or(FlowError({"signature": "您已签字"}, 409)), write_tx():
        await ensure_may_change(review.id, Change.SIGNATURES)
        # Again inside the transaction: concurrent signatures queue here, and the partial unique index on
        # (review, seat) for live signatures stops whatever slips past (one person, one signature).
        if await _signed(review.id, seat.id):
            raise FlowError({"signature": "您已签字"}, 409)
        signature = Signature(review=review.id, seat=seat.id, user=user.id, agree=agree,
                              dissent="" if agree else dissent, result_sha256=result_sha256(output),
                              signed_at=now_utc())
        await signature.save()
        await audit.record(actor=user, action="scoresheet.report_signed", object_type="review", object_id=review.id,
                           agency_id=review.agency,
                           new={"seat_id": seat.id, "agree": agree, "dissent": signature.dissent,
                                "result_sha256": signature.result_sha256})
        await _close_when_complete(user, review)
    return signature


async def record_refusal(user: Any, review_id: int, seat_id: int) -> Signature:
    """拒签 — a member who refuses to sign and gives no written reason is deemed to agree (§1.7)."""
    review, view, _ = await staff_view(user, review_id)
    if view != "staff":
        raise FlowError({"role": "只有经办人可以记录拒签"}, 403)
    ensure_open(review)
    if seat_id not in {m["id"] for m in await seated(review.id)}:
        raise FlowError({"seat": "该成员不在本评审小组中"})
    _, output = await _ready(review)
    if any(s["seat"] == seat_id for s in await signatures_of(review.id)):
        raise FlowError({"signature": "该成员已签字"}, 409)
    async with unique_or(FlowError({"signature": "该成员已签字"}, 409)), write_tx():
        await ensure_may_change(review.id, Change.SIGNATURES)
        if await _signed(review.id, seat_id):
            raise FlowError({"signature": "该成员已签字"}, 409)
        signature = Signature(review=review.id, seat=seat_id, user=None, agree=True, refused=True,
                              result_sha256=result_sha256(output), recorded_by=user.id, signed_at=now_utc())
        await signature.save()
        await audit.record(actor=user, action="scoresheet.refusal_recorded", object_type="review",
                           object_id=review.id, agency_id=review.agency,
                           new={"seat_id": seat_id, "deemed": "agree", "result_sha256": signature.result_sha256})
        await _close_when_complete(user, review)
    return signature


async def _signed(review_id: int, seat_id: int) -> bool:
    return await Signature.exists().where((Signature.review == review_id) & (Signature.seat == seat_id)
                                          & Signature.voided_at.is_null())


async def _close_when_complete(user: Any, review: Review) -> None:
    """Every member signed or recorded as refusing: scoring ends (评分结束)."""
    members = {m["id"] for m in await seated(review.id)}
    signed = {s["seat"] for s in await signatures_of(review.id)}
    if not members <= signed:
        return
    now = now_utc()
    updated = await Review.update({Review.status: ReviewStatus.CLOSED.value, Review.closed_at: now,
                                   Review.version: Review.version + 1}).where(
        (Review.id == review.id) & (Review.status == ReviewStatus.OPEN.value)).returning(Review.id)
    if updated:
        await audit.record(actor=user, action="review.closed", object_type="review", object_id=review.id,
                           agency_id=review.agency, old={"status": ReviewStatus.OPEN.value},
                           new={"status": ReviewStatus.CLOSED.value, "signatures": len(signed)})


def outcome_of(kind: str, output: dict[str, Any], bids: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The published decision in plain words: candidates (磋商), pass/fail (立项), accepted or not (验收)."""
    def name(bid_id: Any) -> str:
        row = bids.get(bid_id, {})
        return row.get("title") or row.get("supplier_name") or str(bid_id)

    if kind == ReviewKind.CONSULTATION.value:
        ranked = {b["id"]: b for b in output["bids"]}
        return {"kind": kind, "candidates": [
            {"bid": c, "name": name(c), "rank": ranked[c]["rank"], "total": ranked[c]["total"]}
            for c in output["candidates"]]}
    items = [{"bid": b["id"], "name": name(b["id"]), "total": b["total"], "passed": bool(b["passed"])}
             for b in output["bids"] if b["valid"]]
    return {"kind": kind, "items": items}


async def publish(user: Any, review_id: int) -> Result:
    """公布结果 — store scoring's input and output exactly; 验收合格 marks the balance payment due."""
    review, view, _ = await staff_view(user, review_id)
    if view != "staff":
        raise FlowError({"role": "只有经办人可以公布结果"}, 403)
    if review.status == ReviewStatus.PUBLISHED.value:
        raise FlowError({"review": "结果已公布，不能重复公布"}, 409)
    if review.status != ReviewStatus.CLOSED.value:
        raise FlowError({"review": "评审小组全体成员签字（或记录拒签）后才能公布结果"}, 409)
    data, output, errors = await evaluate_review(review)
    if output is None:
        raise FlowError({"scoring": "评分汇总未通过校验："
                                     + "；".join(chinese_part(e["message"]) for e in errors)}, 409)
    problems = await decisions.pending(review, output)
    if problems:
        raise FlowError({k: v + "，不能公布结果" for k, v in problems.items()}, 409)
    digest = result_sha256(output)
    signed = {s["result_sha256"] for s in await signatures_of(review.id)}
    if signed != {digest}:
        log.error("scoring: review %s result %s differs from the signed %s", review.id, digest, signed)
        raise FlowError({"scoring": "评分结果与小组签字时的结果不一致，不能公布；请核查"}, 409)
    _, bid_rows = await review_rubric(review.id)
    outcome = outcome_of(review.kind, output, {b["id"]: b for b in bid_rows})
    balance_due = review.kind == ReviewKind.ACCEPTANCE.value and bool(outcome["items"]) and all(
        i["passed"] for i in outcome["items"])
    outcome["balance_payment_due"] = balance_due
    async with write_tx():
        await ensure_may_change(review.id, Change.PUBLICATION)
        now = now_utc()
        updated = await Review.update({Review.status: ReviewStatus.PUBLISHED.value, Review.published_at: now,
                                       Review.version: Review.version + 1}).where(
            (Review.id == review.id) & (Review.status == ReviewStatus.CLOSED.value)).returning(Review.id)
        if not updated:
            raise FlowError({"review": "评审状态已被他人改变，请刷新页面"}, 409)
        result = Result(review=review.id, input=data, output=output, input_sha256=canonical_sha256(data),
                        result_sha256=digest, outcome=outcome, balance_payment_due=balance_due,
                        published_by=user.id, published_at=now)
        await result.save()
        await audit.record(actor=user, action="review.result_published", object_type="review", object_id=review.id,
                           agency_id=review.agency, old={"status": ReviewStatus.CLOSED.value},
                           new={"status": ReviewStatus.PUBLISHED.value, "input_sha256": result.input_sha256,
                                "result_sha256": digest, "legal": legal_part(output),
                                "balance_payment_due": balance_due})
    return result
