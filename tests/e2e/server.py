"""A real Pingshen server process on a free port with an empty database of its own.

The journeys drive it over HTTP from Chromium, as a person would: nothing is inserted into its
database by the tests. The only step outside the browser is the operator's first administrator,
made with `pingshen create-user` as docs/guide-agency.md says.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "Guanli-2026-ps!"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    parts = urlparse(url)
    conn = await asyncpg.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 5432,
                                 user=parts.username or "postgres", password=parts.password,
                                 database=parts.path.lstrip("/") or "postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _in_thread(url: str, sql: str) -> None:
    # Playwright's sync API keeps an event loop running on this thread: asyncio.run needs its own.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _pg_admin(url, sql)).result()


@dataclass
class Server:
    """One server with its own data directory and database; `cli(...)` runs `pingshen` against it."""

    name: str
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pingshen-e2e-")))
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    pg_name: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = dict(os.environ)
        env.update({
            "PINGSHEN_DATA_DIR": str(self.data_dir),
            "PINGSHEN_SECRET_KEY": f"e2e-{self.name}-secret-key-0123456789",
            "PINGSHEN_BASE_URL": self.url,
            "PINGSHEN_PASSWORD_HASH_PROFILE": os.environ.get("PINGSHEN_PASSWORD_HASH_PROFILE", "CHEAPEST"),
            "PYTHONPATH": str(ROOT),
            # A real server runs background jobs (a season plan's solve), whatever the app tests set.
            "PINGSHEN_JOB_WORKERS": "1",
        })
        env.pop("PICCOLO_CONF", None)
        pg = os.environ.get("PINGSHEN_TEST_DATABASE_URL", "")
        if pg:
            self.pg_name = f"pingshen_e2e_{self.name}_{os.getpid()}"
            _in_thread(pg, f'DROP DATABASE IF EXISTS "{self.pg_name}"')
            _in_thread(pg, f'CREATE DATABASE "{self.pg_name}"')
            env["DATABASE_URL"] = urlunparse(urlparse(pg)._replace(path=f"/{self.pg_name}"))
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.data_dir / 'pingshen.sqlite'}"
        self.env = env
        self.cli("migrate")
        self.cli("create-user", "--username", "admin", "--name", "系统管理员", "--role", "admin",
                 "--password", ADMIN_PASSWORD)
        log = open(self.data_dir / "server.log", "wb")  # closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(self.port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer within 60 s: {self.log_tail()}")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args],
                                cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise RuntimeError(f"pingshen {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def log_tail(self, lines: int = 60) -> str:
        path = self.data_dir / "server.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.pg_name:
            _in_thread(os.environ["PINGSHEN_TEST_DATABASE_URL"],
                       f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)
