"""People administration: agencies renamed and stopped, users edited, disabled and reset."""

from __future__ import annotations

import re

from app.accounts.tables import Agency, User
from app.audit.tables import AuditRecord
from app.roster.tables import Expert
from tests.app.helpers import PASSWORD, post_form, sign_in


async def _actions(object_type: str, object_id: int) -> list[str]:
    rows = await AuditRecord.select(AuditRecord.action).where(
        (AuditRecord.object_type == object_type) & (AuditRecord.object_id == str(object_id))).order_by(AuditRecord.seq)
    return [r["action"] for r in rows]


async def test_rename_an_agency_keeps_its_staff_and_is_audited(signed_in, world) -> None:  # type: ignore[no-untyped-def]
    admin = await signed_in("admin")
    response = await post_form(admin, f"/admin/agencies/{world.agency_id}/rename",
                               {"name": "昆明市人力资源和社会保障局", "region": "昆明市"})
    assert response.status_code == 303
    agency = await Agency.objects().where(Agency.id == world.agency_id).first()
    assert agency.name == "昆明市人力资源和社会保障局"
    assert await User.count().where(User.agency == world.agency_id) == 2
    assert "agency.renamed" in await _actions("agency", world.agency_id)
    clash = await post_form(admin, f"/admin/agencies/{world.agency_id}/rename",
                            {"name": "大理州社会保险局", "region": "昆明市"})
    assert clash.status_code == 400 and clash.headers["content-type"].startswith("text/html")
    assert "机构“大理州社会保险局”已存在" in clash.text
    assert (await Agency.objects().where(Agency.id == world.agency_id).first()).name == "昆明市人力资源和社会保障局"


async def test_a_stopped_agencys_staff_cannot_sign_in_or_act(signed_in, world, client) -> None:  # type: ignore[no-untyped-def]
    staff = await signed_in("agency")
    assert (await staff.get("/projects/")).status_code == 200
    admin = await signed_in("admin")
    stop = await post_form(admin, f"/admin/agencies/{world.agency_id}/status", {"active": "0"})
    assert stop.status_code == 303
    assert (await Agency.objects().where(Agency.id == world.agency_id).first()).is_active is False
    # The open session stops at its next request; a new sign-in is refused like a wrong password.
    after = await staff.get("/projects/", follow_redirects=False)
    assert after.status_code in (302, 303, 401) and after.status_code != 200
    refused = await sign_in(client, "supervisor1")
    assert refused.status_code == 400 and "用户名或密码错误" in refused.text
    # Other agencies and roles without an agency are not affected.
    assert (await sign_in(client, "agency2")).status_code == 303
    page = await admin.get("/admin/agencies/")
    assert "已停用" in page.text
    again = await post_form(admin, f"/admin/agencies/{world.agency_id}/status", {"active": "0"})
    assert again.status_code == 400 and "已经是停用状态" in again.text
    assert (await post_form(admin, f"/admin/agencies/{world.agency_id}/status", {"active": "1"})).status_code == 303
    assert (await sign_in(client, "supervisor1")).status_code == 303
    assert await _actions("agency", world.agency_id) == ["agency.created", "agency.disabled", "agency.enabled"]


async def test_disable_and_enable_a_user(signed_in, world, client) -> None:  # type: ignore[no-untyped-def]
    expert = await signed_in("expert")
    admin = await signed_in("admin")
    uid = world.users["expert"]
    assert (await post_form(admin, f"/admin/users/{uid}/status", {"active": "0"})).status_code == 303
    assert (await User.objects().where(User.id == uid).first()).is_active is False
    assert (await expert.get("/scoring/", follow_redirects=False)).status_code != 200
    assert (await sign_in(client, "expert1")).status_code == 400
    own = await post_form(admin, f"/admin/users/{world.users['admin']}/status", {"active": "0"})
    assert own.status_code == 400 and "不能停用自己的账户" in own.text
    assert (await post_form(admin, f"/admin/users/{uid}/status", {"active": "1"})).status_code == 303
    assert (await sign_in(client, "expert1")).status_code == 303
    assert await _actions("user", uid) == ["user.created", "account.signed_in", "user.disabled", "user.enabled",
                                           "account.signed_in"]


async def test_reset_shows_a_temporary_password_once_and_forces_a_change(signed_in, world, client) -> None:  # type: ignore[no-untyped-def]
    uid = world.users["auditor"]
    await User.update({User.failed_logins: 0, User.locked_until: User.created_at}).where(User.id == uid)
    admin = await signed_in("admin")
    page = await post_form(admin, f"/admin/users/{uid}/reset")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    temporary = re.search(r'<p class="secret"><code>([^<]+)</code>', page.text).group(1)  # type: ignore[union-attr]
    row = await User.objects().where(User.id == uid).first()
    assert row.must_change_password is True and row.locked_until is None
    assert temporary not in (await admin.get(f"/admin/users/{uid}")).text
    assert temporary not in str(await AuditRecord.select(AuditRecord.new_values, AuditRecord.old_values))
    assert (await sign_in(client, "auditor1", PASSWORD)).status_code == 400
    assert (await sign_in(client, "auditor1", temporary)).status_code == 303
    # Until a new password is set every page leads to 修改密码.
    blocked = await client.get("/audit/", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/account/password")
    form = await client.get("/account/password")
    assert "管理员已重置您的密码" in form.text
    changed = await post_form(client, "/account/password",
                              {"current": temporary, "new": "Auditor-New-2026", "repeat": "Auditor-New-2026"})
    assert changed.status_code == 303
    assert (await client.get("/audit/")).status_code == 200
    assert (await User.objects().where(User.id == uid).first()).must_change_password is False
    assert "user.password_reset" in await _actions("user", uid)


async def test_edit_a_user_with_the_rules(signed_in, world) -> None:  # type: ignore[no-untyped-def]
    admin = await signed_in("admin")
    uid = world.users["agency"]
    ok = await post_form(admin, f"/admin/users/{uid}/edit", {
        "display_name": "王经办", "email": "wang@example.cn", "role": "supervisor", "agency_id": str(world.agency_id)})
    assert ok.status_code == 303
    row = await User.objects().where(User.id == uid).first()
    assert (row.display_name, row.email, row.role) == ("王经办", "wang@example.cn", "supervisor")
    audit = await AuditRecord.select().where(AuditRecord.action == "user.updated").first()
    assert '"role":"agency"' in audit["old_values"] and '"role":"supervisor"' in audit["new_values"]
    no_agency = await post_form(admin, f"/admin/users/{uid}/edit", {
        "display_name": "王经办", "email": "", "role": "agency", "agency_id": ""})
    assert no_agency.status_code == 400 and "经办人和监督人必须属于一个机构" in no_agency.text
    # An expert account that is a roster expert's sign-in keeps its role until unlinked there.
    expert_uid = world.users["expert"]
    await Expert.insert(Expert(name="李专家", id_number="530102197001011234", user=expert_uid))
    moved = await post_form(admin, f"/admin/users/{expert_uid}/edit", {
        "display_name": "李专家", "email": "", "role": "auditor", "agency_id": ""})
    assert moved.status_code == 400 and "专家库专家“李专家”的登录账户" in moved.text
    assert (await User.objects().where(User.id == expert_uid).first()).role == "expert"
    missing = await admin.get("/admin/users/999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
