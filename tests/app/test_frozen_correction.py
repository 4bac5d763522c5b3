"""更正 after publication (issue 12): a score found wrong after the result was published is corrected,
scoring re-runs, and the corrected result is published as version 2 — version 1 is kept exactly as it
was; who, why and what changed are in the audit trail, the 评审报告 and the auditor's bundle."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

import scoring
from app.audit.tables import AuditRecord
from app.exports.collect import review_bundle
from app.panels.tables import PanelSeat
from app.scoresheets.inputs import result_sha256
from app.scoresheets.tables import Result, ResultCorrection, ScoreSheet, ScoreSheetVersion
from tests.app.test_exports_fixtures import finished_consultation, run_verify
from tests.app.test_scoresheets_fixtures import post

NOTE = "采购人复核发现该专家对B供应商服务方案的评分录入有误（应为36分），经原评审小组重新评审确认。"


async def test_correcting_a_score_publishes_version_2_and_keeps_version_1(world, signed_in, tmp_path):
    panel = await finished_consultation(world, signed_in)
    agency, auditor = await signed_in("agency"), await signed_in("auditor")
    first = await Result.select().where(Result.review == panel.review_id).output(load_json=True).first()
    sheet = await ScoreSheet.objects().where(ScoreSheet.seat == panel.seats["xp3"]).first()
    url = f"/scoring/reviews/{panel.review_id}/corrections"
    form = {"sheet_id": str(sheet.id), "bid_id": str(panel.bids["B"]), "criterion_id": str(panel.criteria["T1"]),
            "value": "36", "reason": "sum_error", "note": NOTE}

    # Without a reason, with a reason the law does not list, or out of range: refused, nothing written.
    for change, message in (({"note": ""}, "请写明更正理由"), ({"reason": "whim"}, "第三十二条"),
                            ({"value": "41"}, "0–40")):
        refused = await post(agency, url, {**form, **change})
        assert refused.status_code == 400 and message in refused.text, (change, refused.text[-400:])
        assert "text/html" in refused.headers["content-type"]
    assert await ResultCorrection.count() == 0
    # Others may not correct.
    assert (await post(auditor, url, form)).status_code == 403

    done = await post(agency, url, form)

    assert done.status_code == 303, done.text[-600:]
    # Version 1 is exactly as published.
    kept = await Result.select().where(Result.review == panel.review_id).output(load_json=True).first()
    assert kept == first
    (second,) = await ResultCorrection.select().where(ResultCorrection.review == panel.review_id).output(
        load_json=True)
    assert second["version"] == 2 and second["reason"] == "sum_error" and second["note"] == NOTE
    assert second["supersedes_sha256"] == first["result_sha256"]
    assert second["changes"] == [{"sheet": sheet.id, "expert": str(panel.expert_ids["xp3"]), "bid": panel.bids["B"],
                                  "criterion": panel.criteria["T1"], "old": "26.00", "new": "36.00",
                                  "old_sha256": sheet.content_sha256, "new_sha256": second["changes"][0]["new_sha256"]}]
    # Scoring re-ran on the corrected input, and only that score changed in it.
    assert second["output"] == scoring.evaluate(second["input"])
    assert second["result_sha256"] == result_sha256(second["output"]) != first["result_sha256"]
    changed = [(a, b) for a, b in zip(first["input"]["scores"], second["input"]["scores"], strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1]["value"] in ("36", "36.00")
    # The signed rounds of the sheet are kept; the corrected one is a new round.
    rounds = await ScoreSheetVersion.select().where(ScoreSheetVersion.sheet == sheet.id).order_by(
        ScoreSheetVersion.revision)
    assert [r["revision"] for r in rounds] == [1, 2] and rounds[0]["content_sha256"] == sheet.content_sha256
    # The panel did not move, and the review stays published.
    assert (await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == panel.seats["xp3"]).first())[
        "state"] == "accepted"

    # Who, why and what: in the trail.
    record = await AuditRecord.select().where(AuditRecord.action == "review.result_corrected").first()
    assert record["actor"] == "agency1"
    new = json.loads(record["new_values"])
    assert new["version"] == 2 and new["note"] == NOTE and new["changes"][0]["old"] == "26.00"
    assert json.loads(record["old_values"])["result_sha256"] == first["result_sha256"]

    # The published result readers get version 2 and the list of versions.
    api = (await auditor.get(f"/api/scoring/reviews/{panel.review_id}/result")).json()
    assert api["version"] == 2 and api["result_sha256"] == second["result_sha256"]
    assert [(v["version"], v["superseded_by"]) for v in api["versions"]] == [(1, 2), (2, None)]
    page = await agency.get(f"/scoring/reviews/{panel.review_id}")
    assert "公布版本与更正" in page.text and "已被第 2 版更正取代" in page.text and "26.00 → 36.00" in page.text

    # The auditor's bundle shows both versions and verifies against the corrected sheets.
    raw = await review_bundle(panel.review_id)
    assert raw["scoring"] == {"input": second["input"], "output": second["output"]}
    versions = raw["published_versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["input"] == first["input"] and versions[0]["output"] == first["output"]
    assert versions[0]["superseded_by"] == 2 and versions[1]["note"] == NOTE
    assert any("更正" in r["reason"] and r["old_value"] == "26.00" and r["new_value"] == "36.00"
               for r in raw["returns"])
    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # …and the 评审报告 lists the correction.
    report = await auditor.get(f"/exports/reviews/{panel.review_id}/documents/report/xlsx")
    texts = [str(c.value) for ws in load_workbook(io.BytesIO(report.content)).worksheets
             for row in ws.iter_rows() for c in row if c.value is not None]
    assert any("更正（结果第 2 版" in t and NOTE in t for t in texts)
    assert "26.00" in texts and "36.00" in texts

    # A further correction becomes version 3; versions 1 and 2 stay.
    again = await post(agency, url, {**form, "value": "35", "reason": "out_of_range", "note": "再次核对"})
    assert again.status_code == 303, again.text[-600:]
    api = (await auditor.get(f"/api/scoring/reviews/{panel.review_id}/result")).json()
    assert [(v["version"], v["superseded_by"]) for v in api["versions"]] == [(1, 2), (2, 3), (3, None)]
    assert await Result.select().where(Result.review == panel.review_id).output(load_json=True).first() == first
