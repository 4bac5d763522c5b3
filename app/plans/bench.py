"""`python -m app.plans.bench` — a season plan of 500 reviews from 20,000 experts on SQLite, end to end.

prepare (经办人) → confirm (监督人) → solve (the background job, run here) → accept (seats and
invitations written for every review), each step timed; then the peak memory of the process.
The roster and reviews are inserted directly (seeded), in a fresh database in a temporary folder.
This module reads a clock; nothing else in app/plans does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

SPECIALTIES = [("safety", "安全生产", ""), ("safety.chemical", "危险化学品", "safety"),
               ("safety.mining", "矿山安全", "safety"), ("occupational_health", "职业卫生", ""),
               ("training", "宣传培训", ""), ("medicine", "临床医学", ""), ("management", "安全管理", ""),
               ("engineering", "工程技术", "")]
REGIONS = ["昆明市", "曲靖市", "玉溪市", "大理州", "红河州", "楚雄州", "昭通市", "保山市"]


def _setup_env(folder: str, url: str | None) -> None:
    os.environ["PINGSHEN_DATA_DIR"] = folder
    os.environ["PINGSHEN_SECRET_KEY"] = "bench-secret-key-0123456789abcdef"
    os.environ["PICCOLO_CONF"] = "app.piccolo_conf"
    os.environ["PINGSHEN_JOB_WORKERS"] = "0"
    os.environ["DATABASE_URL"] = url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"


async def _populate(experts: int, reviews: int, seed: int) -> tuple[int, int, list[int]]:
    from app.accounts.services import create_agency, create_user
    from app.reviews.tables import Criterion, Project, Review
    from app.roster.tables import Expert, Specialty

    rng = random.Random(seed)
    agency = await create_agency("云南省社会保险局", "云南省")
    staff = await create_user(username="staff", display_name="经办人", role="agency", password="bench-password-1",
                              agency_id=agency.id)
    supervisor = await create_user(username="super", display_name="监督人", role="supervisor",
                                   password="bench-password-1", agency_id=agency.id)
    await Specialty.insert(*[Specialty(code=c, name=n, parent_code=p) for c, n, p in SPECIALTIES])
    codes = [c for c, _, _ in SPECIALTIES]
    rows = []
    for i in range(experts):
        held = rng.sample(codes, rng.choice((1, 1, 2, 2, 3)))
        rows.append(Expert(
            name=f"专家{i:05d}", name_initials=f"zj{i}", gender="男", birth_year=1970 + i % 20,
            id_number=f"53{i:016d}", email=f"e{i}@example.cn", employer=f"单位{rng.randrange(experts // 4):05d}",
            title="高级工程师", level="高级", years_in_field=15, region=rng.choice(REGIONS),
            specialties=held, status="active"))
    for start in range(0, len(rows), 2000):
        await Expert.insert(*rows[start:start + 2000])
    review_ids = []
    for p in range(reviews // 5 + (1 if reviews % 5 else 0)):
        project = Project(agency=agency.id, code=f"GS-{p:04d}", name=f"工伤预防项目{p:04d}", key_industry="危险化学品",
                          budget=Decimal("300000"), purchaser_name=f"采购单位{p:04d}")
        await project.save()
        for k in range(min(5, reviews - len(review_ids))):
            need = rng.choice(codes)
            review = Review(project=project.id, agency=agency.id, kind="approval" if k % 2 == 0 else "acceptance",
                            title=f"评审{p:04d}-{k}", status="draft", panel_source="own_library", panel_size=5,
                            purchaser_reps=0, alternates=2, require={need: 2},
                            accept=sorted({need, rng.choice(codes), rng.choice(codes)}), max_per_org=1)
            await review.save()
            await Criterion(review=review.id, position=1, name="方案可行性", max_points=Decimal("100"),
                            group="technical", kind="subjective", guidance="").save()
            review_ids.append(review.id)
    return staff.id, supervisor.id, review_ids


async def _run(args: argparse.Namespace) -> dict[str, object]:
    from app.accounts.tables import User
    from app.migrations import migrate_all
    from app.panels.tables import Invitation, PanelSeat
    from app.plans import acceptance, services
    from app.plans.tables import Plan
    from app.state.queue import run_pending

    ok, message = await migrate_all()
    if not ok:
        raise SystemExit(message)
    t = time.perf_counter()
    staff_id, supervisor_id, review_ids = await _populate(args.experts, args.reviews, args.seed)
    populate = time.perf_counter() - t
    staff = await User.objects().where(User.id == staff_id).first()
    supervisor = await User.objects().where(User.id == supervisor_id).first()
    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    plan_id = await services.prepare_plan(staff, title="基准计划", mode=args.mode, review_ids=review_ids, q="0.5",
                                          load_cap=str(args.load_cap), yearly_cap="6")
    steps["prepare"] = time.perf_counter() - t0
    t = time.perf_counter()
    await services.confirm_plan(supervisor, plan_id)
    steps["confirm"] = time.perf_counter() - t
    t = time.perf_counter()
    await run_pending()
    steps["solve_job"] = time.perf_counter() - t
    plan = await Plan.select(Plan.status, Plan.output, Plan.explanation, Plan.error).where(
        Plan.id == plan_id).output(load_json=True).first()
    if plan["status"] != "solved":
        raise SystemExit(f"plan {plan['status']}: {plan['error'] or json.dumps(plan['explanation'])[:2000]}")
    t = time.perf_counter()
    staffed = await acceptance.accept_plan(staff, plan_id)
    steps["accept"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    stats = plan["output"]["stats"]
    return {
        "engine": "sqlite" if os.environ["DATABASE_URL"].startswith("sqlite") else "postgresql",
        "mode": args.mode, "experts": args.experts, "reviews": args.reviews, "staffed": staffed,
        "seats": await PanelSeat.count(), "invitations": await Invitation.count(),
        "populate_seconds": round(populate, 1), **{f"{k}_seconds": round(v, 2) for k, v in steps.items()},
        "total_seconds": round(total, 2), "solver_seconds": stats["seconds"], "objective": stats["objective"],
        "gap": stats["gap"], "max_load": stats["max_load"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experts", type=int, default=20_000)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--mode", default="balanced", choices=("balanced", "randomized", "best_match"))
    parser.add_argument("--load-cap", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pingshen-plan-bench-") as folder:
        _setup_env(folder, args.database_url)
        result = asyncio.run(_run(args))
    print(json.dumps(result, ensure_ascii=False))
    print(f"plan of {result['reviews']} reviews from {result['experts']:,} experts ({result['mode']}, "
          f"{result['engine']}): prepare → confirm → solve → seats and invitations in {result['total_seconds']} s, "
          f"peak RSS {result['peak_rss_mb']} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
