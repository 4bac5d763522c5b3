"""Excel import: a dry run that names every bad row, then an all-or-nothing commit.

The dry run and the commit run the same checks; the commit repeats them inside its write
transaction (an ID number could have been added meanwhile), so a file is written whole or not
at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread

from app.audit import services as audit
from app.db import write_tx
from app.roster.config import rules
from app.roster.specialties import load_tree
from app.roster.status import today
from app.roster.tables import Expert
from app.roster.validation import validate_expert
from app.roster.xlsx import COLUMNS, Sheet, WorkbookError, read_roster
from app.settings import get_settings

_HEADER = {c.key: c.header for c in COLUMNS} | {"expert": "—"}
_TOKEN = re.compile(r"^[0-9a-f]{64}$")
BATCH = 500


@dataclass
class RowProblem:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    ok: bool
    total: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    file_error: str = ""
    token: str = ""
    imported: int = 0
    filename: str = ""

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "total": self.total, "bad_rows": self.bad_rows, "imported": self.imported,
                "file_error": self.file_error, "token": self.token,
                "problems": [{"row": p.row, "column": p.column, "message": p.message} for p in self.problems]}


def _problems(sheet: Sheet, tree: Any, existing: dict[str, dict[str, Any]]) -> tuple[list[RowProblem],
                                                                                   list[dict[str, Any]]]:
    limits, day = rules(), today()
    problems: list[RowProblem] = []
    clean_rows: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for number, values in sheet.rows:
        clean, errors = validate_expert(values, tree, limits, today=day, with_status=True)
        id_number = clean["id_number"]
        if "id_number" not in errors and id_number:
            if id_number in first_row:
                errors["id_number"] = f"与第 {first_row[id_number]} 行的身份证号码重复"
            elif id_number in existing:
                other = existing[id_number]
                errors["id_number"] = f"身份证号码已在专家库中（专家“{other['name']}”，编号 {other['id']}）"
            else:
                first_row[id_number] = number
        problems.extend(RowProblem(number, _HEADER.get(k, k), m) for k, m in errors.items())
        clean_rows.append(clean)
    return problems, clean_rows


async def _existing(id_numbers: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(id_numbers), BATCH):
        chunk = id_numbers[start:start + BATCH]
        for r in await Expert.select(Expert.id, Expert.name, Expert.id_number).where(Expert.id_number.is_in(chunk)):
            found[r["id_number"]] = r
    return found


async def _check(content: bytes, filename: str) -> tuple[ImportReport, Sheet | None, list[dict[str, Any]]]:
    # Parsing and checking a workbook is CPU work (seconds for 100,000 rows): it runs in a worker
    # thread so the event loop keeps serving everyone else meanwhile (tests/app/test_import_off_loop.py).
    try:
        sheet = await anyio.to_thread.run_sync(read_roster, content, filename)
    except WorkbookError as exc:
        return ImportReport(ok=False, file_error=str(exc), filename=filename), None, []
    ids = sorted({str(v.get("id_number") or "").strip().upper() for _, v in sheet.rows} - {""})
    problems, rows = await anyio.to_thread.run_sync(_problems, sheet, await load_tree(), await _existing(ids))
    report = ImportReport(ok=not problems, total=len(sheet.rows), problems=problems, filename=filename,
                          token=hashlib.sha256(content).hexdigest())
    return report, sheet, rows


async def dry_run(content: bytes, filename: str = "", *, keep: bool = False) -> ImportReport:
    """Check every row and write nothing; with `keep`, park a clean file for `commit_kept`."""
    report, _, _ = await _check(content, filename)
    if keep and report.ok:
        path = _parked(report.token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return report


async def commit(actor: Any, content: bytes, filename: str = "") -> ImportReport:
    """Import every row, or — if any row is bad — nothing at all."""
    report, sheet, rows = await _check(content, filename)
    if not report.ok or sheet is None:
        return report
    async with write_tx():
        # Checked again under the write lock: an ID number added since the check would clash.
        clash = await _existing(sorted({r["id_number"] for r in rows}))
        if clash:
            problems, _ = await anyio.to_thread.run_sync(_problems, sheet, await load_tree(), clash)
            return ImportReport(ok=False, total=report.total, problems=problems, filename=filename)
        ids = await _bulk_insert(rows)
        await audit.record(actor=actor, action="roster.imported", object_type="expert", object_id="import",
                           new={"count": len(rows), "file": filename, "sha256": report.token,
                                "first_id": min(ids), "last_id": max(ids)})
    report.imported = len(rows)
    return report


_INSERT_COLUMNS = ("name", "name_initials", "gender", "birth_year", "id_number", "phone", "email", "employer",
                   "employer_credit_code", "title", "level", "years_in_field", "region", "county", "specialties",
                   "status", "notes", "version", "created_at", "updated_at", "status_reason")


async def _bulk_insert(rows: list[dict[str, Any]]) -> list[int]:
    """Multi-row INSERTs: building a Piccolo object per row costs more than the database does."""
    now = dt.datetime.now(dt.UTC)
    extra = {"version": 1, "created_at": now, "updated_at": now, "status_reason": "导入"}
    names = ", ".join(f'"{c}"' for c in _INSERT_COLUMNS)
    one = "(" + ", ".join("{}" for _ in _INSERT_COLUMNS) + ")"
    ids: list[int] = []
    step = 30_000 // len(_INSERT_COLUMNS)  # below SQLite's 32,766 bound parameters
    step = min(step, BATCH * 2)
    for start in range(0, len(rows), step):
        chunk = rows[start:start + step]
        values: list[Any] = []
        for row in chunk:
            full = {**row, **extra, "specialties": json.dumps(row["specialties"], ensure_ascii=False)}
            values.extend(full[c] for c in _INSERT_COLUMNS)
        sql = f"INSERT INTO expert ({names}) VALUES {', '.join([one] * len(chunk))} RETURNING id"
        ids.extend(r["id"] for r in await Expert.raw(sql, *values))
    return ids


def _parked(token: str) -> Path:
    return get_settings().data_dir / "imports" / f"{token}.xlsx"


async def commit_kept(actor: Any, token: str, filename: str = "") -> ImportReport:
    """Commit a file parked by a clean dry run (the page's 确认导入 button), then forget it."""
    if not _TOKEN.match(token) or not (path := _parked(token)).exists():
        return ImportReport(ok=False, file_error="找不到已检查的文件，请重新上传并检查")
    report = await commit(actor, path.read_bytes(), filename)
    if report.ok:
        path.unlink(missing_ok=True)
    return report
