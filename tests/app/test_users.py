"""User administration and own password changes."""

from __future__ import annotations

from app.accounts.tables import User
from tests.app.helpers import PASSWORD, post_form, sign_in


async def test_admin_creates_an_agency_user(signed_in, world, client):
    admin = await signed_in("admin")
    response = await post_form(admin, "/admin/users/", {
        "username": "xiaoli", "display_name": "小李", "role": "agency", "agency_id": str(world.agency_id),
        "password": "Xiao-Li-2026!", "email": "xl@example.cn"})
    assert response.status_code == 303
    user = await User.objects().where(User.username == "xiaoli").first()
    assert user.role == "agency" and user.agency == world.agency_id and user.password_hash.startswith("$argon2id$")
    assert (await sign_in(client, "xiaoli", "Xiao-Li-2026!")).status_code == 303


async def test_duplicate_username_is_refused(signed_in, world):
    admin = await signed_in("admin")
    response = await post_form(admin, "/admin/users/", {
        "username": "agency1", "display_name": "重名", "role": "auditor", "password": "Some-Pass-2026!"})
    assert response.status_code == 400 and "已被使用" in response.text
    assert await User.count().where(User.username == "agency1") == 1


async def test_change_own_password(signed_in, client, world):
    expert = await signed_in("expert")
    wrong = await post_form(expert, "/account/password", {"current": "nope", "new": "a", "repeat": "b"})
    assert wrong.status_code == 400
    assert "当前密码不正确" in wrong.text and "不一致" in wrong.text
    ok = await post_form(expert, "/account/password",
                         {"current": PASSWORD, "new": "New-Expert-Pass9", "repeat": "New-Expert-Pass9"})
    assert ok.status_code == 303
    assert (await sign_in(client, "expert1", PASSWORD)).status_code == 400
    assert (await sign_in(client, "expert1", "New-Expert-Pass9")).status_code == 303
