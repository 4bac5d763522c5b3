"""The panel's view once the sheets are in: scoring's summary, 畸高畸低 prompts, returns for
re-scoring (only for the 214号 Art. 32 reasons, regulations §1.8), the 组长, scoring settings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
from litestar.exceptions import NotFoundException

from app.accounts.tables import Role
from app.audit import services as audit
from app.db import write_tx
from app.reviews.state import Change, ensure_may_change
from app.reviews.tables import Project, Review
from app.scoresheets.access import FlowError, can_act, ensure_open, my_seat, seated, staff_view
from app.scoresheets.inputs import review_rubric, scoring_input
from app.scoresheets.tables import (
    AnomalyNote,
    ReturnReason,
    Score,
    ScoreSheet,
    ScoringSettings,
    SheetReturn,
    SheetStatus,
    Signature,
)
from scoring import ScoringError, evaluate


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def settings_of(review_id: int) -> ScoringSettings:
    found = await ScoringSettings.objects().where(ScoringSettings.review == review_id).first()
    return found or ScoringSettings(review=review_id)


async def sheets_of(review_id: int) -> list[dict[str, Any]]:
    return await ScoreSheet.select().where(ScoreSheet.review == review_id).order_by(ScoreSheet.id)


async def progress(review_id: int) -> list[dict[str, Any]]:
    """Each seated member with their sheet's status (never its scores)."""
    members = await seated(review_id)
    sheets = {s["seat"]: s for s in await sheets_of(review_id)}
    for member in members:
        member["sheet"] = sheets.get(member["id"])
    return members


def all_in(members: list[dict[str, Any]]) -> bool:
    return bool(members) and all(m["sheet"] and m["sheet"]["status"] == SheetStatus.SUBMITTED.value for m in members)


async def load_scoring_input(review: Review) -> dict[str, Any]:
    """The scoring input from the submitted sheets of the seated members (the one place it is built)."""
    members = await seated(review.id)
    keys = {m["id"]: m["key"] for m in members}
    sheets = [s for s in await sheets_of(review.id)
              if s["seat"] in keys and s["status"] == SheetStatus.SUBMITTED.value]
    by_sheet = {s["id"]: keys[s["seat"]] for s in sheets}
    rows = await Score.select(Score.sheet, Score.bid, Score.criterion, Score.value).where(
        Score.sheet.is_in(list(by_sheet) or [0]))
    criteria, bids = await review_rubric(review.id)
    project = await Project.select(Project.budget).where(Project.id == review.project).first()
    settings = await settings_of(review.id)
    return scoring_input(
        review={"id": review.id, "kind": review.kind, "category": review.category, "price_weight": review.price_weight},
        criteria=criteria, bids=bids,
        scores=[{"expert": by_sheet[r["sheet"]], "bid": r["bid"], "criterion": r["criterion"], "value": r["value"]}
                for r in rows],
        budget=project["budget"] if project else None, pass_score=settings.pass_score,
        anomaly_threshold=settings.anomaly_threshold, price_weight_approved=settings.price_weight_approved,
    )


async def evaluate_review(review: Review) -> tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
    """(input, output or None, scoring errors)."""
    data = await load_scoring_input(review)
    try:
        # scoring.evaluate takes 0.1–0.5 s on a large review (bootstrap statistics): off the event loop.
        return data, await anyio.to_thread.run_sync(evaluate, data), []
    except ScoringError as exc:
        return data, None, list(exc.errors)


