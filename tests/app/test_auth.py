"""Sign-in, sign-out, lockout, CSRF refusal, expired sessions, bad input."""

from __future__ import annotations

import datetime as dt

from app.accounts.tables import User
from app.audit.tables import AuditRecord
from tests.app.helpers import PASSWORD, post_form, sign_in


async def test_home_offers_sign_in_to_visitors(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.text and "登录" in response.text


async def test_sign_in_and_role_home_page(client, world):
    response = await sign_in(client, "agency1")
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = await client.get("/")
    assert "经办人工作台" in home.text and "测试agency" in home.text
    assert "pingshen_session" in client.cookies
    me = await client.get("/api/me")
    assert me.json() == {"id": world.users["agency"], "username": "agency1", "display_name": "测试agency",
                         "role": "agency", "agency_id": world.agency_id}


async def test_session_cookie_is_httponly_and_samesite(client, world):
    response = await sign_in(client, "admin1")
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("pingshen_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_sign_in_gives_a_new_session_id(client, world):
    await client.get("/")  # a visitor's session cookie, as an attacker could plant it
    planted = client.cookies.get("pingshen_session")
    assert planted
    await sign_in(client, "admin1")
    fresh = client.cookies.get("pingshen_session")
    assert fresh and fresh != planted
    assert (await client.get("/api/me")).status_code == 200


async def test_each_role_sees_its_own_home_page(signed_in):
    titles = {"admin": "系统管理员工作台", "agency": "经办人工作台", "supervisor": "监督人工作台",
              "expert": "评审专家工作台", "auditor": "审计工作台"}
    for role, title in titles.items():
        page = await (await signed_in(role)).get("/")
        assert title in page.text, role


async def test_wrong_password_is_refused_and_counted(client, world):
    response = await sign_in(client, "agency1", "Wrong-Passw0rd!")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text and "再失败 4 次" in response.text
    user = await User.objects().where(User.username == "agency1").first()
    assert user.failed_logins == 1
    assert (await client.get("/api/me")).status_code == 401


async def test_unknown_user_gets_the_same_message(client, world):
    response = await sign_in(client, "nobody", "Wrong-Passw0rd!")
    assert response.status_code == 400 and "用户名或密码错误" in response.text
    assert "再失败" not in response.text  # says nothing about whether the account exists


async def test_lockout_after_five_failures_then_expiry(client, world):
    for _ in range(5):
        await sign_in(client, "expert1", "Wrong-Passw0rd!")
    user = await User.objects().where(User.username == "expert1").first()
    assert user.locked_until is not None
    assert user.locked_until > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=14)
    refused = await sign_in(client, "expert1", PASSWORD)  # right password, still locked
    assert refused.status_code == 400 and "已被锁定" in refused.text
    assert await AuditRecord.exists().where(AuditRecord.action == "account.locked")
    # Fifteen minutes later the right password works again.
    await User.update({User.locked_until: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}).where(
        User.id == user.id)
    assert (await sign_in(client, "expert1", PASSWORD)).status_code == 303


async def test_sign_out_ends_the_session(client, world):
    await sign_in(client, "auditor1")
    assert (await client.get("/api/me")).status_code == 200
    response = await post_form(client, "/logout")
    assert response.status_code == 303
    assert (await client.get("/api/me")).status_code == 401
    assert await AuditRecord.exists().where(AuditRecord.action == "account.signed_out")


async def test_form_without_csrf_token_is_refused(client, world):
    await client.get("/login")
    response = await client.post("/login", data={"username": "admin1", "password": PASSWORD},
                                 follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text and "刷新页面" in response.text
    assert not await AuditRecord.exists().where(AuditRecord.action == "account.signed_in")


async def test_api_post_needs_csrf_header(signed_in):
    admin = await signed_in("admin")
    response = await admin.post("/logout", follow_redirects=False)
    assert response.status_code == 403
    ok = await admin.post("/logout", headers={"x-csrftoken": admin.cookies["csrftoken"]}, follow_redirects=False)
    assert ok.status_code == 303


async def test_expired_session_says_so(client, world, monkeypatch):
    await sign_in(client, "admin1")
    import time as time_module

    real = time_module.time
    monkeypatch.setattr("app.web.middleware.time.time", lambda: real() + 31 * 60)
    response = await client.get("/admin/users/", follow_redirects=False)
    assert response.status_code == 303 and "reason=expired" in response.headers["location"]
    page = await client.get(response.headers["location"])
    assert "登录已过期" in page.text
    # The session is gone now: the next request is simply not signed in.
    assert (await client.get("/api/me")).json()["detail"] == "请先登录后再访问此页面。"


async def test_expired_session_on_the_api(client, world, monkeypatch):
    await sign_in(client, "auditor1")
    import time as time_module

    real = time_module.time
    monkeypatch.setattr("app.web.middleware.time.time", lambda: real() + 31 * 60)
    api = await client.get("/api/me")
    assert api.status_code == 401 and "过期" in api.json()["detail"]


async def test_open_redirect_after_sign_in_is_refused(client, world):
    token = (await client.get("/login")) and client.cookies["csrftoken"]
    response = await client.post("/login", data={"username": "admin1", "password": PASSWORD, "_csrf_token": token,
                                                 "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/"


async def test_unknown_route_is_a_chinese_404(signed_in):
    admin = await signed_in("admin")
    page = await admin.get("/no/such/page")
    assert page.status_code == 404 and "页面不存在" in page.text and "Traceback" not in page.text
    api = await admin.get("/api/no/such")
    assert api.status_code == 404 and api.json()["status_code"] == 404


async def test_oversized_body_is_refused(client, world):
    token = await (client.get("/login")) and client.cookies["csrftoken"]
    response = await client.post("/login", content=b"username=" + b"x" * (3 * 1024 * 1024),
                                 headers={"content-type": "application/x-www-form-urlencoded", "x-csrftoken": token})
    assert response.status_code == 413
    assert "过大" in response.text


async def test_user_input_is_escaped(client, world):
    response = await sign_in(client, "<script>alert(1)</script>", "x")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text
