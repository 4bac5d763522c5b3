"""The demo's 竞争性磋商 runs end to end in online scoring with its three demo accounts."""

from __future__ import annotations

from decimal import Decimal

from litestar.testing import AsyncTestClient

from app.accounts.passwords import hash_password
from app.accounts.tables import User
from app.demo import load_demo
from app.reviews.tables import Bid, Criterion, Review
from app.scoresheets.tables import Result
from app.server import create_app
from tests.app.helpers import PASSWORD, sign_in
from tests.app.test_scoresheets_fixtures import post, run_scoring_cli


async def _client(username: str, opened: list[AsyncTestClient]) -> AsyncTestClient:
    client = AsyncTestClient(app=create_app())
    await client.__aenter__()
    opened.append(client)
    assert (await sign_in(client, username)).status_code == 303
    return client


async def test_demo_consultation_end_to_end(tmp_path):
    await load_demo(experts=40, echo=lambda _: None)
    await User.update({User.password_hash: hash_password(PASSWORD)}).where(User.id > 0)
    review = await Review.objects().where(Review.title == "培训服务竞争性磋商（在线评分演示）").first()
    assert review.status == "open" and review.kind == "consultation"
    criteria = await Criterion.select().where(Criterion.review == review.id).order_by(Criterion.position)
    bids = await Bid.select().where(Bid.review == review.id).order_by(Bid.position)
    opened: list[AsyncTestClient] = []
    try:
        members = ["zhuanjia", "zhuanjia2", "daibiao"]
        for offset, username in enumerate(members):
            client = await _client(username, opened)
            assert "培训服务竞争性磋商（在线评分演示）" in (await client.get("/scoring")).text
            assert (await post(client, f"/scoring/reviews/{review.id}/declaration",
                               {"conflict": "no", "pledge": "yes"})).status_code == 303
            sheet_url = (await client.get(f"/scoring/reviews/{review.id}/sheet", follow_redirects=False)).headers[
                "location"]
            values = {}
            for b_index, bid in enumerate(bids):
                for c in criteria:
                    objective = c["kind"] == "objective"
                    value = Decimal(c["max_points"]) - (b_index if objective else b_index + offset)
                    values[f"v-{bid['id']}-{c['id']}"] = str(max(value, Decimal(0)))
            version = (await client.get("/api/scoring/sheets/" + sheet_url.rsplit("/", 1)[1])).json()["version"]
            response = await post(client, sheet_url, {**values, "version": str(version), "action": "submit",
                                                       "password": PASSWORD})
            assert response.status_code == 303, response.text
        staff = await _client("jingban", opened)
        leader = (await staff.get(f"/scoring/reviews/{review.id}")).text
        assert "登记组长" in leader and "汇总结果" in leader
        for client in opened[:3]:
            assert (await post(client, f"/scoring/reviews/{review.id}/signature",
                               {"agree": "yes", "password": PASSWORD})).status_code == 303
        assert (await post(staff, f"/scoring/reviews/{review.id}/publish", {})).status_code == 303
        result = await Result.select().where(Result.review == review.id).output(load_json=True).first()
        assert len(result["outcome"]["candidates"]) == 3
        assert result["input"]["two_supplier_exception"] is True  # 政府购买服务
        assert run_scoring_cli(result["input"], tmp_path) == result["output"]
    finally:
        for client in opened:
            await client.__aexit__(None, None, None)
