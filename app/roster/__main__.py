"""Roster commands: `python -m app.roster demo-xlsx FILE` and `python -m app.roster restore`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click


@click.group()
def main() -> None:
    """专家库 commands."""


@main.command("demo-xlsx")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="专家库-演示.xlsx")
@click.option("--experts", default=300, show_default=True, help="人数")
@click.option("--seed", default=2027, show_default=True,
              help="随机种子；与 pingshen demo 的种子（2026）不同，导入演示库时不会与已有专家重复")
def demo_xlsx(path: Path, experts: int, seed: int) -> None:
    """Write the demo roster in the import template (演示专家库导出为导入模板格式)."""
    from app.roster.sample import demo_workbook

    path.write_bytes(demo_workbook(experts, seed))
    click.echo(f"已写入 {path}（{experts} 名专家，可在“专家库 → 从 Excel 导入”上传）")


@main.command()
def restore() -> None:
    """Restore experts whose 暂停/请假 has ended (期满自动恢复); pages also do this on read."""
    from app.roster.services import restore_expired

    click.echo(f"已恢复 {asyncio.run(restore_expired())} 名专家")


if __name__ == "__main__":
    main()
