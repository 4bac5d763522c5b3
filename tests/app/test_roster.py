"""专家库 pages: create, search, filters, masking, edits with optimistic locking, status, self-service."""
# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)

from __future__ import annotations

import datetime as dt

from app.audit.services import SYSTEM
from app.audit.tables import AuditRecord
from app.roster import services
from app.roster.status import day_start
from app.roster.tables import Expert, ExpertStatusChange, ProfileChange, Relative
from tests.app.helpers import post_form
from tests.app.roster_fixtures import add_expert, as_role, expert_data, id_number, people  # noqa: F401

FORM_KEYS = ("name", "id_number", "phone", "email", "employer", "employer_credit_code", "title", "level",
             "years_in_field", "region", "county", "status", "notes")


def form(**over):
    data = expert_data(**over)
    out = {k: str(data.get(k, "")) for k in FORM_KEYS}
    out["specialties"] = ["safety.chemical", "law"]
    return out


async def test_agency_creates_an_expert_and_sees_it(as_role):
    client = await as_role("agency")
    response = await post_form(client, "/roster/experts/new", form(name="孙悟空", id_number=id_number(seq=21)))
    assert response.status_code == 303
    expert = await Expert.objects().where(Expert.name == "孙悟空").first()
    assert expert.name_initials == "swk" and expert.gender == "男" and expert.birth_year == 1975
    assert expert.specialties == '["safety.chemical", "law"]' or expert.specialties == ["safety.chemical", "law"]
    page = await client.get(response.headers["location"])
    assert "孙悟空" in page.text and "安全生产/危险化学品、法律" in page.text
    assert id_number(seq=21) in page.text  # agency staff see the full number
    assert await AuditRecord.exists().where(AuditRecord.action == "expert.created")


async def test_bad_form_is_refused_with_every_reason_and_nothing_written(as_role):
    client = await as_role("agency")
    before = await Expert.count()
    bad = form(id_number="530102197505170012", employer="", level="中级", years_in_field="3")
    response = await post_form(client, "/roster/experts/new", bad)
    assert response.status_code == 400
    assert "身份证号码校验位不正确" in response.text
    assert "工作单位不能为空" in response.text
    assert "中级职称须从业满 8 年（实为 3 年）" in response.text
    old = form(id_number=id_number(year=1950, seq=23))
    response = await post_form(client, "/roster/experts/new", old)
    assert response.status_code == 400 and "超过 70 周岁上限" in response.text
    assert await Expert.count() == before


async def test_duplicate_id_number_is_refused(as_role, people):
    client = await as_role("agency")
    response = await post_form(client, "/roster/experts/new", form(id_number=id_number(seq=11)))
    assert response.status_code == 400 and "身份证号码已被专家“赵专家”" in response.text


async def test_search_by_pinyin_initials_name_and_employer(as_role):
    await add_expert(name="张三", id_number=id_number(seq=31), employer="云南金沙化工有限公司")
    await add_expert(name="李四", id_number=id_number(seq=33), employer="昆明理工大学")
    await add_expert(name="张珊珊", id_number=id_number(seq=35), employer="大理州职业病防治院")
    client = await as_role("supervisor")
    page = await client.get("/roster/?q=zs")
    assert "张三" in page.text and "张珊珊" in page.text and "李四" not in page.text
    page = await client.get("/roster/?q=ZS")
    assert "张三" in page.text
    assert "张三" not in (await client.get("/roster/?q=ls")).text
    page = await client.get("/roster/?q=金沙")
    assert "张三" in page.text and "李四" not in page.text
    api = (await client.get("/api/experts?q=李")).json()
    assert [e["name"] for e in api["items"]] == ["李四"]


