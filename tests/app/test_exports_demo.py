"""The issue's "done when": in the demo, once the 磋商 review has been scored, signed and
published (the demo loader leaves it open, ready to score), the demo auditor downloads every
document and `pingshen verify` confirms the bundle."""

from __future__ import annotations

import json

from litestar.testing import AsyncTestClient

from app.exports.bundle import bundle_sha256
from app.exports.services import DOCUMENTS
from app.reviews.tables import Review
from app.server import create_app
from tests.app.helpers import sign_in
from tests.app.test_exports_fixtures import run_verify
from tests.app.test_scoresheets_demo import test_demo_consultation_end_to_end as run_demo_consultation


async def test_demo_auditor_downloads_everything_and_verify_confirms(tmp_path):
    await run_demo_consultation(tmp_path)  # the scoresheets area's own end-to-end run of the demo 磋商
    review = await Review.objects().where(Review.title == "培训服务竞争性磋商（在线评分演示）").first()
    assert review.status == "published"
    async with AsyncTestClient(app=create_app()) as auditor:
        assert (await sign_in(auditor, "shenji")).status_code == 303
        listed = await auditor.get("/exports/", params={"project": "培训服务竞争性磋商"})
        assert f"/exports/reviews/{review.id}\"" in listed.text
        raw = json.loads((await auditor.get(f"/exports/reviews/{review.id}/bundle")).content)
        sha = bundle_sha256(raw)
        for doc in DOCUMENTS:
            for fmt in ("xlsx", "pdf"):
                response = await auditor.get(f"/exports/reviews/{review.id}/documents/{doc.slug}/{fmt}")
                assert response.status_code == 200 and len(response.content) > 1000, (doc.slug, fmt)
        page = await auditor.get(f"/exports/reviews/{review.id}")
        assert sha in page.text and "结果已公布" in page.text
    assert {m["role"] for m in raw["panel"]} >= {"采购人代表"}
    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "全部" in done.stdout and sha in done.stdout
