"""CPU-heavy request work runs off the event loop: while one person's workbook is being parsed,
another person's page is served.

The app runs as a real server (uvicorn, in a thread of its own) because the test client sends
one request at a time. The parse step is wrapped: it announces that it has started, then
waits until the other request has been answered, then parses the real workbook. Parsing on
the event loop would hold the loop inside that wait, the other request could not be answered,
and the wait would end only by its guard (a deadlock guard, not a timing assertion): the test
checks the order of events, never a duration.
"""
# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from app.roster import importer
from app.server import create_app
from tests.app.helpers import PASSWORD
from tests.app.roster_fixtures import people, workbook  # noqa: F401  (fixtures)
from tests.app.test_roster_import import XLSX, clean_rows

GUARD_SECONDS = 60  # only so that a regression fails instead of hanging


@pytest.fixture
def server(people: dict[str, int]) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                             lifespan="on"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    while not instance.started and thread.is_alive():
        threading.Event().wait(0.05)
    assert instance.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=30)


async def _signed_in(base: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=GUARD_SECONDS * 2)
    await client.get("/login")
    response = await client.post("/login", data={"username": username, "password": PASSWORD,
                                                 "_csrf_token": client.cookies["csrftoken"]})
    assert response.status_code in (200, 303), response.text
    return client


async def test_a_page_is_served_while_a_large_workbook_is_parsed(server, monkeypatch):
    started, answered = threading.Event(), threading.Event()
    events: list[str] = []
    real_read = importer.read_roster

    def gated_read(content: bytes, filename: str = "") -> Any:
        events.append("parse started")
        started.set()
        events.append("other request answered" if answered.wait(GUARD_SECONDS) else "guard expired")
        sheet = real_read(content, filename)
        events.append("parse finished")
        return sheet

    monkeypatch.setattr(importer, "read_roster", gated_read)
    staff, other = await _signed_in(server, "agency1"), await _signed_in(server, "supervisor1")
    try:
        content = workbook(clean_rows(3000))

        async def import_it() -> httpx.Response:
            response = await staff.post("/roster/import", files={"file": ("专家.xlsx", content, XLSX)},
                                        data={"action": "check", "_csrf_token": staff.cookies["csrftoken"]})
            events.append("import answered")
            return response

        upload = asyncio.create_task(import_it())
        assert await asyncio.to_thread(started.wait, GUARD_SECONDS), "the import never reached the parse"
        page = await other.get("/roster")
        events.append("page answered")
        answered.set()
        checked = await upload
    finally:
        await staff.aclose()
        await other.aclose()
    assert page.status_code == 200 and "专家" in page.text
    assert checked.status_code == 200 and "检查通过" in checked.text and "共 3000 行" in checked.text
    assert events == ["parse started", "page answered", "other request answered", "parse finished",
                      "import answered"]
