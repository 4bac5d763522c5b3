"""The scoring part of a review bundle: scoring's exact input and output, the signed sheets,
returns for re-scoring, 畸高畸低 explanations and the report signatures.

The online-scoring area gives its own records (`app.scoresheets.records.bundle_parts`: the stored
Result, sheets with the content hash it computed at signing, signatures, returns); this module
adds the 畸高畸低 explanations and applies the export rules on top.

Independence (214号 Art. 24): while members are still scoring, nobody outside the panel may see
one member's scores, so an unfinished review exports its sheets only once every sheet is in.
"""

from __future__ import annotations

from typing import Any

from app.reviews.tables import Review, ReviewStatus
from app.scoresheets.panel import all_in, progress
from app.scoresheets.records import bundle_parts
from app.scoresheets.tables import RETURN_REASON_LABELS, AnomalyNote, ScoreSheet


async def scores_part(review: Review) -> dict[str, Any]:
    """Everything of online scoring for the bundle, plus the audit objects {type: ids} it names."""
    from app.exports.collect import users_named

    parts = await bundle_parts(review.id, with_audit=False)
    shown = review.status == ReviewStatus.PUBLISHED.value or all_in(await progress(review.id))
    data, output = parts["scoring_input"], parts["scoring_output"]
    sheets, returns = parts["sheets"], parts["returns"]
    if not shown:
        data, output, sheets = {**data, "scores": []}, {}, []
        returns = [{**r, "old_value": None, "new_value": None} for r in returns]
    for r in returns:
        r["reason"] = RETURN_REASON_LABELS.get(r["reason"], r["reason"])
    sheet_rows = await ScoreSheet.select(ScoreSheet.id, ScoreSheet.expert_key).where(ScoreSheet.review == review.id)
    key_of_sheet = {s["id"]: s["expert_key"] for s in sheet_rows}
    notes = await AnomalyNote.select().where(AnomalyNote.review == review.id).order_by(AnomalyNote.id)
    users = await users_named({n["requested_by"] for n in notes})
    out_notes = [{
        "expert": key_of_sheet.get(n["sheet"], ""), "bid": n["bid"], "criterion": n["criterion"],
        "value": n["value"], "others_mean": n["others_mean"], "deviation": n["deviation"],
        "requested_at": n["requested_at"], "requested_by": users.get(n["requested_by"], ""),
        "explanation": n["explanation"], "answered_at": n["answered_at"],
    } for n in notes] if shown else []
    return {
        "input": data, "output": output, "sheets": sheets, "signatures": parts["signatures"],
        "returns": returns, "anomaly_notes": out_notes,
        # 更正: every published version when there is more than one (they are public once published).
        **({"published_versions": parts["published_versions"]} if "published_versions" in parts else {}),
        "objects": {"score_sheet": list(key_of_sheet), "score_anomaly_note": [n["id"] for n in notes]},
    }