async def summary(user: Any, review_id: int) -> dict[str, Any]:
    """The 组长's and agency's page: progress always; scoring's summary once every sheet is in."""
    review, view, own_seat = await staff_view(user, review_id)
    members = await progress(review.id)
    criteria, bids = await review_rubric(review.id)
    page: dict[str, Any] = {
        "review": review, "view": view, "can_act": can_act(view), "members": members, "criteria": criteria,
        "bids": {b["id"]: b for b in bids}, "all_in": all_in(members), "output": None, "errors": [],
        "settings": await settings_of(review.id), "notes": await notes_of(review.id),
        "returns": await SheetReturn.select().where(SheetReturn.review == review.id).order_by(SheetReturn.id),
        "signatures": await signatures_of(review.id),
    }
    page["keys"] = {m["key"]: m for m in members}
    page["requested"] = {f"{n['sheet']}-{n['bid']}-{n['criterion'] or ''}" for n in page["notes"]}
    page["sheet_by_key"] = {m["key"]: m["sheet"] for m in members if m["sheet"]}
    # The 组长 is not asked to explain to himself: no button on his own rows.
    page["own_sheet_id"] = next((m["sheet"]["id"] for m in members
                                 if own_seat is not None and m["id"] == own_seat.id and m["sheet"]), None)
    if page["all_in"]:
        _, page["output"], page["errors"] = await evaluate_review(review)
    from app.scoresheets import decisions  # decisions builds on this module

    page["decisions"] = await decisions.page_part(review, page["output"])
    from app.scoresheets.correction import versions_of

    page["versions"] = await versions_of(review.id)
    page["result"] = page["versions"][-1] if page["versions"] else None  # the version in force
    return page


async def notes_of(review_id: int) -> list[dict[str, Any]]:
    return await AnomalyNote.select().where(AnomalyNote.review == review_id).order_by(AnomalyNote.id)


async def signatures_of(review_id: int) -> list[dict[str, Any]]:
    return await (Signature.select().where(Signature.review == review_id).where(Signature.voided_at.is_null())
                  .order_by(Signature.id))


def _find_anomaly(output: dict[str, Any], key: str, bid_id: int, criterion_id: int | None) -> dict[str, Any] | None:
    for anomaly in output.get("anomalies", []):
        if (str(anomaly["expert"]) == key and anomaly["bid"] == bid_id
                and anomaly["criterion"] == criterion_id):
            return anomaly
    return None


async def _acting(user: Any, review_id: int) -> Review:
    review, view, _ = await staff_view(user, review_id)
    if not can_act(view):
        raise FlowError({"role": "只有评审小组组长或经办人可以执行此操作"}, 403)
    return review


async def _sheet_in(review: Review, sheet_id: int) -> ScoreSheet:
    sheet = await ScoreSheet.objects().where((ScoreSheet.id == sheet_id) & (ScoreSheet.review == review.id)).first()
    if sheet is None:
        raise NotFoundException("评分表不存在")
    return sheet


async def request_explanation(user: Any, review_id: int, sheet_id: int, bid_id: int,
                              criterion_id: int | None) -> AnomalyNote:
    """提示书面说明 — ask the member behind a 畸高畸低 flag for a written explanation (财库〔2012〕69号).

    The 组长 cannot ask himself: the request is addressed to someone else on the panel, so his
    own flagged scores are raised by the 经办人 instead.
    """
    review = await _acting(user, review_id)
    ensure_open(review)
    sheet = await _sheet_in(review, sheet_id)
    if user.role == Role.EXPERT.value and (own := await my_seat(user, review.id)) is not None \
            and sheet.seat == own.id:
        raise FlowError({"anomaly": "组长不能要求自己作出书面说明；如需说明，请由经办人提出"}, 409)
    if not all_in(await progress(review.id)):
        raise FlowError({"sheets": "全部评分表提交后才能就评分畸高畸低提示说明"}, 409)
    _, output, _ = await evaluate_review(review)
    anomaly = _find_anomaly(output, sheet.expert_key, bid_id, criterion_id) if output else None
    if anomaly is None:
        raise FlowError({"anomaly": "该评分没有畸高畸低提示，无需说明"})
    if await AnomalyNote.exists().where((AnomalyNote.sheet == sheet.id) & (AnomalyNote.revision == sheet.revision)
                                        & (AnomalyNote.bid == bid_id) & (AnomalyNote.criterion == criterion_id
                                        if criterion_id is not None else AnomalyNote.criterion.is_null())):
        raise FlowError({"anomaly": "已要求该专家就此项作出说明"}, 409)
    async with write_tx():
        await ensure_may_change(review.id, Change.SHEETS)
        note = AnomalyNote(review=review.id, sheet=sheet.id, revision=sheet.revision, bid=bid_id,
                           criterion=criterion_id, value=anomaly["value"], others_mean=anomaly["others_mean"],
                           deviation=anomaly["deviation"], requested_by=user.id, requested_at=now_utc())
        await note.save()
        await audit.record(actor=user, action="scoresheet.explanation_requested", object_type="score_anomaly_note",
                           object_id=note.id, agency_id=review.agency,
                           new={"sheet_id": sheet.id, "bid": bid_id, "criterion": criterion_id,
                                "value": anomaly["value"], "others_mean": anomaly["others_mean"]})
    return note


