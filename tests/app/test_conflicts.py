"""回避 against the database: facts loaded from every table, the draw pool, records, the check page."""
# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)

from __future__ import annotations

import datetime as dt

import pytest

from app.audit.services import SYSTEM
from app.audit.tables import AuditRecord
from app.conflicts import services
from app.conflicts.engine import Bidder, PanelContext
from app.roster import declarations
from app.roster.status import day_start
from app.roster.tables import Expert
from tests.app.helpers import post_form
from tests.app.roster_fixtures import add_expert, as_role, id_number, people  # noqa: F401

TODAY = dt.date(2026, 11, 23)
JINSHA = Bidder("云南金沙化工有限公司", "91350100M000100Y43", legal_representative="王大明", head="李小红")
PANEL = PanelContext(purchaser_name="昆明市社会保险局", bidders=(JINSHA, Bidder("昆明滇中安全技术服务有限公司")),
                     project_id=7, on_date=TODAY)


@pytest.fixture
async def roster() -> dict[str, int]:
    """One expert per rule, and two without any conflict."""
    from app.roster.specialties import ensure_defaults

    await ensure_defaults(SYSTEM)
    ids = {}
    for i, (key, employer) in enumerate([
        ("purchaser_staff", "昆明市社会保险局"), ("bidder_staff", "云南金沙化工有限责任公司"),
        ("branch_staff", "云南金沙化工有限公司大理分公司"), ("code_staff", "金沙新材料"),
        ("former_staff", "昆明理工大学"), ("old_staff", "昆明理工大学"), ("director", "昆明理工大学"),
        ("relative", "昆明理工大学"), ("drafter", "昆明理工大学"), ("declared", "昆明理工大学"),
        ("recorded", "昆明理工大学"), ("linked", "金沙化工大理经营部"), ("clean", "昆明理工大学"),
        ("clean2", "云南大学"),
    ]):
        ids[key] = await add_expert(name=f"专家{i}", id_number=id_number(seq=500 + 2 * i), employer=employer,
                                    employer_credit_code="91350100M000100Y43" if key == "code_staff" else "")
    await declarations.add_tie(SYSTEM, ids["former_staff"], "employment", {
        "org_name": "云南 金沙化工（有限公司）", "start_date": "2015-03-01", "end_date": "2024-08-31"})
    await declarations.add_tie(SYSTEM, ids["old_staff"], "employment", {
        "org_name": "云南金沙化工有限公司", "end_date": "2020-01-31"})
    await declarations.add_tie(SYSTEM, ids["director"], "holdings", {
        "holding_kind": "supervisor", "org_name": "昆明滇中安全技术服务有限责任公司", "start_date": "2022-01-01"})
    await declarations.add_tie(SYSTEM, ids["relative"], "relatives", {"relation": "兄弟姐妹", "name": "李小红"})
    await services.record_conflict(SYSTEM, expert_id=ids["drafter"], kind="drafted_requirements", project_id=7,
                                   reason="参与编制服务需求")
    await declarations.add_tie(SYSTEM, ids["declared"], "declarations", {
        "org_name": "昆明滇中安全技术服务有限公司", "reason": "曾为其出具检测报告"})
    await services.record_conflict(SYSTEM, expert_id=ids["recorded"], person_name="王大明", reason="有经济纠纷")
    await services.add_org_link(SYSTEM, branch_name="金沙化工大理经营部", parent_name="云南金沙化工有限公司")
    return ids


EXPECTED = {
    "purchaser_staff": ["employer_is_purchaser"], "bidder_staff": ["employer_is_bidder"],
    "branch_staff": ["employer_is_bidder"], "code_staff": ["employer_is_bidder"],
    "former_staff": ["recent_employment"], "director": ["recent_director"],
    "relative": ["relative_is_bidder_head"], "drafter": ["drafted_requirements"], "declared": ["self_declared"],
    "recorded": ["agency_recorded"], "linked": ["employer_is_bidder"],
}


