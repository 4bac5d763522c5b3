"""更正: one row per (review, version), so two corrections cannot both become version 2.

A migration of its own: Piccolo runs a migration's raw steps before its new tables exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T11:19:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "review_result_correction (review, version) unique"

INDEX = ("CREATE UNIQUE INDEX IF NOT EXISTS review_result_correction_one_per_version "
         "ON review_result_correction (review, version)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scoresheets", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(INDEX)

    async def back():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS review_result_correction_one_per_version")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
