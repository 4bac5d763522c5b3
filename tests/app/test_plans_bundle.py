"""A review staffed by a season plan: its bundle carries the plan and `pingshen verify` replays it."""

from __future__ import annotations

import copy

from app.exports.collect import review_bundle
from app.plans import acceptance
from app.plans.tables import PlanReview
from tests.app.panels_support import actor
from tests.app.plans_support import roster, solved_plan
from tests.app.test_exports_fixtures import run_verify


async def test_bundle_has_the_plan_and_verify_replays_it(world, tmp_path):
    await roster()
    plan_id = await solved_plan(world, 3)
    assert await acceptance.accept_plan(await actor(world, "agency"), plan_id) == 3
    review_id = (await PlanReview.select(PlanReview.review).where(PlanReview.plan == plan_id)
                 .order_by(PlanReview.review).first())["review"]
    raw = await review_bundle(review_id)
    (plan,) = raw["plan"]
    assert plan["id"] == plan_id and plan["panel_id"] == f"review-{review_id}" and len(plan["output"]["panels"]) == 3
    (draw,) = raw["draws"]
    assert draw["output"]["plan_id"] == plan_id and draw["seed"] == plan["seed"]
    done = run_verify(raw, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "评审计划 plan" in done.stdout and "整个计划重放" in done.stdout

    # Another panel of the plan changed: the plan no longer replays (this review's own draw still does).
    other = copy.deepcopy(raw)
    panels = other["plan"][0]["output"]["panels"]
    mine = next(i for i, p in enumerate(panels) if p["id"] == plan["panel_id"])
    panels[(mine + 1) % 3]["members"].reverse()
    bad = run_verify(other, tmp_path, "changed.json")
    assert bad.returncode != 0
    assert "整个计划重放" in bad.stdout and "重放结果与记录不同" in bad.stdout

    # A different seed on the plan: named, and the replay fails.
    seeded = copy.deepcopy(raw)
    seeded["plan"][0]["seed"] += 1
    bad = run_verify(seeded, tmp_path, "seed.json")
    assert bad.returncode != 0 and "随机种子 seed" in bad.stdout
