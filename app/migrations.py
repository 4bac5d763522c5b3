"""Apply Piccolo migrations from code, so `pingshen migrate` needs no piccolo_conf on the path."""

from __future__ import annotations

from piccolo.apps.migrations.commands.forwards import run_forwards

from app.db import prepare_database


async def migrate_all() -> tuple[bool, str]:
    await prepare_database()
    result = await run_forwards(app_name="all", migration_id="all", fake=False)
    return result.success, result.message or ("迁移完成" if result.success else "迁移失败")
