"""One person, one signature (issue 12 finding 2): concurrent signatures and declarations of one member
leave exactly one row; the checks run inside the write transaction and unique indexes back them."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from app.audit.tables import AuditRecord
from app.db import is_sqlite, is_unique_violation, write_tx
from app.exports.collect import review_bundle
from app.exports.report import review_report
from app.exports.view import View
from app.scoresheets.tables import Declaration, Signature
from app.server import create_app
from tests.app.helpers import PASSWORD
from tests.app.test_exports_fixtures import CODES
from tests.app.test_scoresheets_fixtures import (
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    submit,
)

VOIDED = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)


@pytest.fixture
async def live(world: Any) -> AsyncIterator[str]:
    """The app served by uvicorn on a free local port in this event loop: Litestar's test client hands
    requests to the app one at a time, so only a real server lets four requests overlap."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await task


async def _signed_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=120)
    await client.get("/login")
    response = await client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code == 303, response.text
    return client


async def _race(client: httpx.AsyncClient, url: str, forms: list[dict[str, str]]) -> list[int]:
    token = client.cookies["csrftoken"]
    responses = await asyncio.gather(*[client.post(url, data={**form, "_csrf_token": token}) for form in forms])
    return sorted(r.status_code for r in responses)


def _report_rows(raw: dict[str, Any], label: str) -> list[list[str]]:
    """The rows of section 六 (signatures) of the 评审报告 that name the member."""
    document = review_report(View(raw, "2026-11-29T12:00:00+08:00"))
    blocks = document.parts[0].blocks
    start = next(i for i, b in enumerate(blocks) if getattr(b, "text", "").startswith("六、"))
    grid = blocks[start + 1]
    return [row for row in grid.rows if row[0] == label]


async def test_four_concurrent_signatures_leave_one(world, signed_in, live):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="sg")
    clients = {name: await signed_in(name) for name in panel.experts}
    for i, name in enumerate(panel.experts, 1):
        sheet_id = await open_and_declare(clients[name], panel)
        assert (await submit(clients[name], sheet_id, form_values(panel, CONSULTATION_SCORES[i], CODES))
                ).status_code == 303
    member = await _signed_in(live, "sg1")
    forms = [{"agree": "yes", "password": PASSWORD}, {"agree": "no", "dissent": "不同意A的排名", "password": PASSWORD},
             {"agree": "yes", "password": PASSWORD}, {"agree": "no", "dissent": "不同意B的排名", "password": PASSWORD}]

    codes = await _race(member, f"/scoring/reviews/{panel.review_id}/signature", forms)
    await member.aclose()

    assert codes == [303, 409, 409, 409], codes
    rows = await Signature.select().where(Signature.seat == panel.seats["sg1"])
    assert len(rows) == 1
    records = await AuditRecord.count().where(AuditRecord.action == "scoresheet.report_signed")
    assert records == 1
    raw = await review_bundle(panel.review_id)
    seat_key = str(panel.expert_ids["sg1"])
    assert [s["expert"] for s in raw["signatures"]] == [seat_key]
    view = View(raw, "")
    listed = _report_rows(raw, view.expert_label(seat_key))
    assert len(listed) == 1
    assert listed[0][2] == ("同意" if rows[0]["agree"] else "不同意")


async def test_four_concurrent_declarations_leave_one(world, live):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="dc", alternates=2)
    member = await _signed_in(live, "dc1")
    forms = [{"conflict": "no", "pledge": "yes"}, {"conflict": "yes", "conflict_text": "与A供应商有亲属关系"},
             {"conflict": "no", "pledge": "yes"}, {"conflict": "yes", "conflict_text": "曾在B供应商任职"}]

    codes = await _race(member, f"/scoring/reviews/{panel.review_id}/declaration", forms)
    await member.aclose()

    # One wins; the others are refused: 409 (already declared), or 404 when the winner declared a 回避
    # and the seat is no longer theirs.
    assert codes.count(303) == 1 and all(c in (404, 409) for c in codes if c != 303), codes
    assert await Declaration.count().where(Declaration.seat == panel.seats["dc1"]) == 1
    assert await AuditRecord.count().where(AuditRecord.action == "scoresheet.declaration_signed") == 1
    # A conflict declaration recuses the seat once, so at most one alternate moved in.
    assert await AuditRecord.count().where(AuditRecord.action == "panel.seat_replaced") <= 1


async def test_the_database_refuses_a_second_live_signature_and_declaration(world):
    """The indexes stand on their own: what a race lets past a check cannot be stored."""
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="ix")
    seat, user = panel.seats["ix1"], world.users["agency"]

    async def sign(voided: bool = False) -> None:
        async with write_tx():
            await Signature(review=panel.review_id, seat=seat, user=user, result_sha256="0" * 64,
                            voided_at=VOIDED if voided else None).save()

    await sign()
    with pytest.raises(Exception) as duplicate:  # the driver's own type differs by engine
        await sign()
    assert is_unique_violation(duplicate.value)
    if is_sqlite():
        assert isinstance(duplicate.value, sqlite3.IntegrityError)
    # A voided signature (scores changed after a return) does not count: the member signs again.
    await Signature.update({Signature.voided_at: VOIDED}).where(Signature.seat == seat)
    await sign()
    assert await Signature.count().where(Signature.seat == seat) == 2

    async def declare() -> None:
        async with write_tx():
            await Declaration(review=panel.review_id, seat=seat, user=user, pledge=True).save()

    await declare()
    with pytest.raises(Exception) as duplicate:
        await declare()
    assert is_unique_violation(duplicate.value)