async def test_each_rule_from_the_database(roster):
    result = await services.find_conflicts(PANEL)
    found = {key: [c.code for c in result.get(expert_id, [])] for key, expert_id in roster.items()}
    assert found == {**EXPECTED, "old_staff": [], "clean": [], "clean2": []}
    [former] = result[roster["former_staff"]]
    assert former.reason.startswith("参加采购活动前3年内曾在供应商“云南金沙化工有限公司”工作（2015-03-01至2024-08-31）")
    assert former.evidence["stored_normalised"] == "云南金沙化工"
    [linked] = result[roster["linked"]]
    assert linked.evidence["parent_link"] == "recorded"


async def test_subset_and_window(roster):
    subset = await services.find_conflicts(PANEL, [roster["former_staff"], roster["clean"], roster["bidder_staff"]])
    assert set(subset) == {roster["former_staff"], roster["bidder_staff"]}
    later = PanelContext(purchaser_name=PANEL.purchaser_name, bidders=PANEL.bidders, on_date=dt.date(2027, 9, 1))
    assert roster["former_staff"] not in await services.find_conflicts(later)  # 2024-08-31 is over 3 years back
    with pytest.raises(ValueError, match="on_date"):
        await services.find_conflicts(PanelContext(purchaser_name="x"))


async def test_eligible_pool_filters_status_age_and_conflicts(roster):
    today = dt.date.today()
    await Expert.update({Expert.status: "suspended", Expert.status_until: day_start(today + dt.timedelta(days=9))}
                        ).where(Expert.id == roster["clean"])
    expired = await add_expert(name="期满", id_number=id_number(seq=601))
    await Expert.update({Expert.status: "suspended", Expert.status_until: day_start(today)}).where(
        Expert.id == expired)
    on_leave = await add_expert(name="请假", id_number=id_number(seq=603))
    await Expert.update({Expert.status: "leave", Expert.status_from: day_start(today - dt.timedelta(days=1)),
                         Expert.status_until: day_start(today + dt.timedelta(days=3))}).where(Expert.id == on_leave)
    applied = await add_expert(name="申请中", id_number=id_number(seq=605), status="申请")
    removed = await add_expert(name="已出库", id_number=id_number(seq=607))
    await Expert.update({Expert.status: "removed"}).where(Expert.id == removed)
    too_old = await add_expert(name="超龄", id_number=id_number(seq=609))
    await Expert.update({Expert.id_number: id_number(year=today.year - 71, seq=609)}).where(Expert.id == too_old)
    context = PanelContext(purchaser_name=PANEL.purchaser_name, bidders=PANEL.bidders, project_id=7, on_date=today)
    pool, excluded = await services.eligible_pool(context)
    by_id = {p["id"]: p for p in pool}
    assert set(by_id) == {roster["old_staff"], roster["clean2"], expired}
    assert by_id[roster["clean2"]] == {"id": roster["clean2"], "org": "云南大学", "region": "昆明市",
                                       "specialties": ["safety.chemical", "law"], "available": True}
    assert by_id[roster["old_staff"]]["org"] == "昆明理工大学"
    assert set(excluded) == {roster[k] for k in EXPECTED}
    assert {on_leave, applied, removed, too_old, roster["clean"]}.isdisjoint(by_id)
    applied_pool, _ = await services.eligible_pool(context, statuses=("applied",))
    assert [p["id"] for p in applied_pool] == [applied]


async def test_pool_org_is_the_parent_for_branches(roster):
    pool, _ = await services.eligible_pool(PanelContext(purchaser_name="某单位", on_date=dt.date.today()))
    orgs = {p["id"]: p["org"] for p in pool}
    assert orgs[roster["branch_staff"]] == orgs[roster["bidder_staff"]] == orgs[roster["linked"]] == "云南金沙化工"


