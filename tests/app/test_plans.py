"""Season plans (评审计划): prepare → 监督人 confirms → solve (job) → result → accept; replay; scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from app.audit.tables import AuditRecord
from app.panels import drawing
from app.panels.tables import Draw, Invitation, PanelSeat
from app.plans import acceptance, services
from app.plans.services import PlanError
from app.plans.tables import Plan, PlanReview
from app.state.queue import run_pending
from tests.app.helpers import post_form
from tests.app.panels_support import actor
from tests.app.plans_support import ready_reviews, roster


async def _prepared(world, reviews, mode="balanced", **kw) -> int:
    return await services.prepare_plan(await actor(world, "agency"), title="2026年春季评审计划", mode=mode,
                                       review_ids=reviews, **kw)


async def _solved(world, reviews, mode="balanced", **kw) -> dict:
    plan_id = await _prepared(world, reviews, mode, **kw)
    await services.confirm_plan(await actor(world, "supervisor"), plan_id)
    assert await run_pending() >= 1
    return await Plan.select().where(Plan.id == plan_id).output(load_json=True).first()


def _invariants(plan: dict) -> None:
    """No conflicted expert on a panel, loads within caps (prior included), quotas met, sizes right."""
    data, out = plan["input"], plan["output"]
    experts = {e["id"]: e for e in data["experts"]}
    conflicts = {(e, p) for e, p in data["conflicts"]}
    load: dict[int, int] = {}
    for panel, spec in zip(out["panels"], data["panels"], strict=True):
        assert panel["id"] == spec["id"]
        assert len(panel["members"]) == spec["size"] and len(panel["alternates"]) == spec["alternates"]
        everyone = [*panel["members"], *panel["alternates"]]
        assert len(set(everyone)) == len(everyone)
        assert not [e for e in everyone if (e, spec["id"]) in conflicts]
        assert not [e for e in everyone if experts[e]["org"] in spec["exclude_orgs"]]
        orgs = [experts[e]["org"] for e in everyone]
        assert max(orgs.count(o) for o in orgs) <= data["rules"]["max_per_org"]
        for code, count in spec["require"].items():
            assert sum(code in experts[e]["specialties"] for e in panel["members"]) >= count
        for e in panel["members"]:
            load[e] = load.get(e, 0) + 1
    for e, n in load.items():
        assert n <= data["rules"]["load_cap"]
        assert n + experts[e]["prior_load"] <= data["rules"]["yearly_cap"]


@pytest.mark.parametrize("mode", ["balanced", "randomized", "best_match"])
async def test_plan_solves_within_every_rule(world, mode):
    await roster()
    reviews = await ready_reviews(world, 4)
    plan = await _solved(world, reviews, mode, q="0.5", load_cap="2")
    assert plan["status"] == "solved", plan["error"] or plan["explanation"]
    assert plan["seed"] is not None and plan["output"]["seed"] == plan["seed"]
    assert plan["output"]["input_sha256"] == plan["input_sha256"]
    _invariants(plan)
    assert plan["baseline"]["stats"]["objective"] >= 0  # the plain draw of the same plan, for comparison
    if mode == "randomized":
        probs = [p for rows in plan["probabilities"].values() for _, p in rows]
        assert probs and max(probs) <= 0.5 + 1e-9
        assert set(plan["probabilities"]) == {f"review-{r}" for r in reviews}
    if mode == "balanced":
        # 4 panels × 3 seats = 12 seats over 24 experts: nobody needs a second seat.
        assert plan["output"]["stats"]["max_load"] == 1


async def test_prior_load_and_yearly_cap_count(world, signed_in):
    experts = await roster(chemical=5, health=7)
    first = await ready_reviews(world, 1)
    plan = await _solved(world, first)
    await acceptance.accept_plan(await actor(world, "agency"), plan["id"])
    seated = {s["expert"] for s in await PanelSeat.select().where(PanelSeat.role == "member")}
    assert len(seated) == 3
    more = await ready_reviews(world, 2)
    plan2 = await _solved(world, more, yearly_cap="1", load_cap="1")
    priors = {e["id"]: e["prior_load"] for e in plan2["input"]["experts"]}
    assert {e for e, n in priors.items() if n} == seated
    assert plan2["status"] == "solved", plan2["explanation"]
    _invariants(plan2)
    used = {e for p in plan2["output"]["panels"] for e in (*p["members"], *p["alternates"])}
    assert not used & seated  # at the yearly cap: neither member nor alternate
    assert len(experts) == 12 and plan2["status"] == "solved"


async def test_conflict_applies_per_panel_to_members_and_alternates(world):
    await roster()
    reviews = await ready_reviews(world, 2)
    other = await ready_reviews(world, 1, purchaser="单位003")  # expert 3's employer buys this review
    plan = await _solved(world, [*reviews, *other])
    assert plan["status"] == "solved"
    panel = next(p for p in plan["output"]["panels"] if p["id"] == f"review-{other[0]}")
    spec = next(p for p in plan["input"]["panels"] if p["id"] == f"review-{other[0]}")
    assert "单位003" in spec["exclude_orgs"]
    orgs = {e["id"]: e["org"] for e in plan["input"]["experts"]}
    assert "单位003" not in {orgs[e] for e in (*panel["members"], *panel["alternates"])}
    _invariants(plan)


async def test_supervisor_window_and_roles(world, signed_in):
    await roster()
    reviews = await ready_reviews(world, 2)
    plan_id = await _prepared(world, reviews)
    plan = await Plan.select().where(Plan.id == plan_id).first()
    assert plan["seed"] is None and len(plan["input_sha256"]) == 64 and len(plan["pool_sha256"]) == 64
    with pytest.raises(PlanError) as refused:
        await services.confirm_plan(await actor(world, "agency"), plan_id)
    assert refused.value.status_code == 403
    staff = await signed_in("agency")
    response = await post_form(staff, f"/plans/{plan_id}/confirm")
    assert response.status_code == 403
    await Plan.update({Plan.confirm_by: dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)}).where(Plan.id == plan_id)
    supervisor = await signed_in("supervisor")
    late = await post_form(supervisor, f"/plans/{plan_id}/confirm")
    assert late.status_code == 409 and "确认时限" in late.text
    assert (await Plan.select(Plan.status, Plan.seed).where(Plan.id == plan_id).first()) == {
        "status": "cancelled", "seed": None}
    # The reviews are free again for a new plan.
    assert {r["id"] for r in await services.ready_reviews(await actor(world, "agency"))} == set(reviews)


async def test_pages_prepare_confirm_result_accept_replay(world, signed_in):
    await roster()
    reviews = await ready_reviews(world, 4)
    staff = await signed_in("agency")
    page = await staff.get("/plans/")
    assert page.status_code == 200 and "计划评审1" in page.text
    bad = await post_form(staff, "/plans/", {"title": "", "mode": "randomized", "q": "0", "load_cap": "2",
                                             "yearly_cap": "6", "reviews": [str(r) for r in reviews]})
    assert bad.status_code == 400 and "请填写计划名称" in bad.text and "概率上限" in bad.text
    assert not await Plan.exists()
    made = await post_form(staff, "/plans/", {"title": "春季", "mode": "balanced", "q": "", "load_cap": "2",
                                              "yearly_cap": "6", "reviews": [str(r) for r in reviews]})
    assert made.status_code == 303
    plan_id = int(made.headers["location"].rsplit("/", 1)[1])
    supervisor = await signed_in("supervisor")
    assert (await post_form(supervisor, f"/plans/{plan_id}/confirm")).status_code == 303
    solving = await supervisor.get(f"/plans/{plan_id}")
    assert "正在求解" in solving.text and "/js/plans.js" in solving.text
    progress = await supervisor.get(f"/api/plans/{plan_id}/progress")
    assert progress.json()["status"] == "solving"
    await run_pending()
    assert (await supervisor.get(f"/api/plans/{plan_id}/progress")).json() == {
        "status": "solved", "percent": 100, "message": "求解完成"}
    result = await staff.get(f"/plans/{plan_id}")
    assert "<svg" in result.text and "专家负荷分布" in result.text and "普通随机抽取" in result.text
    assert "供需对比" in result.text and "危险化学品" in result.text
    assert not await Invitation.exists()  # nothing sent before acceptance
    accepted = await post_form(staff, f"/plans/{plan_id}/accept")
    assert accepted.status_code == 303
    for review_id in reviews:
        draw = await Draw.select().where(Draw.review == review_id).output(load_json=True).first()
        assert draw["status"] == "confirmed" and draw["output"]["plan_id"] == plan_id
        assert [p["id"] for p in draw["output"]["panels"]] == [f"review-{review_id}"]
        assert draw["input"] == {"season_plan": plan_id, "panel": f"review-{review_id}"}  # one copy, on the plan
        assert draw["input_sha256"] == (await Plan.select(Plan.input_sha256).where(Plan.id == plan_id).first())[
            "input_sha256"]
        record = await supervisor.get(f"/panels/draws/{draw['id']}")
        assert record.status_code == 200 and draw["input_sha256"] in record.text
        members = await PanelSeat.select().where((PanelSeat.review == review_id) & (PanelSeat.role == "member"))
        assert len(members) == 3 and all(m["state"] == "invited" for m in members)
        assert await Invitation.count().where(Invitation.review == review_id) == 3
        link = await PlanReview.select(PlanReview.draw).where(PlanReview.review == review_id).first()
        assert link["draw"] == draw["id"]
        # Each panel replays alone through the ordinary draw replay.
        replayed = await drawing.replay_draw(await actor(world, "auditor"), draw["id"])
        assert replayed["ok"] and replayed["panels_equal"]
    replay = await supervisor.get(f"/plans/{plan_id}/replay")
    assert replay.status_code == 200 and "复核结果：一致" in replay.text and "不一致" not in replay.text
    actions = {r["action"] for r in await AuditRecord.select(AuditRecord.action)}
    assert {"plan.prepared", "plan.confirmed", "plan.solved", "plan.accepted", "plan.replayed"} <= actions


async def test_replay_detects_a_changed_result(world):
    await roster()
    reviews = await ready_reviews(world, 2)
    plan = await _solved(world, reviews)
    out = plan["output"]
    out["panels"][0]["alternates"] = [*list(reversed(out["panels"][0]["alternates"])), 999999]
    await Plan.update({Plan.output: out}).where(Plan.id == plan["id"])
    from app.plans.replay import replay_plan

    result = await replay_plan(await actor(world, "auditor"), plan["id"])
    assert result["input_ok"] and not result["plan_equal"] and not result["ok"]
    assert [p["equal"] for p in result["panels"]] == [False, True]


async def test_infeasible_plan_explains_itself(world, signed_in):
    await roster(chemical=2, health=14)
    reviews = await ready_reviews(world, 4, require="safety.chemical:1")
    plan = await _solved(world, reviews, load_cap="1")  # 4 chemical seats, 2 holders, one seat each
    assert plan["status"] == "infeasible"
    page = await (await signed_in("agency")).get(f"/plans/{plan['id']}")
    assert page.status_code == 200 and "无可行方案" in page.text
    assert "危险化学品" in page.text and "缺" in page.text
    assert "可行的放宽办法" in page.text and "提高" in page.text


async def test_agency_scoping(world, signed_in):
    await roster()
    reviews = await ready_reviews(world, 2)
    plan_id = await _prepared(world, reviews)
    other = await signed_in("agency2")
    assert (await other.get(f"/plans/{plan_id}")).status_code == 404
    assert f"/plans/{plan_id}" not in (await other.get("/plans/")).text
    refused = await post_form(other, "/plans/", {"title": "x", "mode": "balanced", "load_cap": "2",
                                                 "yearly_cap": "6", "reviews": [str(r) for r in reviews]})
    assert refused.status_code == 400 and "不可纳入计划" in refused.text


async def test_accept_staffs_the_others_when_one_review_moved_on(world):
    from app.reviews.tables import Review

    await roster()
    reviews = await ready_reviews(world, 3)
    plan = await _solved(world, reviews)
    await Review.update({Review.status: "terminated"}).where(Review.id == reviews[1])
    with pytest.raises(PlanError) as refused:
        await acceptance.accept_plan(await actor(world, "agency"), plan["id"])
    assert refused.value.status_code == 409 and "已为 2 个评审组建小组" in refused.value.errors["plan"]
    staffed = {r["review"] for r in await Draw.select(Draw.review)}
    assert staffed == {reviews[0], reviews[2]}
    assert not await PanelSeat.exists().where(PanelSeat.review == reviews[1])
