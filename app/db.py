"""Database engine and safe write transactions.

SQLite is the embedded default and PostgreSQL the production engine. SQLite needs care with
concurrent writers (see docs/operations.md): WAL, a busy timeout, BEGIN IMMEDIATE and one
in-process lock around write transactions, otherwise read-then-write transactions fail at
once with "database is locked".
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from app.settings import Settings


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config=postgres_config(settings.database_url))


def postgres_config(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    config: dict[str, object] = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "database": (parsed.path or "/postgres").lstrip("/") or "postgres",
        "user": parsed.username or "postgres",
    }
    if parsed.password:
        config["password"] = parsed.password
    return config


def engine() -> Engine:
    db = engine_finder()
    assert db is not None, "piccolo_conf.DB is not configured"
    return db


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


async def prepare_database() -> None:
    """Per-start settings: WAL mode persists in the SQLite file; a no-op on PostgreSQL."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        Path(db.path).parent.mkdir(parents=True, exist_ok=True)
        await db.run_ddl("PRAGMA journal_mode=WAL")


# One lock per event loop: tests run the app in a portal loop beside the pytest loop, and an
# asyncio.Lock must not be shared between loops.
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _write_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_tx() -> AsyncIterator[None]:
    """A write transaction; nested calls join the outer one.

    Everything inside commits together or not at all, so a state change and its audit record
    are never half-written.
    """
    db = engine()
    if db.transaction_exists():
        yield
        return
    if isinstance(db, SQLiteEngine):
        async with _write_lock(), db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield
