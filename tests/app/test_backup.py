"""Backup and restore as docs/deployment.md tells an operator: `pingshen backup` while the app
runs, restore into a fresh database (copy the file on SQLite, pg_restore on PostgreSQL), and
`pingshen audit verify` on the restored copy finds the whole hash chain as it was at the backup."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from app.accounts.services import create_agency
from app.audit.tables import AuditRecord
from app.db import is_sqlite, postgres_config
from app.settings import ROOT


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(**postgres_config(os.environ["DATABASE_URL"]))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_a_backup_restores_with_its_audit_chain_intact(world, tmp_path: Path):
    records = await AuditRecord.count()
    assert records > 0  # the world's agencies and users were audited
    dump = tmp_path / "pingshen.backup"
    made = _cli(dict(os.environ), "backup", str(dump))
    assert made.returncode == 0, made.stderr
    assert "已备份到" in made.stdout and dump.stat().st_size > 0
    await create_agency("备份之后新建的机构", "昆明市")  # after the backup: must not be in the restored copy

    env = {**os.environ, "PINGSHEN_DATA_DIR": str(tmp_path / "restored-data")}
    restored_db = f"pingshen_restored_{os.getpid()}"
    if is_sqlite():
        restored = tmp_path / "restored.sqlite"
        shutil.copy(dump, restored)
        env["DATABASE_URL"] = f"sqlite:///{restored}"
    else:
        if shutil.which("pg_restore") is None:
            pytest.skip("pg_restore is not installed (postgresql-client)")
        await _pg(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
        await _pg(f'CREATE DATABASE "{restored_db}"')
        url = urlparse(os.environ["DATABASE_URL"])
        result = subprocess.run(["pg_restore", "--no-owner", "--host", url.hostname or "127.0.0.1", "--port",
                                 str(url.port or 5432), "--username", url.username or "postgres",
                                 "--dbname", restored_db, str(dump)], capture_output=True, text=True,
                                env={**os.environ, "PGPASSWORD": url.password or ""})
        assert result.returncode == 0, result.stderr
        env["DATABASE_URL"] = urlunparse(url._replace(path=f"/{restored_db}"))
    try:
        migrated = _cli(env, "migrate")  # an upgrade after a restore starts here; a no-op on the same version
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        verified = _cli(env, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert f"已校验 {records} 条记录" in verified.stdout  # exactly the chain at backup time
    finally:
        if not is_sqlite():
            await _pg(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
