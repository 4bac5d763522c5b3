"""审计日志只增不改 — in PostgreSQL a trigger refuses UPDATE and DELETE on audit_record.

The hash chain *detects* an edited or removed record; the trigger *prevents* it for every
connection the application (or anyone with its credentials) opens, so a bug or a stolen
password cannot rewrite history quietly. Only a superuser who disables triggers can still edit,
and `pingshen audit verify` catches that. TRUNCATE is a table owner's privilege, not a row
change, and is left to database permissions (the test suite empties tables with it).

SQLite has no users or privileges to protect with, and the tests empty tables with DELETE,
so this is a no-op there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T11:05:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_record append-only trigger (PostgreSQL)"

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_record is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS audit_record_append_only ON audit_record"
TRIGGER = (
    "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
    "FOR EACH ROW EXECUTE FUNCTION audit_record_append_only()"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        if not isinstance(db, PostgresEngine):
            return
        for statement in (FUNCTION, DROP_TRIGGER, TRIGGER):
            await db.run_ddl(statement)

    async def back():
        db = engine_finder()
        if not isinstance(db, PostgresEngine):
            return
        await db.run_ddl(DROP_TRIGGER)
        await db.run_ddl("DROP FUNCTION IF EXISTS audit_record_append_only()")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