async def return_sheet(user: Any, review_id: int, sheet_id: int, *, reason: str, note: str,
                       bid_id: int | None, criterion_id: int | None, unanimous: bool) -> SheetReturn:
    """退回重评 — only for a 214号 Art. 32 reason, recorded; the signed revision stays in the history."""
    review = await _acting(user, review_id)
    ensure_open(review)
    sheet = await _sheet_in(review, sheet_id)
    errors: dict[str, str] = {}
    if reason not in {r.value for r in ReturnReason}:
        errors["reason"] = "退回重评只限以下情形：资格性检查认定错误、分值汇总计算错误、分项评分超出评分标准范围、" \
                           "客观分评分不一致、经评审小组一致认定评分畸高畸低（财库〔2014〕214号 第三十二条）"
    elif reason == ReturnReason.ANOMALY_UNANIMOUS.value and not unanimous:
        errors["unanimous"] = "以评分畸高、畸低为由退回，须经评审小组一致认定，请确认后勾选"
    note = note.strip()
    if not note:
        errors["note"] = "请写明需要更正的具体情况"
    elif len(note) > 1000:
        errors["note"] = "说明不超过 1000 字"
    if sheet.status != SheetStatus.SUBMITTED.value:
        errors["sheet"] = "只有已提交的评分表才能退回重评"
    if errors:
        raise FlowError(errors)
    async with write_tx():
        await ensure_may_change(review.id, Change.SHEETS)
        now = now_utc()
        updated = await ScoreSheet.update({
            ScoreSheet.status: SheetStatus.RETURNED.value, ScoreSheet.revision: sheet.revision + 1,
            ScoreSheet.version: sheet.version + 1, ScoreSheet.content_sha256: "", ScoreSheet.updated_at: now,
        }).where((ScoreSheet.id == sheet.id) & (ScoreSheet.version == sheet.version)).returning(ScoreSheet.id)
        if not updated:
            raise FlowError({"sheet": "评分表刚被他人更改，请刷新页面"}, 409)
        back = SheetReturn(review=review.id, sheet=sheet.id, revision=sheet.revision, reason=reason, note=note,
                           bid=bid_id, criterion=criterion_id, unanimous=unanimous, returned_by=user.id,
                           returned_at=now)
        await back.save()
        voided = await Signature.update({Signature.voided_at: now}).where(
            (Signature.review == review.id) & Signature.voided_at.is_null()).returning(Signature.id)
        await audit.record(actor=user, action="scoresheet.returned", object_type="score_sheet", object_id=sheet.id,
                           agency_id=review.agency,
                           old={"status": sheet.status, "revision": sheet.revision,
                                "content_sha256": sheet.content_sha256},
                           new={"status": SheetStatus.RETURNED.value, "revision": sheet.revision + 1,
                                "reason": reason, "note": note, "bid": bid_id, "criterion": criterion_id,
                                "unanimous": unanimous, "signatures_voided": [v["id"] for v in voided]})
    return back


async def result_json(user: Any, review_id: int) -> dict[str, Any]:
    """The published input and output (an auditor re-runs `python -m scoring evaluate` on `input`)."""
    from app.scoresheets.correction import versions_of  # correction builds on this module

    review, _, _ = await staff_view(user, review_id)
    versions = await versions_of(review.id)
    if not versions:
        raise NotFoundException("结果尚未公布")
    row = versions[-1]  # the version in force; earlier ones are listed, never overwritten
    return {"review": review.id, "version": row["version"], "input": row["input"], "output": row["output"],
            "outcome": row["outcome"], "input_sha256": row["input_sha256"], "result_sha256": row["result_sha256"],
            "published_at": row["published_at"].isoformat(), "balance_payment_due": row["balance_payment_due"],
            "versions": [{"version": v["version"], "result_sha256": v["result_sha256"],
                          "input_sha256": v["input_sha256"], "published_at": v["published_at"].isoformat(),
                          "by": v["by"], "reason": v["reason"], "note": v["note"], "changes": v["changes"],
                          "superseded_by": v["superseded_by"]} for v in versions]}

