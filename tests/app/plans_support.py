"""Set-up for the season plan tests: a roster and several 立项/验收 reviews ready to be staffed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.reviews import services
from app.reviews.tables import Criterion
from tests.app.panels_support import actor, add_experts, set_panel


async def ready_reviews(world: Any, count: int = 4, *, size: str = "3", require: str = "safety.chemical:1",
                        accept: str = "safety, occupational_health", alternates: str = "1",
                        purchaser: str = "昆明市社会保险局") -> list[int]:
    """`count` reviews (alternately 立项 and 验收) with composition and a one-line rubric; their ids."""
    staff = await actor(world, "agency")
    project = await services.create_project(staff, services.ProjectInput(
        name="2026年工伤预防项目", code="GS-2026-09", key_industry="危险化学品", budget="200000",
        purchaser_name=purchaser, purchaser_credit_code=""))
    ids = []
    for i in range(count):
        review = await services.create_review(staff, project.id, kind="approval" if i % 2 == 0 else "acceptance",
                                              title=f"计划评审{i + 1}")
        await set_panel(world, review.id, panel_size=size, alternates=alternates, require=require, accept=accept)
        await Criterion(review=review.id, position=1, name="方案可行性", max_points=Decimal("100"),
                        group="technical", kind="subjective", guidance="可行").save()
        ids.append(review.id)
    return ids


async def roster(chemical: int = 10, health: int = 14) -> list[int]:
    return await add_experts([["safety.chemical"]] * chemical + [["occupational_health"]] * health)


async def solved_plan(world: Any, count: int = 2) -> int:
    """A plan of `count` fresh reviews, prepared, confirmed and solved (the job run here); its id."""
    from app.plans import services as plans
    from app.state.queue import run_pending

    reviews = await ready_reviews(world, count)
    plan_id = await plans.prepare_plan(await actor(world, "agency"), title="测试计划", mode="balanced",
                                       review_ids=reviews)
    await plans.confirm_plan(await actor(world, "supervisor"), plan_id)
    await run_pending()
    return plan_id
