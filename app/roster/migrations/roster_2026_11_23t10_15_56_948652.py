"""One expert per sign-in account: a unique index on expert.user (NULLs allowed, many unlinked experts).

The service checks it too (app/roster/accounts.py); the index closes the race of two concurrent links
on PostgreSQL. Raw SQL because Piccolo would alter the column, which SQLite cannot do.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T10:15:56:948652"
VERSION = "1.38.0"
DESCRIPTION = "expert.user unique"

INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS expert_user_unique ON expert ("user")'


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="roster", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(INDEX)

    async def back():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS expert_user_unique")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
