"""The panel's decisions on what scoring flags but cannot decide: 异常低价审查 (财库〔2026〕2号,
regulations §2), ties left after every 214号 tie-break (regulations §1.6), and the panel's reasons
for the ranking (评审报告, 214号 Art. 26, regulations §1.7).

Recorded by the 组长 of the review or the agency staff of its agency. A bid flagged
`abnormal_low_price` stays valid until the panel decides; a rejection marks it invalid (Bid.valid,
invalid_reason — the reviews area has no service for bid validity after the review opened), which
changes the scoring input, so signatures already given are voided. Signing and publication are
refused while a flag has no decision or a tie touching the candidates has no settlement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.accounts.tables import User
from app.audit import services as audit
from app.audit.chain import timestamp_text
from app.db import write_tx
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import Bid, Review, ReviewKind
from app.scoresheets.access import FlowError, ensure_open
from app.scoresheets.panel import _acting, all_in, evaluate_review, progress
from app.scoresheets.tables import (
    PRICE_DECISION_LABELS,
    TIE_METHOD_LABELS,
    PriceDecision,
    PriceReview,
    RankingNote,
    Signature,
    TieSettlement,
)
from app.web.formatting import chinese_part
from app.web.parsing import is_plain_int, plain_date

BEIJING = dt.timezone(dt.timedelta(hours=8))
MAX_TEXT = 2000


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- reading -----------------------------------------------------------------------------------


def flagged_prices(output: dict[str, Any] | None) -> dict[int, list[str]]:
    """Bid id → triggers, for every valid bid scoring flags abnormal_low_price."""
    return {b["id"]: list(b.get("abnormal_low_price_triggers") or [])
            for b in (output or {}).get("bids", []) if "abnormal_low_price" in (b.get("flags") or [])}


def tie_groups(output: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Groups of bids scoring left tied: [{rank, bids (sorted ids), candidates (any is a candidate)}]."""
    groups: dict[Any, list[Any]] = {}
    for b in (output or {}).get("bids", []):
        if "tie_unresolved" in (b.get("flags") or []):
            groups.setdefault(b["rank"], []).append(b["id"])
    chosen = set((output or {}).get("candidates", []))
    return [{"rank": rank, "bids": sorted(ids), "candidates": bool(chosen & set(ids))}
            for rank, ids in sorted(groups.items(), key=lambda item: item[0])]


async def price_reviews_of(review_id: int) -> list[dict[str, Any]]:
    return await PriceReview.select().where(PriceReview.review == review_id).order_by(PriceReview.id).output(
        load_json=True)


async def settlements_of(review_id: int) -> list[dict[str, Any]]:
    return await TieSettlement.select().where(TieSettlement.review == review_id).order_by(
        TieSettlement.id).output(load_json=True)


async def notes_of(review_id: int) -> list[dict[str, Any]]:
    return await RankingNote.select().where(RankingNote.review == review_id).order_by(RankingNote.id)