async def test_filters_by_specialty_region_status_title_employer(as_role):
    a = await add_expert(name="甲", id_number=id_number(seq=41), specialties=["危险化学品"], region="红河州",
                         title="高级工程师")
    b = await add_expert(name="乙", id_number=id_number(seq=43), specialties=["法律"], region="昆明市",
                         title="一级律师", employer="云南某某律师事务所")
    c = await add_expert(name="丙", id_number=id_number(seq=45), specialties=["安全生产"], status="申请")
    client = await as_role("auditor")

    async def names(query: str) -> set[str]:
        body = (await client.get(f"/api/experts?{query}")).json()
        return {e["name"] for e in body["items"]} - {"赵专家", "钱专家"}

    assert await names("specialty=safety") == {"甲", "丙"}  # a parent finds its children too
    assert await names("specialty=safety.chemical") == {"甲"}
    assert await names("specialty=law") == {"乙"}
    assert await names("region=红河州") == {"甲"}
    assert await names("status=applied") == {"丙"}
    assert await names("title=律师") == {"乙"}
    assert await names("employer=律师事务所") == {"乙"}
    assert await names("level=高级&region=昆明市") == {"乙", "丙"}
    page = await client.get("/roster/?specialty=law")
    assert "乙" in page.text and f'/roster/experts/{a}"' not in page.text
    assert {a, b, c} <= {e["id"] for e in (await client.get("/api/experts")).json()["items"]}


async def test_personal_data_masked_for_roles_that_do_not_need_it(as_role, people):
    expert_id = people["expert_record"]
    full = id_number(seq=11)
    for role in ("supervisor", "auditor"):
        client = await as_role(role)
        page = await client.get(f"/roster/experts/{expert_id}")
        assert full not in page.text and "530102********" in page.text and "138****5678" in page.text
        api = (await client.get(f"/api/experts/{expert_id}")).json()
        assert api["id_number"] == "530102********" + full[-4:] and api["phone"] == "138****5678"
    admin = await as_role("admin")
    assert (await admin.get(f"/api/experts/{expert_id}")).json()["id_number"] == full


async def test_edit_records_a_change_history(as_role, people):
    client = await as_role("agency")
    expert_id = people["expert_record"]
    data = form(name="赵专家", id_number=id_number(seq=11), title="正高级工程师")
    response = await post_form(client, f"/roster/experts/{expert_id}/edit", {**data, "version": "1"})
    assert response.status_code == 303
    row = await services.get_expert(expert_id)
    assert row["title"] == "正高级工程师" and row["version"] == 2
    record = await AuditRecord.objects().where(AuditRecord.action == "expert.updated").first()
    assert '"title":"教授"' in record.old_values and '"title":"正高级工程师"' in record.new_values
    page = await client.get(f"/roster/experts/{expert_id}")
    assert "修改记录" in page.text and "title=正高级工程师" in page.text


async def test_second_concurrent_save_is_refused(as_role, people):
    first, second = await as_role("agency"), await as_role("admin")
    expert_id = people["expert_record"]
    a = await post_form(first, f"/roster/experts/{expert_id}/edit",
                        {**form(name="赵专家", id_number=id_number(seq=11), title="研究员"), "version": "1"})
    assert a.status_code == 303
    b = await post_form(second, f"/roster/experts/{expert_id}/edit",
                        {**form(name="赵专家", id_number=id_number(seq=11), title="副研究员"), "version": "1"})
    assert b.status_code == 409
    assert "该专家资料已被他人修改（您编辑的是第 1 版，当前为第 2 版）" in b.text
    assert (await services.get_expert(expert_id))["title"] == "研究员"


async def test_concurrent_saves_in_the_service_only_one_wins(people):
    import asyncio

    expert_id = people["expert_record"]
    data = expert_data(name="赵专家", id_number=id_number(seq=11))
    results = await asyncio.gather(
        services.update_expert(SYSTEM, expert_id, 1, {**data, "title": "甲"}),
        services.update_expert(SYSTEM, expert_id, 1, {**data, "title": "乙"}), return_exceptions=True)
    assert sum(isinstance(r, services.StaleVersion) for r in results) == 1
    assert (await services.get_expert(expert_id))["version"] == 2


