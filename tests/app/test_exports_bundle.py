"""The review bundle built from the database, re-checked by `pingshen verify` in its own process."""

from __future__ import annotations

import json

from app.audit.tables import AuditRecord
from app.exports.bundle import bundle_sha256, sheet_content_sha256
from app.exports.collect import review_bundle
from app.scoresheets.tables import Result, ScoreSheet
from tests.app.test_exports_fixtures import finished_consultation, run_verify


async def test_finished_review_bundle_verifies_and_tampering_fails(world, signed_in, tmp_path):
    panel = await finished_consultation(world, signed_in)
    raw = await review_bundle(panel.review_id)
    result = await Result.select().where(Result.review == panel.review_id).output(load_json=True).first()

    assert raw["review"]["status"] == "published"
    assert raw["scoring"] == {"input": result["input"], "output": result["output"]}
    assert [m["expert"] for m in raw["panel"]] == [str(panel.expert_ids[n]) for n in panel.experts]
    assert all(m["source"] == "draw" and m["pledge_signed_at"] for m in raw["panel"])
    (draw,) = raw["draws"]
    assert sorted(draw["output"]["panels"][0]["members"]) == sorted(panel.expert_ids[n] for n in panel.experts)
    stored = {s["expert_key"]: s["content_sha256"] for s in await ScoreSheet.select()}
    assert {s["expert"]: s["content_sha256"] for s in raw["sheets"]} == stored
    for sheet in raw["sheets"]:  # the hash the member signed is the one exports computes
        assert sheet_content_sha256(panel.review_id, sheet) == sheet["content_sha256"]
    dissent = [s for s in raw["signatures"] if not s["agree"]]
    assert len(dissent) == 1 and "保留意见" in dissent[0]["dissent"]
    actions = [r["action"] for r in raw["audit_records"]]
    assert {"panel.draw_confirmed", "scoresheet.declaration_signed", "scoresheet.submitted",
            "scoresheet.report_signed", "review.result_published"} <= set(actions)
    seqs = [r["seq"] for r in raw["audit_records"]]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    # Every record of the review's objects is there, and nothing else.
    everything = await AuditRecord.select(AuditRecord.seq, AuditRecord.action).order_by(AuditRecord.seq)
    outside = {r["action"] for r in everything if r["seq"] not in set(seqs)}
    assert not outside & {"scoresheet.submitted", "review.result_published", "panel.draw_confirmed"}

    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert bundle_sha256(raw) in done.stdout and "不符" not in done.stdout
    for section in ("评分重算", "评分表 score sheet", "抽取 draw", "评审小组 panel", "审计记录"):
        assert f"[一致 MATCH   ] {section}" in done.stdout, section

    tampered = json.loads(json.dumps(raw))
    score = tampered["sheets"][1]["scores"][0]
    score["value"] = "1.00"
    done = run_verify(tampered, tmp_path, "tampered.json")
    assert done.returncode == 1, done.stdout
    bad = [line for line in done.stdout.splitlines() if line.startswith("[不符")]
    expert = tampered["sheets"][1]["expert"]
    assert any(f"专家 expert {expert}" in line and "内容哈希" in line for line in bad), bad
    assert any(f"投标 bid {score['bid']} 评分项 criterion {score['criterion']}" in line for line in bad), bad
    assert all(f"专家 expert {expert}" in line for line in bad), bad  # nothing else is reported


async def test_unfinished_review_is_a_draft_without_scores(world, signed_in):
    panel = await finished_consultation(world, signed_in, publish=False)
    raw = await review_bundle(panel.review_id)
    assert raw["review"]["status"] == "signed"  # closed: signed but not published → a draft
    assert raw["sheets"]  # every sheet is in: shown, but still a draft
    assert raw["scoring"]["output"]["candidates"]
