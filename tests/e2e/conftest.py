"""Browser journeys: Playwright's Python API driving Debian's Chromium against a real server.

Without Chromium (or the playwright package) every journey is skipped with one clear reason;
`.ci/run` installs Chromium with apt-get, so CI always runs them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import Server

CHROMIUM = os.environ.get("PINGSHEN_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("PINGSHEN_E2E_SHOTS", Path(__file__).resolve().parents[2] / "var" / "e2e"))


def _missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    return ""


MISSING = _missing()


def pytest_report_header(config: pytest.Config) -> str:
    return f"e2e browser journeys: {'SKIPPED — ' + MISSING if MISSING else 'Chromium ' + CHROMIUM}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if MISSING:
                item.add_marker(pytest.mark.skip(reason=f"browser journeys skipped: {MISSING}"))


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # Module scope: Playwright's sync API holds an event loop on this thread while it runs, which
    # would break any asyncio test collected after the journeys in the same session.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    name = re.sub(r"\W+", "_", request.node.name)[:30].lower()
    srv = Server(name).start()
    yield srv
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        print(f"\n--- server log of {name} ---\n{srv.log_tail()}")
    srv.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def people(browser: object, server: Server, request: pytest.FixtureRequest) -> Iterator[object]:
    from tests.e2e.people import People

    crowd = People(browser, server, SHOTS / re.sub(r"\W+", "_", request.node.name))
    yield crowd
    crowd.close()