async def test_suspension_with_end_date_and_automatic_restore(as_role, people):
    client = await as_role("agency")
    expert_id = people["expert_record"]
    end = dt.date.today() + dt.timedelta(days=30)
    response = await post_form(client, f"/roster/experts/{expert_id}/status", {
        "version": "1", "status": "suspended", "reason": "履职评价不合格", "end": end.isoformat()})
    assert response.status_code == 303
    row = await services.get_expert(expert_id)
    assert row["status"] == "suspended" and row["status_until"] == day_start(end + dt.timedelta(days=1))
    page = await client.get(f"/roster/experts/{expert_id}")
    assert f"至 {end.isoformat()}（期满自动恢复）" in page.text and "履职评价不合格" in page.text
    # Not due yet: nothing restored.
    assert await services.restore_expired() == 0
    # The day after the end date the expert is 在库 again, with history and an audit record.
    later = day_start(end + dt.timedelta(days=1)) + dt.timedelta(minutes=1)
    assert await services.restore_expired(now=later) == 1
    row = await services.get_expert(expert_id)
    assert row["status"] == "active" and row["status_until"] is None and row["version"] == 3
    history = await ExpertStatusChange.select().where(ExpertStatusChange.expert == expert_id).order_by(
        ExpertStatusChange.id)
    assert [(h["old_status"], h["new_status"], h["automatic"]) for h in history][-2:] == [
        ("active", "suspended", False), ("suspended", "active", True)]
    assert await AuditRecord.exists().where(AuditRecord.action == "expert.status_restored")


async def test_status_rules(as_role, people):
    client = await as_role("agency")
    expert_id = people["expert_record"]
    no_end = await post_form(client, f"/roster/experts/{expert_id}/status",
                             {"version": "1", "status": "suspended", "reason": "x"})
    assert no_end.status_code == 400 and "请填写结束日期" in no_end.text
    no_reason = await post_form(client, f"/roster/experts/{expert_id}/status", {"version": "1", "status": "removed"})
    assert no_reason.status_code == 400 and "请填写原因" in no_reason.text
    bad = await post_form(client, f"/roster/experts/{expert_id}/status",
                          {"version": "1", "status": "applied", "reason": "x"})
    assert bad.status_code == 400 and "只能改为：暂停、请假、出库" in bad.text
    start = dt.date.today() + dt.timedelta(days=10)
    leave = await post_form(client, f"/roster/experts/{expert_id}/status", {
        "version": "1", "status": "leave", "reason": "出国访学", "start": start.isoformat(),
        "end": (start + dt.timedelta(days=5)).isoformat()})
    assert leave.status_code == 303
    # Leave booked ahead: still 在库 today, on leave from the start day.
    api = (await client.get(f"/api/experts/{expert_id}")).json()
    assert api["status"] == "active"
    out = await post_form(client, f"/roster/experts/{expert_id}/status",
                          {"version": "2", "status": "removed", "reason": "本人申请退出"})
    assert out.status_code == 303
    assert (await services.get_expert(expert_id))["status_reason"] == "本人申请退出"


