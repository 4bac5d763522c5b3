"""A Litestar store in the database, so every server process (and host) sees the same values.

Litestar's default `MemoryStore` is per process, and the `FileStore` the app used for sessions
is per host: behind a load balancer a session made on one worker was unknown to the next. This
store keeps each value in `store_entry` under `<namespace>:<key>`; `database_stores()` makes it
the default for every store name the app asks for ("sessions", "rate_limit", ...).
"""

from __future__ import annotations

import time
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import timedelta

from litestar.stores.base import NamespacedStore
from litestar.stores.registry import StoreRegistry

from app.db import is_sqlite, write_tx
from app.state.tables import StoreEntry

_UPSERT = (
    "INSERT INTO store_entry (key, value, counter, expires_at) VALUES ({}, {}, 0, {}) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"
)
# One statement counts and reads, so two processes can neither both read "4" nor lose a count.
_INCR = (
    "INSERT INTO store_entry (key, value, counter, expires_at) VALUES ({}, {}, 1, {}) "
    "ON CONFLICT (key) DO UPDATE SET "
    "counter = CASE WHEN store_entry.expires_at <= {} THEN 1 ELSE store_entry.counter + 1 END, "
    "expires_at = CASE WHEN store_entry.expires_at <= {} THEN excluded.expires_at ELSE store_entry.expires_at END "
    "RETURNING counter"
)


def _one_statement() -> AbstractAsyncContextManager[object]:
    """A single-statement write: on SQLite through the write lock (BEGIN IMMEDIATE), on PostgreSQL
    as its own autocommit statement — BEGIN and COMMIT would be two more round trips on every
    request, since the session is stored at the end of each one."""
    return write_tx() if is_sqlite() else nullcontext()


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


class DatabaseStore(NamespacedStore):
    """Store values in the `store_entry` table; expired values read as absent and are purged."""

    def __init__(self, namespace: str = "default") -> None:
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(f"{self.namespace}/{namespace}")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        seconds = _seconds(expires_in)
        data = value.encode() if isinstance(value, str) else value
        expires_at = int(time.time()) + seconds if seconds is not None else None
        async with _one_statement():
            await StoreEntry.raw(_UPSERT, self._key(key), data, expires_at)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await StoreEntry.select(StoreEntry.value, StoreEntry.expires_at).where(
            StoreEntry.key == self._key(key)).first()
        if row is None:
            return None
        now = int(time.time())
        if row["expires_at"] is not None and row["expires_at"] <= now:
            return None  # purged by the periodic clean-up (state.purge); a read writes nothing
        seconds = _seconds(renew_for)
        if seconds is not None and row["expires_at"] is not None:
            async with _one_statement():
                await StoreEntry.update({StoreEntry.expires_at: now + seconds}).where(
                    StoreEntry.key == self._key(key))
        return bytes(row["value"])

    async def delete(self, key: str) -> None:
        async with _one_statement():
            await StoreEntry.delete().where(StoreEntry.key == self._key(key))

    async def delete_all(self) -> None:
        async with write_tx():
            await StoreEntry.delete().where(StoreEntry.key.like(f"{self.namespace}:%"))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await StoreEntry.select(StoreEntry.expires_at).where(StoreEntry.key == self._key(key)).first()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, row["expires_at"] - int(time.time()))

    async def incr(self, key: str, window_seconds: int) -> int:
        """Count one event in a window that starts at the first event; the count so far."""
        now = int(time.time())
        async with _one_statement():
            rows = await StoreEntry.raw(_INCR, self._key(key), b"", now + window_seconds, now, now)
        return int(rows[0]["counter"])


async def purge_expired() -> int:
    """Delete expired entries (run by the job queue's periodic clean-up)."""
    now = int(time.time())
    async with write_tx():
        gone = await StoreEntry.delete().where(StoreEntry.expires_at.is_not_null() & (StoreEntry.expires_at <= now)
                                               ).returning(StoreEntry.id)
    return len(gone)


def database_stores() -> StoreRegistry:
    """Every store the app asks for by name lives in the database."""
    return StoreRegistry(default_factory=lambda name: DatabaseStore(namespace=name))