async def test_record_conflict_validation_audit_and_revoke(roster):
    with pytest.raises(services.ConflictRecordError) as info:
        await services.record_conflict(SYSTEM, expert_id=roster["clean"], reason="")
    assert set(info.value.errors) == {"reason", "org_name"}
    with pytest.raises(services.ConflictRecordError, match="须指明项目"):
        await services.record_conflict(SYSTEM, expert_id=roster["clean"], kind="drafted_requirements", reason="x")
    record_id = await services.record_conflict(SYSTEM, expert_id=roster["clean"], org_name="云南大学",
                                               reason="亲属就读")
    purchaser = PanelContext(purchaser_name="云南大学", on_date=TODAY)
    assert [c.code for c in (await services.find_conflicts(purchaser))[roster["clean"]]] == ["agency_recorded"]
    await services.revoke_conflict(SYSTEM, record_id, "核实无利害关系")
    assert roster["clean"] not in await services.find_conflicts(purchaser)
    actions = [r["action"] for r in await AuditRecord.select(AuditRecord.action)]
    assert actions.count("conflict.recorded") == 3 and "conflict.revoked" in actions


async def test_check_page_explains_and_is_audited(as_role, roster):
    client = await as_role("agency")
    response = await post_form(client, "/conflicts/check", {
        "purchaser_name": "昆明市社会保险局", "on_date": "2026-11-23", "project_id": "7",
        "bidders": "云南金沙化工有限公司\t91350100M000100Y43\t王大明\t李小红\n昆明滇中安全技术服务有限公司"})
    assert response.status_code == 200
    text = response.text
    assert f"{len(EXPECTED)} 名专家应当回避" in text
    assert "申报的亲属李小红（兄弟姐妹）为供应商“云南金沙化工有限公司”的负责人" in text
    assert "财库〔2016〕198号 第16条第1项" in text and "stored_normalised" in text
    record = await AuditRecord.objects().where(AuditRecord.action == "conflict.checked").first()
    assert record.object_id == "7" and '"bidders":[{"credit_code":"91350100M000100Y43"' in record.new_values
    assert f'"{roster["relative"]}":["relative_is_bidder_head"]' in record.new_values
    bad = await post_form(client, "/conflicts/check", {"purchaser_name": "", "bidders": ""})
    assert bad.status_code == 400 and "请至少填写采购人或一个供应商" in bad.text


async def test_check_api(as_role, roster):
    client = await as_role("auditor")
    token = client.cookies.get("csrftoken")
    response = await client.post("/api/conflicts/check", json={
        "purchaser_name": "某采购人", "bidders": [{"name": "云南金沙化工有限公司", "legal_representative": "王大明"}],
        "on_date": "2026-11-23"}, headers={"x-csrftoken": token})
    assert response.status_code == 200
    by_id = {item["expert_id"]: item for item in response.json()}
    assert by_id[roster["recorded"]]["conflicts"][0]["code"] == "agency_recorded"
    assert by_id[roster["bidder_staff"]]["conflicts"][0]["evidence"]["target_normalised"] == "云南金沙化工"
    assert roster["clean"] not in by_id


async def test_records_page_and_forms(as_role, roster):
    client = await as_role("agency")
    page = await client.get("/conflicts/")
    assert "有经济纠纷" in page.text and "金沙化工大理经营部" in page.text
    bad = await post_form(client, "/conflicts/links",
                          {"branch_name": "x", "parent_name": "", "branch_credit_code": "1"})
    assert bad.status_code == 400 and "请填写总公司名称" in bad.text and "统一社会信用代码应为 18 位" in bad.text
    ok = await post_form(client, "/conflicts/records", {"expert_id": str(roster["clean"]), "person_name": "张某",
                                                        "reason": "同学"})
    assert ok.status_code == 303
    supervisor = await as_role("supervisor")
    assert (await post_form(supervisor, "/conflicts/records", {"expert_id": "1", "reason": "x"})).status_code == 403
