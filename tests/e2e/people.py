"""People in the journeys: one browser context each, and what every step must hold.

Every page a person reaches is checked as it arrives: no 5xx, no page served as anything but
HTML (downloads aside), no error in the console. Each `shot` keeps a screenshot (they also
illustrate the user guides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.server import ADMIN_PASSWORD, Server

# A rejected form answers 4xx on purpose; Chromium logs any 4xx document as a console error.
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Person:
    crowd: People
    label: str
    context: Any
    page: Any
    problems: list[str] = field(default_factory=list)

    # -- what the person does -------------------------------------------------------------
    def goto(self, path: str) -> Any:
        return self.page.goto(path)

    def sign_in(self, username: str, password: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state()

    def sign_out(self) -> None:
        self.page.click("header form button")
        self.page.wait_for_load_state()

    def click(self, text: str, *, within: str = "body") -> None:
        """Click the button or link a person would read as `text`."""
        target = self.page.locator(within).get_by_role("button", name=text, exact=False)
        if target.count() == 0:
            target = self.page.locator(within).get_by_role("link", name=text, exact=False)
        target.first.click()
        self.page.wait_for_load_state()

    def fill(self, label: str, value: str, *, within: str = "body") -> None:
        self.page.locator(within).get_by_label(label, exact=False).first.fill(value)

    def select(self, label: str, option: str, *, within: str = "body") -> None:
        self.page.locator(within).get_by_label(label, exact=False).first.select_option(label=option)

    # -- what the person sees ------------------------------------------------------------
    def text(self, selector: str = "main") -> str:
        return str(self.page.locator(selector).first.inner_text())

    def sees(self, *texts: str, selector: str = "main") -> str:
        from playwright.sync_api import expect

        for text in texts:
            expect(self.page.locator(selector).first).to_contain_text(text, timeout=30_000)
        return self.text(selector)

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        self.crowd.counter += 1
        path = self.crowd.shots / f"{self.crowd.counter:02d}-{self.label}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        self.assert_clean()
        return path

    def download(self, text: str, *, within: str = "body") -> tuple[str, bytes]:
        """Click a download link; the file's suggested name and its bytes."""
        with self.page.expect_download(timeout=120_000) as info:
            self.page.locator(within).get_by_role("link", name=text, exact=False).first.click()
        download = info.value
        path = download.path()
        return download.suggested_filename, Path(path).read_bytes()

    def assert_clean(self) -> None:
        problems, self.problems[:] = list(self.problems), []
        assert not problems, f"{self.label}: " + "; ".join(problems)

    # -- what every response must hold ---------------------------------------------------
    def _on_response(self, response: Any) -> None:
        status = response.status
        where = f"{response.request.method} {response.url}"
        if status >= 500:
            self.problems.append(f"{status} from {where}")
        request = response.request
        if request.resource_type == "document" and not 300 <= status < 400:
            headers = response.headers
            if "attachment" in headers.get("content-disposition", ""):
                return
            kind = headers.get("content-type", "")
            if not kind.startswith("text/html"):
                self.problems.append(f"page served as {kind or 'nothing'} ({status}) by {where}")

    def _on_console(self, message: Any) -> None:
        if message.type == "error" and not EXPECTED_CONSOLE.search(message.text):
            self.problems.append(f"console error: {message.text}")


class People:
    def __init__(self, browser: Any, server: Server, shots: Path) -> None:
        self.browser, self.server, self.shots = browser, server, shots
        self.counter = 0
        self.everyone: list[Person] = []

    def person(self, label: str, *, phone: bool = False) -> Person:
        context = self.browser.new_context(
            base_url=self.server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
            viewport=PHONE if phone else DESKTOP, accept_downloads=True)
        # generous: CI shares two cores with the server, Chromium and PDF rendering
        context.set_default_timeout(60_000)
        page = context.new_page()
        who = Person(self, label, context, page)
        page.on("response", who._on_response)
        page.on("console", who._on_console)
        page.on("pageerror", lambda error: who.problems.append(f"script error: {error}"))
        self.everyone.append(who)
        return who

    def admin(self) -> Person:
        admin = self.person("admin")
        admin.sign_in("admin", ADMIN_PASSWORD)
        return admin

    def close(self) -> None:
        leftovers = []
        for who in self.everyone:
            leftovers += [f"{who.label}: {p}" for p in who.problems]
            who.context.close()
        assert not leftovers, "; ".join(leftovers)
