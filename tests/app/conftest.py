"""App tests: a database of their own (SQLite file, or PostgreSQL when
PINGSHEN_TEST_DATABASE_URL is set), built by the real migrations once, emptied before each test.

The environment is set before any app module is imported: Piccolo binds tables to an engine
at import time.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

_DATA_DIR = Path(tempfile.mkdtemp(prefix="pingshen-test-"))
os.environ["PINGSHEN_DATA_DIR"] = str(_DATA_DIR)
os.environ["PINGSHEN_SECRET_KEY"] = "test-secret-key-0123456789abcdef"
os.environ["PICCOLO_CONF"] = "app.piccolo_conf"
# The in-process test client runs the app in another event loop than the tests: an asyncpg pool
# started by the app would be shared across loops (framework-notes §4), so none in tests.
os.environ["PINGSHEN_DB_POOL"] = "0"
# No background job runner inside the test client either: tests run due jobs themselves
# (app.state.queue.run_pending), so nothing changes behind a test's back.
os.environ["PINGSHEN_JOB_WORKERS"] = "0"

_PG_URL = os.environ.get("PINGSHEN_TEST_DATABASE_URL", "")
_PG_NAME = f"pingshen_test_{os.getpid()}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    from app.db import postgres_config

    conn = await asyncpg.connect(**postgres_config(_PG_URL))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


if _PG_URL:
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_NAME}"'))
    asyncio.run(_pg_admin(f'CREATE DATABASE "{_PG_NAME}"'))
    parts = urlparse(_PG_URL)
    os.environ["DATABASE_URL"] = urlunparse(parts._replace(path=f"/{_PG_NAME}"))
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_DATA_DIR / 'test.sqlite'}"

from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.table import sort_table_classes  # noqa: E402

from app.db import is_sqlite  # noqa: E402
from app.migrations import migrate_all  # noqa: E402

TABLES = sort_table_classes(Finder().get_table_classes())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.app)


@pytest.fixture(scope="session", autouse=True)
def _schema() -> object:
    ok, message = asyncio.run(migrate_all())
    assert ok, message
    yield
    if _PG_URL:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)'))


@pytest.fixture(autouse=True)
async def db() -> AsyncIterator[None]:
    """Every test starts from empty tables (the schema stays, as migrations built it)."""
    if is_sqlite():
        for table in reversed(TABLES):
            await table.raw(f"DELETE FROM {table._meta.tablename}")
    else:
        names = ", ".join(t._meta.tablename for t in TABLES)
        await TABLES[0].raw(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    yield


from tests.app.helpers import *  # noqa: E402, F403  (fixtures: users, client, signed-in clients)
