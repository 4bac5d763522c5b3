"""Where a draft save's time goes: queries per save, time per phase, and a cProfile summary.

Runs the real app in this process (httpx's ASGI transport, no network, one event loop) against a
fresh database, signs one expert in, and saves the same kind of draft the score page autosaves.

    .venv/bin/python -m tests.load.profile_save --saves 200            # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingshen_profile .venv/bin/python -m tests.load.profile_save
(the PostgreSQL database must exist and be empty; it is migrated first).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
logging.getLogger("httpx").setLevel(logging.WARNING)
os.environ.setdefault("PINGSHEN_SECRET_KEY", "profile-only-secret-key-0123456789")
os.environ.setdefault("PINGSHEN_DATA_DIR", tempfile.mkdtemp(prefix="pingshen-profile-"))


class QueryCounter:
    """Counts the queries the engine runs, by kind (select/insert/update/delete/other)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def install(self, engine: Any) -> None:
        cls = type(engine)
        original = cls.run_querystring
        counts = self.counts

        async def counted(self: Any, querystring: Any, in_pool: bool = False) -> Any:
            counts[str(querystring).lstrip().split(" ", 1)[0].lower()] += 1
            return await original(self, querystring, in_pool=in_pool)

        cls.run_querystring = counted  # the engine has __slots__: patch its class, in this process only


async def run(saves: int, profile: bool) -> None:
    import httpx

    from app.db import engine
    from app.migrations import migrate_all
    from app.server import create_app
    from tests.load.seed import seed

    ok, message = await migrate_all()
    assert ok, message
    plan = await seed(experts=1, panel_size=1)
    review = plan["reviews"][0]
    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://profile") as client:
        await client.get("/login")
        token = client.cookies["csrftoken"]
        response = await client.post("/login", data={"username": review["experts"][0], "password": plan["password"],
                                                     "_csrf_token": token})
        assert response.status_code in (200, 303), response.text
        token = client.cookies["csrftoken"]  # sign-in issues the new session's token
        response = await client.post(f"/scoring/reviews/{review['id']}/declaration",
                                     data={"conflict": "no", "pledge": "yes", "_csrf_token": token})
        response = await client.get(f"/scoring/reviews/{review['id']}/sheet", follow_redirects=False)
        sheet_id = int(response.headers["location"].rsplit("/", 1)[1])
        version = (await client.get(f"/api/scoring/sheets/{sheet_id}")).json()["version"]
        scores = [{"bid": b, "criterion": c["id"], "value": "1.5"} for b in review["bids"] for c in review["criteria"]]
        counter = QueryCounter()
        counter.install(engine())
        times = []
        profiler = cProfile.Profile() if profile else None
        for n in range(saves):
            scores[n % len(scores)]["value"] = str(n % 2 + 1)
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            response = await client.post(f"/api/scoring/sheets/{sheet_id}/draft",
                                         json={"version": version, "scores": scores},
                                         headers={"x-csrftoken": token})
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201), response.text
            version = response.json()["version"]
    times.sort()
    db = "PostgreSQL" if not engine().engine_type == "sqlite" else "SQLite"
    print(f"{db}: {saves} draft saves of {len(scores)} scores, in-process (no network)")
    print(f"  p50 {statistics.median(times):.1f} ms  p95 {times[int(len(times) * 0.95) - 1]:.1f} ms  "
          f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms  mean {statistics.fmean(times):.1f} ms")
    per_save = {k: round(v / saves, 1) for k, v in counter.counts.items()}
    print(f"  queries per save: {sum(counter.counts.values()) / saves:.1f} {per_save}")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        Path(os.environ["PINGSHEN_DATA_DIR"], "profile.txt").write_text(out.getvalue())
        print(f"  cProfile (cumulative) in {os.environ['PINGSHEN_DATA_DIR']}/profile.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="also write a cProfile summary")
    args = parser.parse_args()
    asyncio.run(run(args.saves, args.profile))


if __name__ == "__main__":
    main()
