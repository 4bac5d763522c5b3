"""Benchmark: import 20,000 experts from .xlsx, then a 回避 check of all of them against 10 bidders.

    .venv/bin/python -m app.roster.bench [--experts 20000] [--bidders 10]

Runs against a temporary SQLite database (never the real one) and prints its figures; goals:
import < 10 s, conflict check < 0.5 s. Figures are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path


def _isolate() -> Path:
    # Before any app import: Piccolo binds tables to the engine named by the environment.
    folder = Path(tempfile.mkdtemp(prefix="pingshen-bench-"))
    os.environ["PINGSHEN_DATA_DIR"] = str(folder)
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite'}"
    os.environ["PICCOLO_CONF"] = "app.piccolo_conf"
    os.environ.setdefault("PINGSHEN_SECRET_KEY", "bench-only-secret-key")
    return folder


async def run(experts: int, bidders: int, seed: int) -> dict[str, float]:
    import contextlib
    import io

    from app.audit.services import SYSTEM
    from app.conflicts import services as conflicts
    from app.conflicts.engine import Bidder, PanelContext
    from app.migrations import migrate_all
    from app.roster import importer
    from app.roster.sample import demo_workbook
    from app.roster.specialties import ensure_defaults
    from app.roster.tables import Employment, Expert, Holding, Relative

    with contextlib.redirect_stdout(io.StringIO()):
        ok, message = await migrate_all()
    assert ok, message
    await ensure_defaults(SYSTEM)
    started = time.perf_counter()
    content = demo_workbook(experts, seed)
    figures = {"workbook_s": time.perf_counter() - started, "workbook_mb": len(content) / 1e6}

    started = time.perf_counter()
    report = await importer.commit(SYSTEM, content, "bench.xlsx")
    figures["import_s"] = time.perf_counter() - started
    assert report.ok and report.imported == experts, report.as_dict()["problems"][:5]

    # The data 回避 reads besides the employer: history, posts and relatives for part of the roster.
    rng = random.Random(seed)
    rows = await Expert.select(Expert.id, Expert.employer)
    employers = sorted({r["employer"] for r in rows})
    today = dt.date.today()
    history = [Employment(expert=r["id"], org_name=rng.choice(employers), start_date=today.replace(year=2010),
                          end_date=today - dt.timedelta(days=rng.randint(30, 3000))) for r in rows[::2]]
    posts = [Holding(expert=r["id"], kind=rng.choice(["director", "shareholder"]), org_name=rng.choice(employers))
             for r in rows[::10]]
    relatives = [Relative(expert=r["id"], relation="配偶", name=f"亲属{i}", employer=rng.choice(employers))
                 for i, r in enumerate(rows[::5])]
    for table, items in ((Employment, history), (Holding, posts), (Relative, relatives)):
        for start in range(0, len(items), 500):
            await table.insert(*items[start:start + 500])
    panel = PanelContext(
        purchaser_name="昆明市社会保险局",
        bidders=tuple(Bidder(name, legal_representative=f"亲属{k * 7}") for k, name in
                      enumerate(rng.sample(employers, bidders))),
        project_id=1, on_date=today)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        found = await conflicts.find_conflicts(panel)
        timings.append(time.perf_counter() - started)
    figures["check_s"] = min(timings)
    figures["check_median_s"] = sorted(timings)[2]
    figures["conflicted"] = len(found)
    started = time.perf_counter()
    pool, _ = await conflicts.eligible_pool(panel)
    figures["pool_s"] = time.perf_counter() - started
    figures["pool"] = len(pool)
    figures["ties"] = experts + len(history) + len(posts) + 2 * len(relatives)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experts", type=int, default=20_000)
    parser.add_argument("--bidders", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    folder = _isolate()
    f = asyncio.run(run(args.experts, args.bidders, args.seed))
    print(f"临时数据库 temporary database: {folder / 'bench.sqlite'}")
    print(f"workbook  : {args.experts} rows, {f['workbook_mb']:.1f} MB, generated in {f['workbook_s']:.1f} s")
    print(f"import    : {f['import_s']:.2f} s  (parse + validate every row + all-or-nothing insert; goal < 10 s)")
    print(f"回避 check : {f['check_s'] * 1000:.0f} ms best, {f['check_median_s'] * 1000:.0f} ms median of 5 "
          f"({args.experts} experts, {f['ties']} ties, {args.bidders} bidders; {f['conflicted']} conflicted; "
          f"goal < 500 ms)")
    print(f"draw pool : {f['pool_s'] * 1000:.0f} ms ({f['pool']} drawable without conflict)")


if __name__ == "__main__":
    main()