def _settlement_for(group: dict[str, Any], settlements: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest settlement of exactly these bids (a later return may change the group)."""
    found = [s for s in settlements if sorted(s["bids"]) == group["bids"]]
    return found[-1] if found else None


async def pending(review: Review, output: dict[str, Any] | None) -> dict[str, str]:
    """What the panel still has to decide before signing or publication ({} when nothing)."""
    problems: dict[str, str] = {}
    decided = {r["bid"] for r in await price_reviews_of(review.id)}
    open_prices = [b for b in flagged_prices(output) if b not in decided]
    if open_prices:
        problems["abnormal_price"] = (f"有 {len(open_prices)} 家供应商报价触发异常低价条件，评审小组尚未作出审查结论"
                                      "（财库〔2026〕2号）")
    if review.kind == ReviewKind.CONSULTATION.value:
        settlements = await settlements_of(review.id)
        open_ties = [g for g in tie_groups(output) if g["candidates"] and _settlement_for(g, settlements) is None]
        if open_ties:
            problems["tie"] = "成交候选供应商中有并列名次，评审小组尚未记录处理方式和排序结果"
    return problems


async def page_part(review: Review, output: dict[str, Any] | None) -> dict[str, Any]:
    """What the summary page shows of the panel's decisions."""
    reviews = {r["bid"]: r for r in await price_reviews_of(review.id)}
    settlements = await settlements_of(review.id)
    groups = tie_groups(output)
    for group in groups:
        group["settlement"] = _settlement_for(group, settlements)
        group["required"] = review.kind == ReviewKind.CONSULTATION.value and group["candidates"]
    flagged = flagged_prices(output)
    return {
        "price_flags": [{"bid": b, "triggers": t, "record": reviews.get(b)} for b, t in flagged.items()],
        "price_reviews": list(reviews.values()),
        "ties": groups, "settlements": settlements,
        "ranking_notes": {n["bid"]: n for n in await notes_of(review.id)},
        "pending": await pending(review, output) if output else {},
        "price_decisions": PRICE_DECISION_LABELS, "tie_methods": TIE_METHOD_LABELS,
    }


# --- writing -----------------------------------------------------------------------------------


async def _ensure_recordable(review: Review) -> None:
    """Only while scoring (评审中): once every member has signed, the report they signed is final."""
    await precheck(review, Change.DECISIONS)


async def _output(review: Review) -> dict[str, Any]:
    if not all_in(await progress(review.id)):
        raise FlowError({"sheets": "全部评分表提交后才能记录评审小组的决定"}, 409)
    _, output, errors = await evaluate_review(review)
    if output is None:
        raise FlowError({"scoring": "评分汇总未通过校验："
                                     + "；".join(chinese_part(e["message"]) for e in errors)}, 409)
    return output


def _text(value: str, field: str, label: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"请填写{label}"
    elif len(value) > MAX_TEXT:
        errors[field] = f"{label}不超过 {MAX_TEXT} 字"
    return value


def _date(value: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    day = plain_date(value)
    if day is None:
        errors["received_on"] = "请按 年-月-日（如 2026-03-15）填写收到书面说明的日期"
        return value
    if day > now_utc().astimezone(BEIJING).date():
        errors["received_on"] = "收到书面说明的日期不能晚于今天"
    return day.isoformat()


async def record_price_review(user: Any, review_id: int, bid_id: int | None, *, explanation: str,
                              received_on: str, decision: str, reasons: str) -> PriceReview:
    """异常低价审查结论 — the supplier's explanation and the panel's decision; a rejection makes the bid
    invalid (财库〔2026〕2号: a supplier that cannot prove its price reasonable has an invalid bid)."""
    review = await _acting(user, review_id)
    await _ensure_recordable(review)
    errors: dict[str, str] = {}
    explanation = _text(explanation, "explanation", "供应商的书面说明", errors)
    received = _date(received_on, errors)
    if decision not in {d.value for d in PriceDecision}:
        errors["decision"] = "请选择审查结论：报价合理（投标有效）或不能证明报价合理（投标无效）"
    reasons = _text(reasons, "reasons", "评审小组的审查意见和理由", errors)
    if errors:
        raise FlowError(errors)
    if decision == PriceDecision.REJECTED.value:
        ensure_open(review)
    if await PriceReview.exists().where((PriceReview.review == review.id) & (PriceReview.bid == bid_id)):
        raise FlowError({"bid": "该供应商的异常低价审查结论已记录，不能重复记录"}, 409)
    output = await _output(review)
    triggers = flagged_prices(output)
    if bid_id not in triggers:
        raise FlowError({"bid": "该供应商的报价没有异常低价提示，无需审查"})
    bid = await Bid.objects().where((Bid.id == bid_id) & (Bid.review == review.id)).first()
    async with write_tx():
        await ensure_may_change(review.id, Change.DECISIONS)
        now = now_utc()
        record = PriceReview(review=review.id, bid=bid_id, triggers=triggers[bid_id], explanation=explanation,
                             received_on=received, decision=decision, reasons=reasons, decided_by=user.id,
                             decided_at=now)
        await record.save()
        await audit.record(actor=user, action="scoresheet.price_review_recorded", object_type="review",
                           object_id=review.id, agency_id=review.agency,
                           new={"bid_id": bid_id, "triggers": triggers[bid_id], "explanation": explanation,
                                "received_on": received, "decision": decision, "reasons": reasons})
        if decision == PriceDecision.REJECTED.value:
            reason = f"异常低价审查：不能证明报价合理（财库〔2026〕2号）：{reasons}"[:300]
            updated = await Bid.update({Bid.valid: False, Bid.invalid_reason: reason,
                                        Bid.version: bid.version + 1}).where(
                (Bid.id == bid_id) & (Bid.version == bid.version) & (Bid.valid == True)  # noqa: E712
            ).returning(Bid.id)
            if not updated:
                raise FlowError({"bid": "该供应商的投标刚被他人更改，请刷新页面"}, 409)
            voided = await Signature.update({Signature.voided_at: now}).where(
                (Signature.review == review.id) & Signature.voided_at.is_null()).returning(Signature.id)
            await audit.record(actor=user, action="review.bid_invalidated", object_type="review",
                               object_id=review.id, agency_id=review.agency,
                               old={"bid_id": bid_id, "valid": True, "invalid_reason": bid.invalid_reason},
                               new={"bid_id": bid_id, "valid": False, "invalid_reason": reason,
                                    "signatures_voided": [v["id"] for v in voided]})
    return record


def _order(form: dict[str, str], group: dict[str, Any], errors: dict[str, str]) -> list[int]:
    """The settled order from fields pos-<bid id> = 1..n (each place once)."""
    places: dict[int, int] = {}
    for bid in group["bids"]:
        raw = (form.get(f"pos-{bid}") or "").strip()
        if not is_plain_int(raw) or not 1 <= int(raw) <= len(group["bids"]):
            errors["order"] = f"请为每家并列供应商填写名次顺序 1～{len(group['bids'])}"
            return []
        places[bid] = int(raw)
    if len(set(places.values())) != len(places):
        errors["order"] = "并列供应商的顺序不能重复，每个顺序号只能用一次"
        return []
    return sorted(places, key=lambda b: places[b])


async def settle_tie(user: Any, review_id: int, rank: int | None, form: dict[str, str]) -> TieSettlement:
    """并列的处理 — how the panel settled a tie and the resulting order."""
    review = await _acting(user, review_id)
    await _ensure_recordable(review)
    output = await _output(review)
    group = next((g for g in tie_groups(output) if g["rank"] == rank), None)
    if group is None:
        raise FlowError({"tie": "评分结果中没有该名次的并列，无需记录"})
    errors: dict[str, str] = {}
    order = _order(form, group, errors)
    method = (form.get("method") or "").strip()
    if method not in TIE_METHOD_LABELS:
        errors["method"] = "请选择处理方式：在监督下抽签、评审小组表决或按磋商文件载明的规则"
    basis = _text(form.get("basis", ""), "basis", "处理经过（如抽签的监督人和结果、表决情况或适用的规则）", errors)
    if errors:
        raise FlowError(errors)
    if _settlement_for(group, await settlements_of(review.id)) is not None:
        raise FlowError({"tie": "该并列的处理结果已记录，不能重复记录"}, 409)
    async with write_tx():
        await ensure_may_change(review.id, Change.DECISIONS)
        record = TieSettlement(review=review.id, rank=group["rank"], bids=group["bids"], order=order,
                               method=method, basis=basis, recorded_by=user.id, recorded_at=now_utc())
        await record.save()
        await audit.record(actor=user, action="scoresheet.tie_settled", object_type="review", object_id=review.id,
                           agency_id=review.agency,
                           new={"rank": group["rank"], "bids": group["bids"], "order": order, "method": method,
                                "basis": basis})
    return record


async def save_ranking_note(user: Any, review_id: int, bid_id: int | None, note: str, version: int) -> RankingNote:
    """排序理由 — the panel's reasons for a bid's place, kept with the 评审报告; edits carry a version."""
    review = await _acting(user, review_id)
    await _ensure_recordable(review)
    errors: dict[str, str] = {}
    note = _text(note, "note", "排序理由", errors)
    if bid_id is None or not await Bid.exists().where((Bid.id == bid_id) & (Bid.review == review.id)):
        errors["bid"] = "请选择本评审的供应商（评审对象）"
    if errors:
        raise FlowError(errors)
    await _output(review)
    existing = await RankingNote.objects().where((RankingNote.review == review.id)
                                                 & (RankingNote.bid == bid_id)).first()
    if (existing.version if existing else 0) != version:
        raise FlowError({"note": "排序理由刚被他人修改，请刷新页面后再保存"}, 409)
    async with write_tx():
        await ensure_may_change(review.id, Change.DECISIONS)
        now = now_utc()
        if existing is None:
            row = RankingNote(review=review.id, bid=bid_id, note=note, recorded_by=user.id, recorded_at=now)
            await row.save()
        else:
            updated = await RankingNote.update({RankingNote.note: note, RankingNote.recorded_by: user.id,
                                                RankingNote.recorded_at: now,
                                                RankingNote.version: existing.version + 1}).where(
                (RankingNote.id == existing.id) & (RankingNote.version == existing.version)).returning(RankingNote.id)
            if not updated:
                raise FlowError({"note": "排序理由刚被他人修改，请刷新页面后再保存"}, 409)
            row = await RankingNote.objects().where(RankingNote.id == existing.id).first()
        await audit.record(actor=user, action="scoresheet.ranking_note_saved", object_type="review",
                           object_id=review.id, agency_id=review.agency,
                           old={"bid_id": bid_id, "note": existing.note} if existing else None,
                           new={"bid_id": bid_id, "note": note, "version": row.version})
    return row


# --- for the review bundle (app/exports/collect.py) ----------------------------------------------


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await User.select(User.id, User.display_name, User.username).where(User.id.is_in(list(ids)))
    return {r["id"]: f"{r['display_name']}（{r['username']}）" for r in rows}


async def bundle_records(review_id: int) -> dict[str, list[dict[str, Any]]]:
    """`abnormal_price_reviews` and `ranking_notes` of the bundle (docs/exports.md §1)."""
    reviews = await price_reviews_of(review_id)
    settlements = await settlements_of(review_id)
    notes = await notes_of(review_id)
    users = await _names({r["decided_by"] for r in reviews} | {s["recorded_by"] for s in settlements}
                         | {n["recorded_by"] for n in notes})
    price = [{"bid": r["bid"], "triggers": r["triggers"], "started_at": None, "deadline": None,
              "explanation": r["explanation"], "explanation_received_on": r["received_on"],
              "decision": r["decision"], "reasons": r["reasons"], "decided_at": timestamp_text(r["decided_at"]),
              "decided_by": users.get(r["decided_by"], "")} for r in reviews]
    bids = {b["id"]: b["title"] or b["supplier_name"] for b in await Bid.select(
        Bid.id, Bid.title, Bid.supplier_name).where(Bid.review == review_id)}
    texts: dict[Any, list[str]] = {}
    for s in settlements:
        order = "、".join(bids.get(b, str(b)) for b in s["order"])
        text = (f"第 {s['rank']} 名并列，经{TIE_METHOD_LABELS.get(s['method'], s['method'])}确定顺序："
                f"{order}；经过：{s['basis']}")
        for bid in s["bids"]:
            texts.setdefault(bid, []).append(text)
    for n in notes:
        texts.setdefault(n["bid"], []).append(n["note"])
    ranking = [{"bid": bid, "note": "；".join(parts)} for bid, parts in texts.items()]
    return {"abnormal_price_reviews": price, "ranking_notes": ranking}
