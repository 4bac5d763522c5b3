"""Seed a load-test database through the app's own services, and write the plan Locust reads.

One agency with a 经办人 and an auditor, N experts with sign-in accounts, and one open 磋商
review per panel of `panel_size` experts (three bids, the agency's consultation template), so
every simulated expert has a real review to declare on and a real sheet to score.

Run it with the server's environment (DATABASE_URL, PINGSHEN_DATA_DIR) after `pingshen migrate`:
    python -m tests.load.seed --experts 200 --out plan.json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")

PASSWORD = "Load-Test-Passw0rd!"


async def seed(experts: int, panel_size: int = 5) -> dict[str, Any]:
    from app.accounts import services as accounts
    from app.accounts.passwords import hash_password
    from app.accounts.services import create_agency, create_user
    from app.audit import services as audit
    from app.audit.services import SYSTEM
    from app.db import write_tx
    from app.demo import make_experts
    from app.panels.tables import PanelSeat
    from app.reviews import bids, rubrics, services
    from app.reviews.tables import Criterion, Review, ReviewStatus
    from app.roster.specialties import ensure_defaults
    from app.roster.tables import Expert

    # Every load account has the same password: hash it once (Argon2 at the production cost, so
    # sign-ins verify at that cost) instead of once per account, which took minutes on a busy machine.
    # LOAD_HASH_PROFILE=CHEAPEST (run.py --cheap-hash) isolates the scoring path from Argon2's cost.
    profile = os.environ.get("LOAD_HASH_PROFILE", "")
    if profile:
        from argon2 import PasswordHasher, profiles

        one_hash = PasswordHasher.from_parameters(getattr(profiles, profile)).hash(PASSWORD)
    else:
        one_hash = hash_password(PASSWORD)
    accounts.hash_password = lambda password: one_hash if password == PASSWORD else hash_password(password)
    async with write_tx():
        await ensure_defaults(SYSTEM)
    agency = await create_agency("压力测试社会保险局", "昆明市", actor=SYSTEM)
    staff = await create_user(username="load_staff", display_name="压测经办", role="agency", password=PASSWORD,
                              agency_id=agency.id, actor=SYSTEM)
    await create_user(username="load_auditor", display_name="压测审计", role="auditor", password=PASSWORD,
                      actor=SYSTEM)
    rows = make_experts(experts, seed=16)
    async with write_tx():
        await Expert.insert(*[Expert(**row) for row in rows])
        await audit.record(actor=SYSTEM, action="roster.imported", object_type="expert", object_id="load",
                           new={"count": len(rows), "source": "load-test"})
    expert_ids = [r["id"] for r in await Expert.select(Expert.id).order_by(Expert.id).limit(experts)]
    project = await services.create_project(staff, services.ProjectInput(
        name="压力测试项目", code="LOAD-2026", budget="1000000", purchaser_name="压力测试社会保险局"))
    templates = await rubrics.list_templates(staff, "consultation")
    plan: dict[str, Any] = {"password": PASSWORD, "staff": "load_staff", "auditor": "load_auditor", "reviews": []}
    for start in range(0, len(expert_ids), panel_size):
        panel = expert_ids[start : start + panel_size]
        review = await services.create_review(staff, project.id, kind="consultation",
                                              title=f"压测磋商 {start // panel_size + 1}")
        await services.update_settings(staff, review.id, services.SettingsInput(
            version=str(review.version), title=review.title, location="压测会议室", scheduled_at="2026-12-01T09:00",
            panel_size=str(max(3, len(panel) | 1)), purchaser_reps="1", alternates="0", max_per_org="5",
            invitation_hours="24", panel_source="finance_system", category="gov_service", price_weight="30"))
        if templates:
            await rubrics.apply_template(staff, review.id, templates[0]["id"])
        else:
            for name, points in (("服务方案", "40"), ("项目团队", "20"), ("服务承诺", "10")):
                await rubrics.add_criterion(staff, review.id, rubrics.CriterionInput(name=name, max_points=points))
        for n, quote in enumerate(("356000", "342500", "371800"), 1):
            await bids.add_bid(staff, review.id, bids.BidInput(supplier_name=f"压测供应商{n}有限公司",
                                                               final_quote=quote))
        usernames = []
        async with write_tx():
            for seat_no, expert_id in enumerate(panel, 1):
                username = f"load_ex{expert_id}"
                usernames.append((username, expert_id, seat_no))
            await Review.update({Review.status: ReviewStatus.OPEN.value, Review.opened_at: dt.datetime.now(dt.UTC),
                                 Review.version: Review.version + 1}).where(Review.id == review.id)
            await audit.record(actor=SYSTEM, action="review.opened", object_type="review", object_id=review.id,
                               agency_id=agency.id, new={"status": "open", "source": "load-test"})
        members = []
        for username, expert_id, seat_no in usernames:
            user = await create_user(username=username, display_name=f"压测专家{expert_id}", role="expert",
                                     password=PASSWORD, actor=SYSTEM)
            async with write_tx():
                await Expert.update({Expert.user: user.id}).where(Expert.id == expert_id)
                await PanelSeat.insert(PanelSeat(review=review.id, expert=expert_id, role="member",
                                                 state="accepted", seat_no=seat_no, source="import"))
                await audit.record(actor=SYSTEM, action="expert.account_linked", object_type="expert",
                                   object_id=expert_id, new={"user_id": user.id, "seat_review": review.id})
            members.append(username)
        criteria = await Criterion.select(Criterion.id, Criterion.max_points).where(
            Criterion.review == review.id).order_by(Criterion.position)
        bid_rows = await bids.list_bids(review.id)
        plan["reviews"].append({
            "id": review.id, "experts": members, "bids": [b["id"] for b in bid_rows],
            "criteria": [{"id": c["id"], "max": str(c["max_points"])} for c in criteria]})
    return plan


async def _seed_pooled(experts: int, panel_size: int) -> dict[str, Any]:
    from app.db import connections

    async with connections():  # the PostgreSQL pool: a new connection per query made seeding take minutes
        return await seed(experts, panel_size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--panel-size", type=int, default=5)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    plan = asyncio.run(_seed_pooled(args.experts, args.panel_size))
    args.out.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"seeded {sum(len(r['experts']) for r in plan['reviews'])} experts on {len(plan['reviews'])} reviews")


if __name__ == "__main__":
    main()
