"""Online scoring's part of the review bundle (app/exports/bundle.py), as plain dicts.

`bundle_parts(review_id)` gives the keyword arguments `build_bundle` takes for what this area
owns — scoring input/output, sheets, signatures, returns, the panel as it scored — so the
exports area can assemble a bundle that `pingshen verify` re-checks.
"""

from __future__ import annotations

from typing import Any

from app.accounts.tables import Agency
from app.audit.chain import timestamp_text
from app.audit.tables import AuditRecord
from app.reviews.tables import Project, Review
from app.scoresheets.access import seated
from app.scoresheets.correction import versions_of
from app.scoresheets.panel import evaluate_review, sheets_of, signatures_of
from app.scoresheets.sheets import scores_of
from app.scoresheets.tables import RETURN_REASON_LABELS, Declaration, ScoreSheetVersion, SheetReturn

ROLE_TEXT = {"member": "成员", "purchaser_rep": "采购人代表"}


def _when(moment: Any) -> str | None:
    return timestamp_text(moment) if moment is not None else None


async def bundle_parts(review_id: int, *, with_audit: bool = True) -> dict[str, Any]:
    review = await Review.objects().where(Review.id == review_id).first()
    project = await Project.objects().where(Project.id == review.project).first()
    agency = await Agency.select(Agency.id, Agency.name).where(Agency.id == review.agency).first()
    members = await seated(review.id)
    by_seat = {m["id"]: m for m in members}
    versions = await versions_of(review.id)
    if versions:  # the version in force: after a 更正 the corrected input matches the corrected sheets
        data, output = versions[-1]["input"], versions[-1]["output"]
    else:
        data, output, _ = await evaluate_review(review)
    declarations = {d["seat"]: d for d in await Declaration.select().where(Declaration.review == review.id)}
    sheets = []
    for sheet in await sheets_of(review.id):
        member = by_seat.get(sheet["seat"])
        if member is None or sheet["status"] != "submitted":
            continue
        sheets.append({"expert": sheet["expert_key"], "name": member["display"],
                       "content_sha256": sheet["content_sha256"],
                       "scores": [{"bid": s["bid"], "criterion": s["criterion"], "value": s["value"],
                                   "comment": s["comment"]} for s in await scores_of(sheet["id"])],
                       "submitted_at": _when(sheet["submitted_at"]), "signed_at": _when(sheet["signed_at"])})
    signatures = [{"expert": by_seat[s["seat"]]["key"] if s["seat"] in by_seat else str(s["seat"]),
                   "name": by_seat[s["seat"]]["display"] if s["seat"] in by_seat else "",
                   "signed_at": _when(s["signed_at"]), "agree": s["agree"], "dissent": s["dissent"],
                   "refused": s["refused"]} for s in await signatures_of(review.id)]
    returns = await _returns(review.id) + _corrections_as_returns(versions, by_seat)
    parts: dict[str, Any] = {
        "review": {"id": review.id, "kind": review.kind, "title": review.title, "status": review.status,
                   "agency": {"id": agency["id"], "name": agency["name"]},
                   "project": {"id": project.id, "name": project.name, "code": project.code,
                               "purchaser": project.purchaser_name, "budget": str(project.budget)},
                   "place": review.location, "opened_at": _when(review.opened_at),
                   "finished_at": _when(review.closed_at)},
        "scoring_input": data, "scoring_output": output or {},
        "panel": [{"expert": m["key"], "name": m["display"], "org": m["org"] or (m["expert_org"] or ""),
                   "role": ("组长" if m["is_leader"] else ROLE_TEXT.get(m["role"], m["role"])),
                   "source": "manual" if m["role"] == "purchaser_rep" else "draw",
                   "pledge_signed_at": _when(declarations[m["id"]]["signed_at"]) if m["id"] in declarations
                   else None} for m in members],
        "sheets": sheets, "signatures": signatures, "returns": returns,
    }
    if len(versions) > 1:  # every published version, the superseded ones kept whole (更正)
        parts["published_versions"] = [{
            "version": v["version"], "published_at": _when(v["published_at"]), "by": v["by"],
            "input_sha256": v["input_sha256"], "result_sha256": v["result_sha256"],
            "supersedes_sha256": v["supersedes_sha256"], "superseded_by": v["superseded_by"],
            "reason": v["reason"], "note": v["note"], "changes": v["changes"],
            "input": v["input"], "output": v["output"]} for v in versions]
    if with_audit:
        parts["audit_records"] = await _audit(review.id, [s["id"] for s in await sheets_of(review.id)])
    return parts


async def _returns(review_id: int) -> list[dict[str, Any]]:
    rows = await SheetReturn.select(SheetReturn.all_columns(), SheetReturn.sheet.expert_key.as_alias("expert"),
                                    SheetReturn.returned_by.username.as_alias("by")).where(
        SheetReturn.review == review_id).order_by(SheetReturn.id)
    out = []
    for r in rows:
        old_value = new_value = None
        if r["bid"] is not None and r["criterion"] is not None:
            versions = {v["revision"]: v for v in await ScoreSheetVersion.select().where(
                ScoreSheetVersion.sheet == r["sheet"]).output(load_json=True)}
            old_value = _value(versions.get(r["revision"]), r["bid"], r["criterion"])
            new_value = _value(versions.get(r["revision"] + 1), r["bid"], r["criterion"])
        out.append({"expert": r["expert"], "bid": r["bid"] if r["bid"] is not None else "", "reason": r["reason"],
                    "criterion": r["criterion"], "old_value": old_value, "new_value": new_value,
                    "at": _when(r["returned_at"]), "by": r["by"] or ""})
    return out


def _corrections_as_returns(versions: list[dict[str, Any]], by_seat: dict[int, Any]) -> list[dict[str, Any]]:
    """Each corrected score as a line of the report's 退回重评及更正 table."""
    out = []
    for v in versions[1:]:
        label = RETURN_REASON_LABELS.get(v["reason"], v["reason"])
        for change in v["changes"]:
            out.append({"expert": change["expert"], "bid": change["bid"], "criterion": change["criterion"],
                        "old_value": change["old"], "new_value": change["new"],
                        "reason": f"更正（结果第 {v['version']} 版，原结果保留）：{label}。{v['note']}",
                        "at": _when(v["published_at"]), "by": v["by"] or ""})
    return out


def _value(version: dict[str, Any] | None, bid: int, criterion: int) -> str | None:
    if version is None:
        return None
    return next((s["value"] for s in version["scores"] if s["bid"] == bid and s["criterion"] == criterion), None)


async def _audit(review_id: int, sheet_ids: list[int]) -> list[dict[str, Any]]:
    """This area's audit rows for the review (as stored, created_at as UTC text)."""
    query = AuditRecord.select().where(
        ((AuditRecord.object_type == "review") & (AuditRecord.object_id == str(review_id)))
        | ((AuditRecord.object_type == "score_sheet") & AuditRecord.object_id.is_in([str(i) for i in sheet_ids]
                                                                                      or ["-"]))
    ).order_by(AuditRecord.seq)
    rows = await query
    for row in rows:
        row["created_at"] = timestamp_text(row["created_at"])
        row.pop("id", None)
    return rows