async def test_expert_edits_own_profile_and_agency_reviews_the_change(as_role, people):
    expert = await as_role("expert")
    page = await expert.get("/me/profile")
    assert page.status_code == 200 and "赵专家" in page.text and id_number(seq=11) in page.text
    response = await post_form(expert, "/me/profile", {
        "version": "1", "phone": "13900000000", "email": "z@example.cn", "employer": "云南金沙化工有限公司",
        "employer_credit_code": "", "title": "教授", "level": "高级", "years_in_field": "21", "county": "五华区"})
    assert response.status_code == 303
    row = await services.get_expert(people["expert_record"])
    assert row["employer"] == "云南金沙化工有限公司" and row["years_in_field"] == 21
    [change] = await ProfileChange.select().where(ProfileChange.expert == people["expert_record"])
    assert (change["field"], change["old_value"], change["new_value"]) == ("employer", "昆明理工大学",
                                                                             "云南金沙化工有限公司")
    agency = await as_role("agency")
    pending = await agency.get("/roster/changes")
    assert "云南金沙化工有限公司" in pending.text
    assert (await post_form(agency, f"/roster/changes/{change['id']}/ack")).status_code == 303
    assert "没有待核对的修改" in (await agency.get("/roster/changes")).text
    # A stale profile form is refused too.
    stale = await post_form(expert, "/me/profile", {"version": "1", "employer": "别处", "title": "教授",
                                                    "level": "高级", "years_in_field": "21"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text


async def test_expert_declares_ties_and_cannot_touch_anothers(as_role, people):
    expert = await as_role("expert")
    response = await post_form(expert, "/me/ties/relatives", {"relation": "配偶", "name": "王大明",
                                                               "employer": "云南金沙化工有限公司"})
    assert response.status_code == 303
    other = await as_role("expert2")
    mine = await Relative.select().where(Relative.expert == people["expert_record"]).first()
    refused = await post_form(other, f"/me/ties/relatives/{mine['id']}/delete")
    assert refused.status_code == 404
    assert await Relative.count() == 1
    bad = await post_form(expert, "/me/ties/declarations", {"reason": ""})
    assert bad.status_code == 400 and "请说明利害关系" in bad.text
    for path in (f"/roster/experts/{people['expert2_record']}", f"/api/experts/{people['expert2_record']}",
                 "/roster/"):
        assert (await expert.get(path, follow_redirects=False)).status_code == 403
    assert (await post_form(expert, "/me/ties/relatives/1/delete")).status_code in (303, 404)


async def test_auditor_reads_but_cannot_edit(as_role, people):
    auditor = await as_role("auditor")
    expert_id = people["expert_record"]
    assert (await auditor.get(f"/roster/experts/{expert_id}")).status_code == 200
    edit = await post_form(auditor, f"/roster/experts/{expert_id}/edit", {**form(), "version": "1"})
    assert edit.status_code == 403
    tie = await post_form(auditor, f"/roster/experts/{expert_id}/ties/relatives", {"relation": "配偶", "name": "x"})
    assert tie.status_code == 403
    assert (await services.get_expert(expert_id))["version"] == 1


async def test_agency_keeps_ties_and_performance(as_role, people):
    client = await as_role("agency")
    expert_id = people["expert_record"]
    add = await post_form(client, f"/roster/experts/{expert_id}/ties/employment", {
        "org_name": "云南金沙化工有限公司", "start_date": "2018-01-01", "end_date": "2024-06-30",
        "position": "安全总监"})
    assert add.status_code == 303
    bad = await post_form(client, f"/roster/experts/{expert_id}/ties/holdings", {
        "holding_kind": "director", "org_name": "x", "credit_code": "123"})
    assert bad.status_code == 400 and "统一社会信用代码应为 18 位" in bad.text
    perf = await post_form(client, f"/roster/experts/{expert_id}/performance",
                           {"project": "2026 年工伤预防宣传项目", "score": "92"})
    assert perf.status_code == 303
    low = await post_form(client, f"/roster/experts/{expert_id}/performance", {"project": "x", "score": "101"})
    assert low.status_code == 400 and "0–100" in low.text
    page = await client.get(f"/roster/experts/{expert_id}")
    assert "安全总监" in page.text and "2026 年工伤预防宣传项目" in page.text and ">92<" in page.text


async def test_specialty_tree_is_configurable(as_role):
    admin = await as_role("admin")
    response = await post_form(admin, "/roster/specialties", {"code": "safety.fire", "name": "消防",
                                                             "parent_code": "safety"})
    assert response.status_code == 303
    await add_expert(name="消防专家", id_number=id_number(seq=51), specialties=["消防"])
    page = await admin.get("/roster/specialties")
    assert "安全生产/消防" in page.text
    dup = await post_form(admin, "/roster/specialties", {"code": "safety.fire", "name": "消防2"})
    assert dup.status_code == 400 and "已存在" in dup.text
