"""No oracle in the trail (issue 12 finding 5): what a 监督人 reads of `scoresheet.saved` records does
not let them recover an expert's draft by trying every small draft.

The old record carried sha256 over the draft's canonical content; a brute force over a few hundred
candidate drafts found it in 0.1 s. The attack is re-run here against what the supervisor can read.
"""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

from app.audit.tables import AuditRecord
from app.exports.bundle import sheet_content_sha256
from app.scoresheets.tables import ScoreSheet
from tests.app.helpers import csrf
from tests.app.test_scoresheets_fixtures import CONSULTATION_BIDS, CONSULTATION_CRITERIA, make_panel, open_and_declare

DRAFT_VALUES = [f"{Decimal(n) / 2:.2f}" for n in range(0, 81)]  # 0.00 … 40.00 in half points


async def test_a_supervisor_cannot_recover_a_draft_from_the_trail(world, signed_in):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="tr")
    expert = await signed_in("tr1")
    sheet_id = await open_and_declare(expert, panel)
    bid, t1, t2 = panel.bids["A"], panel.criteria["T1"], panel.criteria["T2"]
    draft = {t1: "27.50", t2: "13.00"}
    token = await csrf(expert)
    saved = await expert.post(f"/api/scoring/sheets/{sheet_id}/draft", headers={"x-csrftoken": token}, json={
        "version": 1, "scores": [{"bid": bid, "criterion": c, "value": v} for c, v in draft.items()]})
    assert saved.status_code == 200, saved.text

    supervisor = await signed_in("supervisor")
    api = await supervisor.get("/api/audit/", params={"action": "scoresheet.saved"})
    assert api.status_code == 200, api.text
    records = [r for r in api.json() if r["action"] == "scoresheet.saved"]
    assert len(records) == 1
    page = await supervisor.get("/audit/", params={"action": "scoresheet.saved"})
    assert page.status_code == 200
    readable = json.dumps(api.json(), ensure_ascii=False) + page.text

    # The attack: every draft of these two boxes (81 × 81 candidates), hashed the old way.
    key = (await ScoreSheet.select(ScoreSheet.expert_key).where(ScoreSheet.id == sheet_id).first())["expert_key"]
    found = []
    for v1, v2 in itertools.product(DRAFT_VALUES, DRAFT_VALUES):
        scores = [{"bid": bid, "criterion": t1, "value": v1, "comment": ""},
                  {"bid": bid, "criterion": t2, "value": v2, "comment": ""}]
        if sheet_content_sha256(panel.review_id, {"expert": key, "scores": scores}) in readable:
            found.append((v1, v2))
    assert found == []
    # The attack would have worked on a plain digest: the true draft's old-style hash is a real candidate.
    truth = sheet_content_sha256(panel.review_id, {"expert": key, "scores": [
        {"bid": bid, "criterion": c, "value": v, "comment": ""} for c, v in draft.items()]})
    assert ("27.50", "13.00") in itertools.product(DRAFT_VALUES, DRAFT_VALUES)
    assert truth not in readable

    stored = await AuditRecord.select(AuditRecord.new_values).where(AuditRecord.action == "scoresheet.saved").first()
    new = json.loads(stored["new_values"])
    assert set(new) == {"version", "scores", "draft_hmac"}
    assert new["scores"] == 2 and len(new["draft_hmac"]) == 64 and new["draft_hmac"] != truth
    assert "27.5" not in stored["new_values"] and "13.00" not in stored["new_values"]
