"""请求频率限制 — counters kept in the database, so every worker process and host shares them.

A limit allows `hits` requests per address in a window of `seconds`, the window starting at
the address's first request. One statement counts and reads the counter (an upsert with
RETURNING, the same SQL on SQLite and PostgreSQL), so concurrent requests in different
processes can neither both pass as "the 30th" nor lose a count.

When an address reaches a limit, one audit record says so — one per address and window, not
one per refused request: a burst of guesses must not turn into a burst of writes to the
audit chain (the chain is one sequence under one lock).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from app.accounts.tables import RateWindow
from app.audit import services as audit
from app.db import write_tx

log = logging.getLogger("pingshen.security")


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    seconds: int
    label: str
    """What is limited, in Chinese, for the audit summary."""


# Lockout stops guessing one account; this stops one address trying many accounts.
SIGN_IN = Limit("sign_in", 30, 60, "登录请求")
# Invitation links carry 256-bit tokens, so an honest visitor never fails more than a few
# times (a mistyped or withdrawn link); twenty unknown tokens from one address is guessing.
TOKEN_FAILURES = Limit("token_failures", 20, 600, "无效链接访问")


@dataclass(frozen=True)
class Count:
    hits: int
    retry_after: int
    """Seconds until the window ends."""


_UPSERT = (
    "INSERT INTO rate_window (bucket, hits, expires_at) VALUES ({}, 1, {}) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_window.expires_at <= {} THEN 1 ELSE rate_window.hits + 1 END, "
    "expires_at = CASE WHEN rate_window.expires_at <= {} THEN excluded.expires_at ELSE rate_window.expires_at END "
    "RETURNING hits, expires_at"
)

_PURGE_EVERY = 600
_last_purge = {"at": 0.0}


def _bucket(limit: Limit, address: str) -> str:
    return f"{limit.name}:{address or '-'}"[:200]


async def count(limit: Limit, address: str, *, now: float | None = None, summary_at: int | None = None) -> Count:
    """Count one request from `address` and say how many the window holds now.

    The audit summary is written when the count reaches `summary_at` (by default the first
    request over the limit).
    """
    now = now if now is not None else time.time()
    second = int(now)
    async with write_tx():
        rows = await RateWindow.raw(_UPSERT, _bucket(limit, address), second + limit.seconds, second, second)
        hits, expires_at = int(rows[0]["hits"]), int(rows[0]["expires_at"])
        if hits == (summary_at if summary_at is not None else limit.hits + 1):
            # The address is now refused: one summary for this address and window.
            await audit.record(actor=None, action="security.rate_limited", object_type="address",
                               object_id=(address or "-")[:64],
                               new={"limit": limit.name, "what": limit.label, "allowed": limit.hits,
                                    "window_seconds": limit.seconds, "address": address})
            log.warning("rate limit %s reached by %s", limit.name, address)
        if now - _last_purge["at"] > _PURGE_EVERY:
            _last_purge["at"] = now
            await RateWindow.delete().where(RateWindow.expires_at < second)
    return Count(hits, max(1, expires_at - second))


async def current(limit: Limit, address: str, *, now: float | None = None) -> Count:
    """The count so far, without counting (read only: refusing a request writes nothing)."""
    second = int(now if now is not None else time.time())
    row = await RateWindow.select(RateWindow.hits, RateWindow.expires_at).where(
        RateWindow.bucket == _bucket(limit, address)).first()
    if row is None or row["expires_at"] <= second:
        return Count(0, limit.seconds)
    return Count(int(row["hits"]), max(1, int(row["expires_at"]) - second))
