"""专家登录账户: staff create or link an expert's sign-in account and unlink it; one account per expert,
one expert per account; refusals in Chinese with nothing written; every change audited."""
# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from app.accounts.tables import User
from app.audit.tables import AuditRecord
from app.roster.tables import Expert
from app.server import create_app
from tests.app.helpers import PASSWORD, post_form, sign_in
from tests.app.roster_fixtures import _hash, add_expert, as_role, id_number, people  # noqa: F401

NEW_PASSWORD = "Kunming-2026-expert!"


async def unlinked() -> int:
    return await add_expert(name="孙专家", id_number=id_number(seq=15))


async def linked_user(expert_id: int) -> int | None:
    return (await Expert.select(Expert.user).where(Expert.id == expert_id).first())["user"]


async def test_staff_create_an_account_and_the_expert_signs_in(as_role, people):
    expert_id = await unlinked()
    client = await as_role("agency")
    page = await client.get(f"/roster/experts/{expert_id}")
    assert page.status_code == 200 and "尚未关联登录账户" in page.text and "开通并关联" in page.text
    response = await post_form(client, f"/roster/experts/{expert_id}/account/create",
                               {"username": "sun.zj", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303, response.text
    user = await User.objects().where(User.username == "sun.zj").first()
    assert user.role == "expert" and user.display_name == "孙专家" and user.agency is None
    assert await linked_user(expert_id) == user.id
    record = await AuditRecord.select().where(AuditRecord.action == "expert.account_created").first()
    assert record["object_id"] == str(expert_id) and "sun.zj" in record["new_values"]
    assert await AuditRecord.exists().where(AuditRecord.action == "user.created")
    page = await client.get(f"/roster/experts/{expert_id}")
    assert "sun.zj" in page.text and "解除关联" in page.text and "从未登录" in page.text
    async with AsyncTestClient(app=create_app()) as expert:
        assert (await sign_in(expert, "sun.zj", NEW_PASSWORD)).status_code == 303
        profile = await expert.get("/me/profile")
        assert profile.status_code == 200 and "孙专家" in profile.text


async def test_bad_account_input_is_refused_and_nothing_written(as_role, people):
    expert_id = await unlinked()
    client = await as_role("admin")
    users = await User.count()
    url = f"/roster/experts/{expert_id}/account/create"
    weak = await post_form(client, url, {"username": "sun.zj", "password": "123", "repeat": "124"})
    assert weak.status_code == 400 and "两次输入的密码不一致" in weak.text and "密码" in weak.text
    taken = await post_form(client, url, {"username": "agency1", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert taken.status_code == 400 and "用户名“agency1”已被使用" in taken.text
    bad_name = await post_form(client, url, {"username": "孙 专家", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert bad_name.status_code == 400 and "用户名须为" in bad_name.text
    assert await User.count() == users and await linked_user(expert_id) is None
    assert not await AuditRecord.exists().where(AuditRecord.action.is_in(["user.created", "expert.account_created"]))


async def test_one_account_per_expert_and_one_expert_per_account(as_role, people):
    client = await as_role("agency")
    # 赵专家 already has expert1: no second account, no second link.
    again = await post_form(client, f"/roster/experts/{people['expert_record']}/account/create",
                            {"username": "zhao2", "password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert again.status_code == 400 and "该专家已关联登录账户“expert1”" in again.text
    assert not await User.exists().where(User.username == "zhao2")
    expert_id = await unlinked()
    url = f"/roster/experts/{expert_id}/account/link"
    used = await post_form(client, url, {"username": "expert21"})
    assert used.status_code == 400 and "已关联专家“钱专家”" in used.text and "一个账户只能关联一名专家" in used.text
    staff = await post_form(client, url, {"username": "agency1"})
    assert staff.status_code == 400 and "不是评审专家账户" in staff.text
    missing = await post_form(client, url, {"username": "nobody"})
    assert missing.status_code == 400 and "账户“nobody”不存在" in missing.text
    assert await linked_user(expert_id) is None
    assert not await AuditRecord.exists().where(AuditRecord.action == "expert.account_linked")


async def test_link_an_existing_account_then_unlink_it(as_role, people):
    expert_id = await unlinked()
    free = User(username="sun.old", display_name="孙（旧账户）", role="expert", password_hash=_hash())
    await free.save()
    client = await as_role("agency")
    page = await client.get(f"/roster/experts/{expert_id}")
    assert "sun.old" in page.text and "expert1" not in page.text.split('id="account"')[1].split("</section>")[0]
    linked = await post_form(client, f"/roster/experts/{expert_id}/account/link", {"username": "sun.old"})
    assert linked.status_code == 303 and await linked_user(expert_id) == free.id
    assert await AuditRecord.exists().where(AuditRecord.action == "expert.account_linked")
    twice = await post_form(client, f"/roster/experts/{expert_id}/account/link", {"username": "sun.old"})
    assert twice.status_code == 400 and "请先解除关联" in twice.text
    unlinked_ = await post_form(client, f"/roster/experts/{expert_id}/account/unlink")
    assert unlinked_.status_code == 303 and await linked_user(expert_id) is None
    record = await AuditRecord.select().where(AuditRecord.action == "expert.account_unlinked").first()
    assert "sun.old" in record["old_values"]
    assert await User.exists().where(User.username == "sun.old")  # the account itself stays
    again = await post_form(client, f"/roster/experts/{expert_id}/account/unlink")
    assert again.status_code == 400 and "该专家尚未关联登录账户" in again.text
    history = await client.get(f"/roster/experts/{expert_id}")
    assert "expert.account_unlinked" in history.text and "expert.account_linked" in history.text
    # The unlinked account signs in but has no expert profile any more.
    async with AsyncTestClient(app=create_app()) as expert:
        assert (await sign_in(expert, "sun.old", PASSWORD)).status_code == 303
        assert "孙专家" not in (await expert.get("/me/profile")).text


async def test_readers_see_the_account_but_cannot_change_it(as_role, people):
    client = await as_role("supervisor")
    page = await client.get(f"/roster/experts/{people['expert_record']}")
    assert page.status_code == 200 and "expert1" in page.text and "解除关联" not in page.text
    response = await post_form(client, f"/roster/experts/{people['expert_record']}/account/unlink")
    assert response.status_code == 403
    assert await linked_user(people["expert_record"]) == people["expert"]


async def test_the_database_keeps_one_expert_per_account(people):
    # The unique index closes the race the service's check cannot (two concurrent links on PostgreSQL).
    with pytest.raises(Exception, match=r"(?i)unique"):
        await Expert.update({Expert.user: people["expert"]}).where(Expert.id == people["expert2_record"])
    assert await linked_user(people["expert2_record"]) == people["expert2"]
