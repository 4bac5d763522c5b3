"""Shared state: key-value entries (sessions and other stores) and background jobs.

Times the queue compares are unix milliseconds in BigInt columns: the same comparison on SQLite
(where timestamps are text) and PostgreSQL, in plain SQL.
"""

from __future__ import annotations

from piccolo.columns import BigInt, Bytea, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class StoreEntry(Table, tablename="store_entry"):
    """One value of a Litestar store (`<namespace>:<key>`), e.g. a server-side session."""

    key = Varchar(length=500, unique=True)
    value = Bytea(default=b"")
    counter = Integer(default=0)
    expires_at = BigInt(null=True, default=None, index=True)
    """Unix seconds; NULL = never."""


class JobStatus:
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    FAILED = "failed"


class Job(Table, tablename="job"):
    """后台任务 — one unit of background work, run by whichever server process claims it first."""

    task = Varchar(length=100, index=True)
    args = Text(default="{}")
    """JSON keyword arguments of the task."""
    status = Varchar(length=10, default=JobStatus.TODO, index=True)
    run_at = BigInt(default=0, index=True)
    """Unix ms: not before."""
    dedupe = Varchar(length=200, null=True, default=None, unique=True)
    """At most one job per value (a periodic task's time slot, one export)."""
    owner = Integer(null=True, default=None, index=True)
    """The user who asked for it, when one did."""
    progress = Text(default="{}")
    """JSON the task reports while it runs (what a progress page shows)."""
    attempts = Integer(default=0)
    max_attempts = Integer(default=5)
    worker = Varchar(length=100, default="")
    """Host and process of the runner that claimed it last."""
    locked_until = BigInt(default=0)
    """Unix ms: the claim's lease; a runner that died stops renewing it and another takes the job."""
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
