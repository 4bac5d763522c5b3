"""The `pingshen` command line: serve, migrate, demo, create-user, audit verify."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys

import click

from app.settings import get_settings


def _run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


@click.group()
def main() -> None:
    """评审 Pingshen — 工伤预防项目专家评审系统."""


@main.command()
@click.option("--host", default=None, help="监听地址（默认取 PINGSHEN_HOST，127.0.0.1）")
@click.option("--port", default=None, type=int, help="端口（默认取 PINGSHEN_PORT，8000）")
@click.option("--workers", default=1, type=int, help="工作进程数（PostgreSQL 下可多个；SQLite 请保持 1）")
@click.option("--proxy", is_flag=True, help="位于反向代理之后：信任其 X-Forwarded-For/-Proto（FORWARDED_ALLOW_IPS）")
@click.option("--no-access-log", is_flag=True, help="不逐条记录请求（压力测试时）")
def serve(host: str | None, port: int | None, workers: int, proxy: bool, no_access_log: bool) -> None:
    """Serve the app (启动服务): N identical worker processes, each with its own job runner."""
    import uvicorn

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    if workers > 1 and settings.is_sqlite:
        click.echo("注意：SQLite 只适合单进程；多进程请使用 PostgreSQL（DATABASE_URL=postgres://…）。", err=True)
    click.echo(f"评审 Pingshen 正在运行： http://{host}:{port}/  （{workers} 个进程，按 Ctrl+C 停止）")
    uvicorn.run("app.server:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="debug" if settings.debug else "info", proxy_headers=proxy,
                access_log=not no_access_log, timeout_graceful_shutdown=20,
                # Longer than a browser's autosave pause (5 s) and a proxy's idle keep-alive, so a
                # connection is not closed by the server just as the client reuses it.
                timeout_keep_alive=75)


@main.command()
@click.option("--slots", default=None, type=int, help="同时运行的任务数（默认取 PINGSHEN_JOB_WORKERS）")
@click.option("--once", is_flag=True, help="运行到期任务后退出（运维、排障）")
def worker(slots: int | None, once: bool) -> None:
    """Run background jobs only (后台任务进程): exports, invitation deadlines, status restores."""
    from app.db import connections
    from app.state.queue import Runner, offer_periodic, run_pending

    async def run() -> None:
        async with connections():
            if once:
                await offer_periodic()
                click.echo(f"已运行 {await run_pending()} 个到期任务")
                return
            runner = Runner(slots or max(1, get_settings().job_workers))
            runner.start()
            click.echo(f"后台任务进程已启动（{runner.slots} 个并发，{runner.worker}），按 Ctrl+C 停止")
            try:
                await asyncio.Event().wait()
            finally:
                await runner.stop()

    try:
        _run(run())
    except KeyboardInterrupt:
        pass


@main.command()
def migrate() -> None:
    """Apply database migrations (数据库迁移)."""
    from app.migrations import migrate_all

    click.echo(f"数据库：{_describe(get_settings().database_url)}")
    ok, message = _run(migrate_all())
    click.echo(message)
    if not ok:
        sys.exit(1)


def _describe(url: str) -> str:
    return url.split("@")[-1] if url.startswith("postgres") else url


@main.command()
@click.option("--if-empty", is_flag=True, help="已有数据时不重复加载，只显示演示账户")
@click.option("--experts", default=300, show_default=True, help="演示专家人数")
@click.option("--seed", default=2026, show_default=True, help="随机种子（演示数据可重现）")
def demo(if_empty: bool, experts: int, seed: int) -> None:
    """Load the demo data set (加载演示数据)."""
    from app.demo import load_demo

    _run(load_demo(experts=experts, seed=seed, if_empty=if_empty, echo=click.echo))


@main.command("create-user")
@click.option("--username", prompt="用户名")
@click.option("--name", "display_name", prompt="姓名")
@click.option("--role", type=click.Choice(["admin", "agency", "supervisor", "expert", "auditor"]), prompt="角色")
@click.option("--agency-id", type=int, default=None, help="经办人、监督人所属机构编号")
@click.option("--password", default=None, help="不给出时交互输入")
def create_user(username: str, display_name: str, role: str, agency_id: int | None, password: str | None) -> None:
    """Create a user (创建用户)."""
    from app.accounts.services import AccountError
    from app.accounts.services import create_user as create
    from app.audit.services import SYSTEM

    if password is None:
        password = getpass.getpass("密码：")
        if getpass.getpass("再次输入：") != password:
            raise click.ClickException("两次输入的密码不一致")
    try:
        user = _run(create(username=username, display_name=display_name, role=role, password=password,
                           agency_id=agency_id, actor=SYSTEM))
    except AccountError as exc:
        raise click.ClickException("；".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
    click.echo(f"已创建用户 {user.username}（编号 {user.id}）")


@main.command()
@click.argument("target", type=click.Path(dir_okay=False))
def backup(target: str) -> None:
    """Back up the database to a file while the server runs (备份数据库).

    SQLite: a consistent online copy (SQLite's backup API, WAL included); restore by stopping the
    server and putting the copy in place. PostgreSQL: `pg_dump --format=custom`; restore with
    pg_restore into a new database (docs/deployment.md).
    """
    import shutil
    import sqlite3
    import subprocess
    from urllib.parse import urlparse

    settings = get_settings()
    if settings.is_sqlite:
        source = sqlite3.connect(settings.sqlite_path)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        if shutil.which("pg_dump") is None:
            raise click.ClickException("找不到 pg_dump：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
        url = urlparse(settings.database_url)
        env = {**os.environ, "PGPASSWORD": url.password or ""}
        command = ["pg_dump", "--format=custom", f"--file={target}", "--host", url.hostname or "127.0.0.1",
                   "--port", str(url.port or 5432), "--username", url.username or "postgres",
                   (url.path or "/postgres").lstrip("/")]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise click.ClickException(f"pg_dump 失败：{result.stderr.strip()}")
    click.echo(f"已备份到 {target}（{_describe(settings.database_url)}）")


@main.group()
def audit() -> None:
    """Audit trail commands (审计日志)."""


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain and name the first broken record (校验哈希链)."""
    from app.audit.services import verify_chain

    report = _run(verify_chain())
    if report.ok:
        click.echo(f"审计日志完整：已校验 {report.checked} 条记录，哈希链无断裂。 (chain intact)")
        return
    click.echo(f"审计日志被篡改：第 {report.first_broken_seq} 条记录起链条断裂。{report.reason} "
               f"(chain broken at record {report.first_broken_seq})", err=True)
    sys.exit(1)


@main.command("verify")
@click.argument("bundle", type=click.Path(dir_okay=False))
@click.option("--sha256", "expect_sha256", default=None, help="文件页脚上印的评审包 SHA-256，一并核对")
def verify(bundle: str, expect_sha256: str | None) -> None:
    """Re-check a review bundle: scores, draws, sheets, audit records (校验评审包)."""
    from app.exports.verify import run

    sys.exit(run(bundle, expect_sha256=expect_sha256, echo=click.echo))


if __name__ == "__main__":
    main()
