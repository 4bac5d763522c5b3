"""Settings from the environment, in one place.

Every knob the app reads lives here so that operators find them in one file and tests can
set them before anything imports the database layer (Piccolo binds tables to an engine at
import time).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: bytes
    host: str
    port: int
    debug: bool
    session_idle_minutes: int
    max_body_bytes: int
    lockout_attempts: int
    lockout_minutes: int
    db_pool_size: int
    """PostgreSQL connections per server process (PINGSHEN_DB_POOL; 0 = no pool, one connection per query)."""
    job_workers: int
    """Background jobs this process runs at once (PINGSHEN_JOB_WORKERS; 0 = leave them to other processes)."""
    secure_cookies: bool
    """Session and CSRF cookies marked Secure (sent over HTTPS only)."""
    plan_yearly_cap: int = 6
    """Member seats per expert per calendar year in season plans, prior seats included (PINGSHEN_PLAN_YEARLY_CAP)."""

    @property
    def is_sqlite(self) -> bool:
        return not self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        url = self.database_url
        for prefix in ("sqlite:///", "sqlite://"):
            if url.startswith(prefix):
                return Path(url[len(prefix) :])
        return Path(url)


def _secret_key(data_dir: Path) -> bytes:
    """The key signs CSRF tokens; generated once and kept so restarts keep sessions valid."""
    if env := os.environ.get("PINGSHEN_SECRET_KEY"):
        return env.encode()
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip().encode()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key.encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    data_dir = Path(os.environ.get("PINGSHEN_DATA_DIR", ROOT / "var")).resolve()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'pingshen.sqlite'}"
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(data_dir),
        host=os.environ.get("PINGSHEN_HOST", "127.0.0.1"),
        port=int(os.environ.get("PINGSHEN_PORT", "8000")),
        debug=_bool(os.environ.get("PINGSHEN_DEBUG")),
        session_idle_minutes=int(os.environ.get("PINGSHEN_SESSION_IDLE_MINUTES", "30")),
        max_body_bytes=int(os.environ.get("PINGSHEN_MAX_BODY_BYTES", str(2 * 1024 * 1024))),
        lockout_attempts=5,
        lockout_minutes=15,
        db_pool_size=int(os.environ.get("PINGSHEN_DB_POOL", "10")),
        job_workers=int(os.environ.get("PINGSHEN_JOB_WORKERS", "2")),
        # Behind HTTPS the cookies must never travel in clear text; default from the public URL.
        secure_cookies=_bool(os.environ.get("PINGSHEN_SECURE_COOKIES"),
                             default=os.environ.get("PINGSHEN_BASE_URL", "").lower().startswith("https://")),
        plan_yearly_cap=int(os.environ.get("PINGSHEN_PLAN_YEARLY_CAP", "6")),
    )
