"""Headers on every response (error pages too), Secure cookies, CSRF bound to the session (finding 9)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from app.accounts.tables import User
from app.audit.tables import AuditRecord
from app.server import create_app
from app.settings import get_settings
from tests.app.helpers import PASSWORD, csrf, sign_in

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _assert_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.status_code, name, dict(response.headers))
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


async def test_headers_on_pages_and_on_404_405_403(signed_in):
    expert = await signed_in("expert")
    ok = await expert.get("/")
    not_found = await expert.get("/no/such/page")
    api_not_found = await expert.get("/api/no/such")
    wrong_method = await expert.get("/logout")
    forbidden = await expert.get("/admin/users/")
    assert [r.status_code for r in (ok, not_found, api_not_found, wrong_method, forbidden)] == [200, 404, 404, 405, 403]
    for response in (ok, not_found, api_not_found, wrong_method, forbidden):
        _assert_headers(response)


async def test_headers_on_a_500(world):
    @get("/test-boom", opt={"public": True}, sync_to_thread=False)
    def boom() -> str:
        raise RuntimeError("deliberate failure")

    app = create_app()
    app.register(boom)
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/test-boom")
        assert response.status_code == 500 and "服务器内部错误" in response.text
        _assert_headers(response)
        assert "deliberate failure" not in response.text


@pytest.fixture
def https_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PINGSHEN_BASE_URL", "https://pingshen.example.cn")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_cookies_are_secure_behind_https(world, https_settings):
    assert get_settings().secure_cookies
    async with AsyncTestClient(app=create_app(), base_url="https://testserver.local") as client:
        page = await client.get("/login")
        cookies = _set_cookies(page)
        assert "Secure" in cookies["csrftoken"] and "Secure" in cookies["pingshen_session"]
        response = await sign_in(client, "admin1")
        assert response.status_code == 303
        signed = _set_cookies(response)
        assert "Secure" in signed["pingshen_session"] and "HttpOnly" in signed["pingshen_session"]


async def test_secure_cookies_can_be_switched_off_and_default_off_on_http(world, monkeypatch):
    assert not get_settings().secure_cookies  # the test base URL is plain http
    monkeypatch.setenv("PINGSHEN_BASE_URL", "https://pingshen.example.cn")
    monkeypatch.setenv("PINGSHEN_SECURE_COOKIES", "0")
    get_settings.cache_clear()
    try:
        assert not get_settings().secure_cookies
        monkeypatch.setenv("PINGSHEN_SECURE_COOKIES", "1")
        monkeypatch.delenv("PINGSHEN_BASE_URL")
        get_settings.cache_clear()
        assert get_settings().secure_cookies
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_csrf_token_of_another_session_is_refused(world, signed_in):
    attacker = await signed_in("expert")
    victim = await signed_in("admin")
    stolen = attacker.cookies["csrftoken"]
    assert stolen != victim.cookies["csrftoken"]
    # The attacker's own valid token, planted as the victim's cookie and sent in the form.
    victim.cookies.set("csrftoken", stolen)
    response = await victim.post("/admin/users/", data={
        "username": "planted", "display_name": "植入", "role": "auditor", "password": "Planted-Passw0rd!",
        "_csrf_token": stolen}, follow_redirects=False)
    assert response.status_code == 403 and "CSRF" in response.text
    header = await victim.post("/logout", headers={"x-csrftoken": stolen}, follow_redirects=False)
    assert header.status_code == 403
    assert not await User.exists().where(User.username == "planted")
    assert not await AuditRecord.exists().where(AuditRecord.action == "account.signed_out")


async def test_sign_in_issues_a_fresh_csrf_token(client, world):
    before = await csrf(client)
    response = await sign_in(client, "auditor1", PASSWORD)
    assert response.status_code == 303
    after = client.cookies["csrftoken"]
    assert after != before
    # The token known before sign-in no longer works in the signed-in session.
    stale = await client.post("/logout", data={"_csrf_token": before}, follow_redirects=False)
    assert stale.status_code == 403
    fresh = await client.post("/logout", data={"_csrf_token": after}, follow_redirects=False)
    assert fresh.status_code == 303
