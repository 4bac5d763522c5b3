"""CPU-heavy request work runs off the event loop: while one person's workbook is being parsed
(or a review's result computed), another person's page is served.

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
from app.scoresheets import panel as scoresheets_panel
from app.server import create_app
from tests.app.helpers import PASSWORD
from tests.app.roster_fixtures import people, workbook  # noqa: F401  (fixtures)
from tests.app.test_exports_fixtures import finished_consultation
from tests.app.test_roster_import import XLSX, clean_rows

GUARD_SECONDS = 60  # only so that a regression fails instead of hanging


@pytest.fixture
def server() -> Iterator[str]:
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


def gate(events: list[str]) -> tuple[threading.Event, threading.Event, Any]:
    """(started, answered, wrap): `wrap(fn)` announces the start, waits for `answered`, then runs fn."""
    started, answered = threading.Event(), threading.Event()

    def wrap(fn: Any) -> Any:
        def gated(*args: Any) -> Any:
            events.append("work started")
            started.set()
            events.append("other request answered" if answered.wait(GUARD_SECONDS) else "guard expired")
            result = fn(*args)
            events.append("work finished")
            return result
        return gated

    return started, answered, wrap


async def test_a_page_is_served_while_a_large_workbook_is_parsed(server, people, monkeypatch):
    events: list[str] = []
    started, answered, wrap = gate(events)
    monkeypatch.setattr(importer, "read_roster", wrap(importer.read_roster))
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
    assert events == ["work started", "page answered", "other request answered", "work finished",
                      "import answered"]


async def test_a_page_is_served_while_a_review_result_is_computed(server, world, signed_in, monkeypatch):
    """The summary page re-runs scoring.evaluate (0.1–0.5 s on a large review) once every sheet is in."""
    panel = await finished_consultation(world, signed_in, publish=False)
    events: list[str] = []
    started, answered, wrap = gate(events)
    monkeypatch.setattr(scoresheets_panel, "evaluate", wrap(scoresheets_panel.evaluate))
    staff, other = await _signed_in(server, "agency1"), await _signed_in(server, "supervisor1")
    try:
        async def summary() -> httpx.Response:
            response = await staff.get(f"/scoring/reviews/{panel.review_id}")
            events.append("summary answered")
            return response

        computing = asyncio.create_task(summary())
        assert await asyncio.to_thread(started.wait, GUARD_SECONDS), "the summary never computed the result"
        page = await other.get("/projects")
        events.append("page answered")
        answered.set()
        shown = await computing
    finally:
        await staff.aclose()
        await other.aclose()
    assert page.status_code == 200 and shown.status_code == 200 and "汇总结果" in shown.text
    assert events == ["work started", "page answered", "other request answered", "work finished",
                      "summary answered"]
