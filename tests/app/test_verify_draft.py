"""`pingshen verify` on a draft bundle: a review still being scored exports no scores and no
result by design (scores stay hidden until every sheet is in), so verify checks what a draft
holds (the draws, the panel, the audit records), says "草稿，未评分" and exits 0; a changed
draft still fails."""

from __future__ import annotations

import json
from typing import Any

from app.exports.collect import review_bundle
from tests.app.test_exports_fixtures import finished_consultation, record_draw, run_verify
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    submit,
)


async def draft_bundle(world: Any, signed_in: Any) -> dict[str, Any]:
    """An open 磋商 review with a confirmed draw; one of three members has submitted."""
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="dv")
    await record_draw(world, panel)
    first = await signed_in(panel.experts[0])
    sheet_id = await open_and_declare(first, panel)
    response = await submit(first, sheet_id, form_values(panel, CONSULTATION_SCORES[1], CODES))
    assert response.status_code == 303, response.text
    return await review_bundle(panel.review_id)


async def test_a_draft_bundle_verifies_as_a_draft_and_a_changed_draft_fails(world, signed_in, tmp_path):
    raw = await draft_bundle(world, signed_in)
    assert raw["review"]["status"] == "scoring" and raw["scoring"]["output"] == {} and raw["sheets"] == []
    assert raw["draws"] and raw["audit_records"]

    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "草稿，未评分" in done.stdout and "不符" not in done.stdout
    for section in ("抽取 draw", "审计记录"):
        assert f"[一致 MATCH   ] {section}" in done.stdout, section

    changed_draw = json.loads(json.dumps(raw))
    changed_draw["draws"][0]["seed"] += 1
    done = run_verify(changed_draw, tmp_path, "changed-draw.json")
    assert done.returncode == 1, done.stdout
    assert any(line.startswith("[不符 MISMATCH] 抽取 draw") for line in done.stdout.splitlines()), done.stdout

    changed_record = json.loads(json.dumps(raw))
    changed_record["audit_records"][-1]["action"] = "scoresheet.deleted"
    done = run_verify(changed_record, tmp_path, "changed-record.json")
    assert done.returncode == 1 and "[不符 MISMATCH] 审计记录" in done.stdout, done.stdout

    smuggled = json.loads(json.dumps(raw))
    smuggled["scoring"]["input"]["scores"] = [{"expert": raw["panel"][0]["expert"], "bid": 1, "criterion": 1,
                                               "value": "30"}]
    done = run_verify(smuggled, tmp_path, "smuggled.json")
    assert done.returncode == 1 and "草稿没有评分结果，却含有 1 项评分" in done.stdout, done.stdout


async def test_a_published_bundle_passed_off_as_a_draft_fails(world, signed_in, tmp_path):
    panel = await finished_consultation(world, signed_in)
    raw = await review_bundle(panel.review_id)
    raw["review"]["status"] = "scoring"
    raw["scoring"] = {"input": {**raw["scoring"]["input"], "scores": []}, "output": {}}
    raw["sheets"] = []
    done = run_verify(raw, tmp_path)
    assert done.returncode == 1, done.stdout
    assert "表明结果已公布，评审包却是未评分的草稿" in done.stdout
