"""Database engine and safe write transactions.

SQLite is the embedded default and PostgreSQL the production engine. SQLite needs care with
concurrent writers (see docs/operations.md): WAL, a busy timeout, BEGIN IMMEDIATE and one
in-process lock around write transactions, otherwise read-then-write transactions fail at
once with "database is locked".
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from app.settings import Settings, get_settings

log = logging.getLogger("pingshen.db")


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, reusing a few open connections instead of one per query.

    Piccolo opens a new aiosqlite connection — a new thread, a file open and a PRAGMA — for every
    query outside a transaction and for every transaction (issue 16 measured 1,440 threads for
    400 requests). Connections here are kept open and handed out one caller at a time: they run
    in autocommit mode (`isolation_level=None`), so an idle connection holds no transaction and
    no lock, and each statement sees everything committed before it (WAL). Writes still go
    through `write_tx` (BEGIN IMMEDIATE under the in-process lock).

    aiosqlite connections are not tied to an event loop (each call answers on the caller's loop),
    so the pool is per process: the test client's portal loop and the pytest loop share it.
    """

    __slots__ = ("_idle", "_idle_lock", "max_idle")

    def __init__(self, path: str, max_idle: int = 4, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._idle: list[aiosqlite.Connection] = []
        self._idle_lock = threading.Lock()
        self.max_idle = max_idle

    async def get_connection(self) -> aiosqlite.Connection:
        with self._idle_lock:
            if self._idle:
                return self._idle.pop()
        connection = aiosqlite.connect(**self.connection_kwargs)
        # An idle pooled connection must not keep the process alive at exit (its thread is
        # otherwise non-daemon); it holds no transaction, so nothing is lost with it.
        connection._thread.daemon = True
        await connection
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def release(self, connection: aiosqlite.Connection) -> None:
        """Back to the pool; a connection left inside a transaction is rolled back first."""
        try:
            if connection.in_transaction:
                await connection.rollback()
        except Exception:  # a broken connection is closed, not reused
            log.warning("sqlite: discarding a pooled connection that could not roll back", exc_info=True)
            await _close_quietly(connection)
            return
        with self._idle_lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(connection)
                return
        await _close_quietly(connection)

    async def close_idle(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            await _close_quietly(connection)

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: Any = None) -> Any:
        connection = await self.get_connection()
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()  # SQLite ≥ 3.35 (checked at start): RETURNING gives the pk
        finally:
            await self.release(connection)

    async def _run_in_existing_connection(self, connection: Any, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: Any = None) -> Any:
        # Piccolo re-runs `PRAGMA foreign_keys = 1` before every statement; ours is set once per connection.
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, given back (not closed) at the end.

    Also fixes the leak noted in framework-notes §3: when BEGIN fails ("database is locked")
    Piccolo never closes the connection it opened; here it goes back to the pool.
    """

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            await self.engine.release(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self.engine.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


async def _close_quietly(connection: aiosqlite.Connection) -> None:
    try:
        await connection.close()
    except Exception:
        log.debug("sqlite: closing a pooled connection failed", exc_info=True)


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(path), timeout=30)
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


@asynccontextmanager
async def connections() -> AsyncIterator[None]:
    """The app's database connections for the life of one server process.

    PostgreSQL: Piccolo's asyncpg pool (otherwise every query opens a new connection). The pool
    belongs to the event loop that starts it, so it stays off where the app runs in another loop
    than its callers (the in-process test client: PINGSHEN_DB_POOL=0). SQLite: the idle pooled
    connections are closed at shutdown.
    """
    db = engine()
    await prepare_database()
    size = get_settings().db_pool_size
    pooled = isinstance(db, PostgresEngine) and size > 0 and db.pool is None
    if pooled:
        await db.start_connection_pool(min_size=min(2, size), max_size=size)
    try:
        yield
    finally:
        if pooled:
            try:  # a connection still checked out (a request cut short at shutdown) must not hang exit
                await asyncio.wait_for(db.close_connection_pool(), timeout=10)
            except TimeoutError:
                log.warning("postgres: pool did not close within 10 s; terminating its connections")
                if db.pool is not None:
                    db.pool.terminate()
                    db.pool = None
        elif isinstance(db, PooledSQLiteEngine):
            await db.close_idle()


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


def is_unique_violation(exc: BaseException) -> bool:
    """A unique index refused the write (SQLite's IntegrityError, PostgreSQL's SQLSTATE 23505).

    Services check first inside the transaction; the index stops what a race lets past, and the
    service turns this into the same refusal its check gives.
    """
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(exc)
    return getattr(exc, "sqlstate", None) == "23505"


@asynccontextmanager
async def unique_or(refusal: Exception) -> AsyncIterator[None]:
    """Around a write transaction: a unique-index refusal becomes `refusal` (after the rollback)."""
    try:
        yield
    except Exception as exc:
        if is_unique_violation(exc):
            raise refusal from None
        raise
