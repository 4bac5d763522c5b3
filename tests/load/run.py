"""One command for a load run: a fresh database, seeded through the app's services, a real
server (N workers), Locust headless against it, then throughput, latency percentiles and a check
that every acknowledged save is in the database.

    pip install -e '.[load]'
    .venv/bin/python -m tests.load.run --scenario scoring --users 200 --duration 60            # SQLite, 1 process
    .venv/bin/python -m tests.load.run --db postgres --workers 2 --scenario scoring --users 200
    .venv/bin/python -m tests.load.run --scenario signin --users 200                           # the 9:00 storm
    .venv/bin/python -m tests.load.run --scenario auditor --users 100                          # 2 auditors downloading
    .venv/bin/python -m tests.load.run --db postgres --workers 2 --scenario saturation --rates 100,200,300,400

PostgreSQL: --pg-url (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a
database `pingshen_load` is dropped and created on it. Traffic goes to 127.0.0.1 only, and
every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable
LOCUST = str(Path(PY).with_name("locust"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _recreate_pg(url: str, name: str) -> str:
    import asyncpg

    parsed = urlparse(url)
    conn = await asyncpg.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                                 user=parsed.username or "postgres", password=parsed.password,
                                 database=(parsed.path or "/postgres").lstrip("/") or "postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunparse(parsed._replace(path=f"/{name}"))


def _environment(args: argparse.Namespace, data: Path) -> dict[str, str]:
    env = {**os.environ, "PINGSHEN_DATA_DIR": str(data), "PINGSHEN_SECRET_KEY": "load-test-secret-key-0123456789ab",
           "PICCOLO_CONF": "app.piccolo_conf", "PINGSHEN_DB_POOL": str(args.pool)}
    env.pop("PINGSHEN_PASSWORD_HASH_PROFILE", None)  # Argon2 at the library's default cost, as in production
    if args.cheap_hash:
        env["LOAD_HASH_PROFILE"] = "CHEAPEST"
    if args.db == "postgres":
        env["DATABASE_URL"] = asyncio.run(_recreate_pg(args.pg_url, "pingshen_load"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{data / 'load.sqlite'}"
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def _start_server(args: argparse.Namespace, env: dict[str, str], data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    log = (data / "server.log").open("wb")
    server = subprocess.Popen([PY, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(args.workers),
                               "--no-access-log", "--proxy"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited:\n{(data / 'server.log').read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("server did not answer within 90 s")


def _locust(args: argparse.Namespace, env: dict[str, str], url: str, data: Path, users: int, duration: int,
            extra: dict[str, str], prefix: str) -> list[dict[str, str]]:
    acks = data / "acks"
    acks.mkdir(exist_ok=True)
    locust_env = {**env, "LOAD_PLAN": str(data / "plan.json"), "LOAD_SCENARIO": args.scenario,
                  "LOAD_ACKS": str(acks), **extra}
    spawn = str(min(users, args.spawn_rate))
    cmd = [LOCUST, "-f", str(HERE / "locustfile.py"), "--headless", "--host", url, "-u", str(users), "-r", spawn,
           "-t", f"{duration}s", "--stop-timeout", "10", "--csv", str(data / prefix), "--only-summary",
           "--loglevel", "WARNING"]
    result = subprocess.run(cmd, cwd=ROOT, env=locust_env, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"locust failed:\n{result.stderr[-3000:]}")
    with (data / f"{prefix}_stats.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _print_stats(rows: list[dict[str, str]], seconds: float) -> None:
    print(f"{'request':<34} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  (ms)")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(f"{name[:34]:<34} {row['Request Count']:>7} {row['Failure Count']:>5} "
              f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
              f"{float(row['Max Response Time']):>7.0f}")


async def _check_acks(acks: Path) -> tuple[int, list[str]]:
    """Every sheet's last acknowledged save (or submission) must be what the database holds."""
    from app.scoresheets.sheets import two_places
    from app.scoresheets.tables import Score, ScoreSheet

    problems: list[str] = []
    checked = 0
    for path in sorted(acks.glob("*.json")):
        ack = json.loads(path.read_text())
        sheet = await ScoreSheet.select(ScoreSheet.version, ScoreSheet.status).where(
            ScoreSheet.id == ack["sheet"]).first()
        scores = {f"{s['bid']}-{s['criterion']}": two_places(s["value"])
                  for s in await Score.select().where(Score.sheet == ack["sheet"])}
        expected = {k: two_places(v) for k, v in ack["values"].items()}
        checked += 1
        if ack["state"] == "submitted" and sheet["status"] != "submitted":
            problems.append(f"sheet {ack['sheet']}: submission acknowledged, status {sheet['status']}")
        elif sheet["version"] < ack["version"]:
            problems.append(f"sheet {ack['sheet']}: version {sheet['version']} < acknowledged {ack['version']}")
        elif scores != expected:
            problems.append(f"sheet {ack['sheet']}: scores differ from the last acknowledged save")
    return checked, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--workers", type=int, default=1, help="server processes (uvicorn workers)")
    parser.add_argument("--pool", type=int, default=10, help="PostgreSQL connections per process")
    parser.add_argument("--scenario", choices=["scoring", "signin", "auditor", "saturation"], default="scoring")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60, help="seconds (per step for saturation)")
    parser.add_argument("--spawn-rate", type=int, default=20, help="users started per second")
    parser.add_argument("--rates", default="50,100,200,300", help="saturation: total saves/s per step")
    parser.add_argument("--cheap-hash", action="store_true",
                        help="seed passwords with Argon2's CHEAPEST profile (isolates saves from sign-in cost)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs, CSV)")
    args = parser.parse_args()
    if args.duration > 600:
        raise SystemExit("--duration is at most 600 s")

    data = Path(tempfile.mkdtemp(prefix="pingshen-load-"))
    env = _environment(args, data)
    print(f"== {args.scenario}: {args.db}, {args.workers} worker process(es), {args.users} users"
          f"{', cheap Argon2' if args.cheap_hash else ''}; folder {data}")
    started = time.monotonic()
    _run([PY, "-m", "app.cli", "migrate"], env)
    _run([PY, "-m", "tests.load.seed", "--experts", str(args.users), "--out", str(data / "plan.json")], env)
    print(f"   migrated and seeded {args.users} experts in {time.monotonic() - started:.0f} s")
    server, url = _start_server(args, env, data)
    try:
        if args.scenario == "saturation":
            for rate in [int(r) for r in args.rates.split(",")]:
                per_user = rate / args.users
                rows = _locust(args, env, url, data, args.users, args.duration,
                               {"LOAD_RATE": str(per_user), "LOAD_SUBMIT_AFTER": "0"}, f"rate{rate}")
                print(f"-- target {rate} saves/s ({args.users} users × {per_user:.2f}/s)")
                _print_stats([r for r in rows if r["Name"] in ("POST draft (autosave)", "Aggregated")],
                             args.duration)
        else:
            duration = args.duration + (15 if args.scenario != "signin" else 0)
            extra = {"LOAD_SUBMIT_AFTER": str(args.duration) if args.scenario in ("scoring", "auditor") else "0"}
            rows = _locust(args, env, url, data, args.users, duration, extra, "run")
            _print_stats(rows, duration)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    if args.scenario != "signin":
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "PINGSHEN_DATA_DIR", "PINGSHEN_SECRET_KEY",
                                               "PICCOLO_CONF")})
        checked, problems = asyncio.run(_check_acks(data / "acks"))
        print(f"   acknowledged saves checked against the database: {checked} sheets, "
              f"{len(problems)} problems" + "".join(f"\n     {p}" for p in problems[:10]))
    if not args.keep:
        import shutil

        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
