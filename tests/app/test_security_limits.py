"""Rate limits held in the database, shared by worker processes; unknown tokens summarised (issue 12, finding 7)."""

from __future__ import annotations

import secrets

from litestar.testing import AsyncTestClient

from app.accounts import ratelimit
from app.accounts.tables import RateWindow
from app.audit.tables import AuditRecord
from app.server import create_app
from tests.app.helpers import csrf

WRONG = "Wrong-Passw0rd!"


async def test_sign_in_limit_counts_across_two_app_instances(world):
    # Two instances of the app, as two worker processes would be, on one database.
    async with AsyncTestClient(app=create_app()) as one, AsyncTestClient(app=create_app()) as two:
        tokens = {id(one): await csrf(one), id(two): await csrf(two)}
        codes = []
        for i in range(ratelimit.SIGN_IN.hits):
            client = one if i % 2 else two
            response = await client.post("/login", data={"username": f"nobody{i}", "password": WRONG,
                                                         "_csrf_token": tokens[id(client)]}, follow_redirects=False)
            codes.append(response.status_code)
        assert codes == [400] * ratelimit.SIGN_IN.hits  # 15 on each instance: under the limit
        over = await one.post("/login", data={"username": "admin1", "password": WRONG,
                                              "_csrf_token": tokens[id(one)]}, follow_redirects=False)
        assert over.status_code == 429 and "请求过于频繁" in over.text
        assert int(over.headers["retry-after"]) > 0
        also = await two.post("/login", data={"username": "admin1", "password": WRONG,
                                              "_csrf_token": tokens[id(two)]}, follow_redirects=False)
        assert also.status_code == 429
    summaries = await AuditRecord.select(AuditRecord.new_values).where(AuditRecord.action == "security.rate_limited")
    assert len(summaries) == 1 and '"limit":"sign_in"' in summaries[0]["new_values"]


async def test_sixty_unknown_tokens_are_summarised_and_refused(client, world):
    token = await csrf(client)
    before = await AuditRecord.count()
    codes = []
    for _ in range(60):
        response = await client.post(f"/invitations/{secrets.token_urlsafe(32)}/accept",
                                     data={"_csrf_token": token}, follow_redirects=False)
        codes.append(response.status_code)
    limit = ratelimit.TOKEN_FAILURES.hits
    assert codes[:limit] == [404] * limit
    assert codes[limit:] == [429] * (60 - limit)
    added = await AuditRecord.select(AuditRecord.action, AuditRecord.new_values).where(AuditRecord.seq > before)
    assert [r["action"] for r in added] == ["security.rate_limited"]
    assert '"limit":"token_failures"' in added[0]["new_values"]
    # Looking at a link is limited the same way: the address is refused before any lookup.
    assert (await client.get(f"/invitations/{secrets.token_urlsafe(32)}")).status_code == 429
    row = await RateWindow.select().where(RateWindow.bucket.like("token_failures:%")).first()
    assert row["hits"] == limit


async def test_unknown_token_writes_nothing_to_the_audit_chain(client, world):
    token = await csrf(client)
    before = await AuditRecord.count()
    for path in ("accept", "decline"):
        response = await client.post(f"/invitations/{secrets.token_urlsafe(32)}/{path}",
                                     data={"_csrf_token": token, "reason": "x"}, follow_redirects=False)
        assert response.status_code == 404 and "邀请链接无效" in response.text
    assert (await client.get(f"/invitations/{secrets.token_urlsafe(32)}")).status_code == 404
    assert await AuditRecord.count() == before


async def test_window_ends_and_counting_starts_again(world):
    first = await ratelimit.count(ratelimit.SIGN_IN, "10.1.1.1", now=1_000_000.0)
    second = await ratelimit.count(ratelimit.SIGN_IN, "10.1.1.1", now=1_000_030.0)
    assert (first.hits, second.hits, second.retry_after) == (1, 2, 30)
    later = await ratelimit.count(ratelimit.SIGN_IN, "10.1.1.1", now=1_000_061.0)
    assert later.hits == 1
    assert (await ratelimit.current(ratelimit.SIGN_IN, "10.9.9.9")).hits == 0
