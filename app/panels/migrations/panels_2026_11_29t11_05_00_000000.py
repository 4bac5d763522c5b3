"""panel_seat.user only for people outside the roster (采购人代表, imported 财政 names).

A roster expert's seat is acted for by whoever is linked to the expert now (expert.user), read at
each check (app/panels/members.py); a second copy on the seat went stale whenever the link changed.
Clears that copy on existing roster seats and refuses it from now on: a CHECK constraint on
PostgreSQL, triggers on SQLite (which cannot add a CHECK to an existing table).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-29T11:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "panel_seat.user only without a roster expert"

CLEAR = 'UPDATE panel_seat SET "user" = NULL WHERE expert IS NOT NULL'
MESSAGE = "panel_seat.user is only for seats without a roster expert (use expert.user)"
CHECK = ('ALTER TABLE panel_seat ADD CONSTRAINT panel_seat_user_off_roster '
         'CHECK (expert IS NULL OR "user" IS NULL)')
TRIGGERS = {
    "panel_seat_user_off_roster_insert": "BEFORE INSERT ON panel_seat",
    "panel_seat_user_off_roster_update": 'BEFORE UPDATE OF expert, "user" ON panel_seat',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="panels", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl(CLEAR)
        if isinstance(engine, SQLiteEngine):
            for name, when in TRIGGERS.items():
                await engine.run_ddl(
                    f'CREATE TRIGGER IF NOT EXISTS {name} {when} '
                    f'WHEN NEW.expert IS NOT NULL AND NEW."user" IS NOT NULL '
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        else:
            await engine.run_ddl(CHECK)

    async def back():
        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            for name in TRIGGERS:
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {name}")
        else:
            await engine.run_ddl("ALTER TABLE panel_seat DROP CONSTRAINT IF EXISTS panel_seat_user_off_roster")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
