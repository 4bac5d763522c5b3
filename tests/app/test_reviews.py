"""Projects and reviews through the pages: create, scope by agency, rubric, bids, regime rules."""

from __future__ import annotations

from decimal import Decimal

from app.audit.tables import AuditRecord
from app.reviews.tables import Bid, Criterion, Project, Review, RubricTemplate
from tests.app.helpers import post_form

PROJECT = {"name": "2026年建筑施工企业工伤预防宣传项目", "code": "GS-2026-07", "key_industry": "建筑施工",
           "budget": "4,800,000.00", "purchaser_name": "昆明市社会保险局", "purchaser_credit_code": ""}


async def _project(client) -> int:  # type: ignore[no-untyped-def]
    response = await post_form(client, "/projects/", PROJECT)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_create_project_and_reviews_of_three_kinds(world, signed_in):
    staff = await signed_in("agency")
    project_id = await _project(staff)
    project = await Project.objects().where(Project.id == project_id).first()
    assert project.budget == Decimal("4800000.00") and project.agency == world.agency_id
    for kind in ("approval", "consultation", "acceptance"):
        assert (await post_form(staff, f"/projects/{project_id}/reviews", {"kind": kind})).status_code == 303
    reviews = await Review.select(Review.kind, Review.panel_source, Review.panel_size).where(
        Review.project == project_id).order_by(Review.id)
    assert [(r["kind"], r["panel_source"], r["panel_size"]) for r in reviews] == [
        ("approval", "own_library", 5), ("consultation", "finance_system", 3), ("acceptance", "own_library", 5)]
    page = await staff.get(f"/projects/{project_id}")
    assert "立项评审" in page.text and "竞争性磋商" in page.text and "评估验收" in page.text
    assert await AuditRecord.count().where(AuditRecord.action == "review.created") == 3
    # Scoping: another agency's staff get 404; the auditor reads.
    assert (await (await signed_in("agency2")).get(f"/projects/{project_id}")).status_code == 404
    assert (await (await signed_in("auditor")).get(f"/projects/{project_id}")).status_code == 200


async def test_bad_project_input_is_refused_with_messages(world, signed_in):
    staff = await signed_in("agency")
    response = await post_form(staff, "/projects/", {**PROJECT, "budget": "十万", "purchaser_credit_code": "123"})
    assert response.status_code == 400
    assert "不是有效金额" in response.text and "统一社会信用代码" in response.text
    assert await Project.count() == 0


async def test_consultation_composition_rules(world, signed_in):
    staff = await signed_in("agency")
    project_id = await _project(staff)
    await post_form(staff, f"/projects/{project_id}/reviews", {"kind": "consultation"})
    review = await Review.objects().where(Review.project == project_id).first()
    form = {"version": str(review.version), "title": review.title, "panel_size": "4", "purchaser_reps": "1",
            "alternates": "2", "max_per_org": "1", "invitation_hours": "24", "panel_source": "finance_system",
            "category": "gov_service", "price_weight": "30"}
    even = await post_form(staff, f"/reviews/{review.id}/settings", form)
    assert even.status_code == 400 and "3 人以上的单数" in even.text
    too_few_experts = await post_form(staff, f"/reviews/{review.id}/settings",
                                      {**form, "panel_size": "5", "purchaser_reps": "2"})
    assert too_few_experts.status_code == 400 and "三分之二" in too_few_experts.text
    url = f"/reviews/{review.id}/settings"
    no_rep = await post_form(staff, url, {**form, "panel_size": "3", "purchaser_reps": "0"})
    assert no_rep.status_code == 400 and "采购人代表" in no_rep.text
    own = await post_form(staff, url, {**form, "panel_size": "3", "panel_source": "own_library"})
    assert own.status_code == 400 and "财政政府采购评审专家库" in own.text
    assert (await Review.objects().where(Review.id == review.id).first()).version == review.version
    # 3 members is lawful, but the budget reaches the 公开招标 threshold: saved with a warning.
    ok = await post_form(staff, f"/reviews/{review.id}/settings", {**form, "panel_size": "3"})
    assert ok.status_code == 303
    page = await staff.get(f"/reviews/{review.id}")
    assert "公开招标数额标准" in page.text
    saved = await Review.objects().where(Review.id == review.id).first()
    assert saved.panel_size == 3 and saved.price_weight == Decimal("0.3000") and saved.version == review.version + 1
    stale = await post_form(staff, f"/reviews/{review.id}/settings", {**form, "panel_size": "5"})
    assert stale.status_code == 400 and "已被他人修改" in stale.text


async def test_rubric_from_a_template_and_bids(world, signed_in):
    staff = await signed_in("agency")
    project_id = await _project(staff)
    await post_form(staff, f"/projects/{project_id}/reviews", {"kind": "consultation"})
    review = await Review.objects().where(Review.project == project_id).first()
    lines = "服务方案|40|技术|主观||完整可行\n团队|20|商务|客观||\n业绩|10|商务|客观||"
    form = {"kind": "consultation", "name": "宣传服务磋商评分", "criteria": lines}
    created = await post_form(staff, "/rubrics/", form)
    assert created.status_code == 303
    template = await RubricTemplate.objects().first()
    applied = await post_form(staff, f"/reviews/{review.id}/rubric", {"template_id": str(template.id)})
    assert applied.status_code == 303
    criteria = await Criterion.select().where(Criterion.review == review.id).order_by(Criterion.position)
    assert [(c["name"], c["max_points"], c["group"], c["kind"]) for c in criteria] == [
        ("服务方案", Decimal("40.00"), "technical", "subjective"), ("团队", Decimal("20.00"), "business", "objective"),
        ("业绩", Decimal("10.00"), "business", "objective")]
    page = await staff.get(f"/reviews/{review.id}")
    assert "评分因素合计 70" in page.text and "价格分 30" in page.text
    veto = await post_form(staff, f"/reviews/{review.id}/criteria", {"name": "安全", "max_points": "5", "veto": "1"})
    assert veto.status_code == 400 and "否决项只用于评估验收" in veto.text
    bid = await post_form(staff, f"/reviews/{review.id}/bids", {
        "supplier_name": "云南安培咨询有限公司", "credit_code": "91530100MA6K5XY71B", "legal_representative": "张某",
        "final_quote": "398,000"})
    assert bid.status_code == 303
    row = await Bid.objects().where(Bid.review == review.id).first()
    assert row.final_quote == Decimal("398000.00") and row.credit_code == "91530100MA6K5XY71B"
    api = (await (await signed_in("auditor")).get(f"/api/reviews/{review.id}")).json()
    assert api["bids"][0]["final_quote"] == "398000.00" and len(api["criteria"]) == 3
