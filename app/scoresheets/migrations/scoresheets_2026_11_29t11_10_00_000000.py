"""One person, one signature (issue 12): unique indexes that make the services' checks hold under races.

- scoring_declaration (review, seat): one 回避声明/承诺书 per seat.
- review_signature (review, seat) among signatures not voided: one live signature per member; a
  return for re-scoring voids the signatures (voided_at set) and the member signs again.
- score_sheet (review, seat): one sheet per seat; its rounds are revisions of that sheet, and
  score_sheet_version (sheet, revision) keeps one signed version per round.

Raw SQL: Piccolo would alter columns, which SQLite cannot; a partial index is plain SQL on both
engines. A fresh database cannot hold duplicates, so nothing is cleaned up first.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one declaration, live signature and sheet per seat"

INDEXES = {
    "scoring_declaration_one_per_seat": 'ON scoring_declaration (review, seat)',
    "review_signature_one_live_per_seat": 'ON review_signature (review, seat) WHERE voided_at IS NULL',
    "score_sheet_one_per_seat": 'ON score_sheet (review, seat)',
    "score_sheet_version_one_per_round": 'ON score_sheet_version (sheet, revision)',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scoresheets", description=DESCRIPTION)

    async def run():
        for name, body in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} {body}")

    async def back():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
