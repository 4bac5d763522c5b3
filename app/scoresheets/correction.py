"""更正 — the only way a published result moves (issue 12; docs/scoring-online.md §2).

After publication the review is frozen (app/reviews/state.py). An error of the kinds 214号 Art. 32
lists (regulations §1.8) that is found later is corrected here by agency staff, after the original
panel re-reviewed it (财政部令第87号 第六十四条): the corrected score replaces the current one,
the sheet gets a new round (the signed rounds stay in ScoreSheetVersion), scoring re-runs on the
corrected input, and the result is published again as version 2, 3 … in ResultCorrection. The
published Result (version 1) and every earlier version are kept unchanged; who, why and what
changed go into the audit trail and the review bundle.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.audit.chain import canonical_sha256
from app.db import unique_or, write_tx
from app.exports.bundle import sheet_content_sha256
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import ReviewKind
from app.scoresheets import decisions
from app.scoresheets.access import FlowError, staff_view
from app.scoresheets.entries import Entry, check_entries
from app.scoresheets.inputs import legal_part, result_sha256, review_rubric
from app.scoresheets.panel import evaluate_review
from app.scoresheets.sheets import scores_of, two_places
from app.scoresheets.tables import (
    RETURN_REASON_LABELS,
    Result,
    ResultCorrection,
    Score,
    ScoreSheet,
    ScoreSheetVersion,
    SheetStatus,
)

MAX_NOTE = 2000


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def versions_of(review_id: int) -> list[dict[str, Any]]:
    """Every published version, oldest first: {version, input, output, hashes, outcome, published_at,
    by, reason, note, changes, superseded_by}. The last one is the result in force."""
    first = await Result.select(Result.all_columns(), Result.published_by.username.as_alias("by")).where(
        Result.review == review_id).output(load_json=True).first()
    if first is None:
        return []
    out = [{"version": 1, "input": first["input"], "output": first["output"], "input_sha256": first["input_sha256"],
            "result_sha256": first["result_sha256"], "outcome": first["outcome"],
            "balance_payment_due": first["balance_payment_due"], "published_at": first["published_at"],
            "by": first["by"], "reason": "", "note": "", "changes": [], "supersedes_sha256": None}]
    rows = await ResultCorrection.select(
        ResultCorrection.all_columns(), ResultCorrection.corrected_by.username.as_alias("by")).where(
        ResultCorrection.review == review_id).order_by(ResultCorrection.version).output(load_json=True)
    for row in rows:
        out.append({"version": row["version"], "input": row["input"], "output": row["output"],
                    "input_sha256": row["input_sha256"], "result_sha256": row["result_sha256"],
                    "outcome": row["outcome"], "balance_payment_due": row["balance_payment_due"],
                    "published_at": row["corrected_at"], "by": row["by"], "reason": row["reason"],
                    "note": row["note"], "changes": row["changes"], "supersedes_sha256": row["supersedes_sha256"]})
    for older, newer in itertools.pairwise(out):
        older["superseded_by"] = newer["version"]
    out[-1]["superseded_by"] = None
    return out


async def correct_score(user: Any, review_id: int, *, sheet_id: int | None, bid_id: int | None,
                        criterion_id: int | None, value: str, reason: str, note: str) -> dict[str, Any]:
    """更正一项评分 and publish the corrected result as the next version."""
    review, view, _ = await staff_view(user, review_id)
    if view != "staff":
        raise FlowError({"role": "只有经办人可以办理更正"}, 403)
    await precheck(review, Change.CORRECTION)
    errors: dict[str, str] = {}
    if reason not in RETURN_REASON_LABELS:
        errors["reason"] = ("更正只限以下情形：" + "、".join(RETURN_REASON_LABELS.values())
                            + "（财库〔2014〕214号 第三十二条）")
    note = (note or "").strip()
    if not note:
        errors["note"] = "请写明更正理由：发现的错误、发现人、原评审小组重新评审的情况"
    elif len(note) > MAX_NOTE:
        errors["note"] = f"更正理由不超过 {MAX_NOTE} 字"
    sheet = await ScoreSheet.objects().where((ScoreSheet.id == (sheet_id or 0))
                                             & (ScoreSheet.review == review.id)).first()
    if sheet is None:
        raise NotFoundException("评分表不存在")
    if sheet.status != SheetStatus.SUBMITTED.value:
        errors["sheet"] = "只有已提交的评分表可以更正"
    criteria, bids = await review_rubric(review.id)
    clean, problems = check_entries([Entry(bid_id or "", criterion_id or "", value)], bids=bids, criteria=criteria,
                                    complete=False)
    errors.update(problems)
    if not errors and not clean:
        errors["value"] = "请填写更正后的分值"
    if errors:
        raise FlowError(errors)
    new = clean[0]
    refusal = FlowError({"review": "该结果刚被他人更正，请刷新页面后重新办理"}, 409)
    async with unique_or(refusal), write_tx():
        await ensure_may_change(review.id, Change.CORRECTION)
        versions = await versions_of(review.id)
        current = versions[-1]
        fresh = await ScoreSheet.objects().where(ScoreSheet.id == sheet.id).first()
        row = await Score.objects().where((Score.sheet == sheet.id) & (Score.bid == new.bid)
                                          & (Score.criterion == new.criterion)).first()
        if row is None:
            raise FlowError({"value": "该评分表没有这一项评分"})
        old_value = two_places(row.value)
        if old_value == two_places(new.value):
            raise FlowError({"value": f"更正后的分值与原分值（{old_value}）相同"})
        now = now_utc()
        await Score.update({Score.value: new.value, Score.updated_at: now}).where(Score.id == row.id)
        content = [{"bid": s["bid"], "criterion": s["criterion"], "value": s["value"], "comment": s["comment"]}
                   for s in await scores_of(sheet.id)]
        digest = sheet_content_sha256(review.id, {"expert": fresh.expert_key, "scores": content})
        await ScoreSheetVersion.insert(ScoreSheetVersion(
            sheet=sheet.id, revision=fresh.revision + 1, scores=content, content_sha256=digest,
            submitted_at=now, signed_at=now))
        await ScoreSheet.update({ScoreSheet.revision: fresh.revision + 1, ScoreSheet.content_sha256: digest,
                                 ScoreSheet.version: fresh.version + 1, ScoreSheet.updated_at: now}).where(
            ScoreSheet.id == sheet.id)
        data, output, scoring_errors = await evaluate_review(review)
        if output is None:
            raise FlowError({"scoring": "更正后评分汇总未通过校验：" + "；".join(e["message"] for e in scoring_errors)},
                            409)
        pending = await decisions.pending(review, output)
        if pending:
            raise FlowError({k: v + "；更正后的结果不能公布" for k, v in pending.items()}, 409)
        from app.scoresheets.finish import outcome_of  # finish builds on panel; so does this module

        outcome = outcome_of(review.kind, output, {b["id"]: b for b in bids})
        balance_due = review.kind == ReviewKind.ACCEPTANCE.value and bool(outcome["items"]) and all(
            i["passed"] for i in outcome["items"])
        outcome["balance_payment_due"] = balance_due
        change = {"sheet": sheet.id, "expert": fresh.expert_key, "bid": new.bid, "criterion": new.criterion,
                  "old": old_value, "new": two_places(new.value), "old_sha256": fresh.content_sha256,
                  "new_sha256": digest}
        version = current["version"] + 1
        correction = ResultCorrection(
            review=review.id, version=version, reason=reason, note=note, changes=[change],
            supersedes_sha256=current["result_sha256"], input=data, output=output,
            input_sha256=canonical_sha256(data), result_sha256=result_sha256(output), outcome=outcome,
            balance_payment_due=balance_due, corrected_by=user.id, corrected_at=now)
        await correction.save()
        await audit.record(actor=user, action="scoresheet.corrected", object_type="score_sheet", object_id=sheet.id,
                           agency_id=review.agency,
                           old={"revision": fresh.revision, "content_sha256": fresh.content_sha256,
                                "value": old_value},
                           new={"revision": fresh.revision + 1, "content_sha256": digest, "value": change["new"],
                                "bid": new.bid, "criterion": new.criterion, "result_version": version,
                                "reason": reason, "note": note, "review_id": review.id})
        await audit.record(actor=user, action="review.result_corrected", object_type="review", object_id=review.id,
                           agency_id=review.agency,
                           old={"version": current["version"], "result_sha256": current["result_sha256"],
                                "legal": legal_part(current["output"])},
                           new={"version": version, "reason": reason, "note": note, "changes": [change],
                                "input_sha256": correction.input_sha256, "result_sha256": correction.result_sha256,
                                "legal": legal_part(output), "balance_payment_due": balance_due})
    return {"version": version, "result_sha256": correction.result_sha256, "change": change}
