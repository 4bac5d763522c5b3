"""Excel (.xlsx) for the roster: the import template, reading an upload, writing an export.

Pure openpyxl, no database: the importer and the export service call these.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from app import spreadsheet

SHEET = "专家名单"
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, "不超过 50 个字符", 10),
    Column("id_number", "身份证号码", True, "18 位身份证号码（文本格式），校验位须正确；性别、出生年份由号码得出", 22),
    Column("phone", "手机号码", False, "11 位手机号码或 0871-12345678 形式的固定电话", 14),
    Column("email", "电子邮箱", False, "", 22),
    Column("employer", "工作单位", True, "现工作单位全称", 30),
    Column("employer_credit_code", "工作单位统一社会信用代码", False, "18 位，校验位须正确；用于回避比对", 22),
    Column("title", "职称", True, "如 高级工程师、副教授、会计师", 14),
    Column("level", "职称级别", True, "高级 或 中级（中级须从业满 8 年，可配置）", 10),
    Column("years_in_field", "从业年限", True, "0–60 的整数", 10),
    Column("region", "州（市）", True, "如 昆明市、红河州", 10),
    Column("county", "县（市、区）", False, "", 10),
    Column("specialties", "专业", True, "专业名称或编码，多个用“、”分隔，最多 3 个（可配置）；同名写成“上级/专业”", 24),
    Column("status", "状态", False, "申请 或 在库；不填为在库", 8),
    Column("notes", "备注", False, "", 20),
)
HEADERS = tuple(c.header for c in COLUMNS)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookError(ValueError):
    """The file as a whole cannot be read as the template (not .xlsx, empty, wrong columns)."""


def _header_key(value: Any) -> str:
    # Headers typed by hand: （） or (), stray spaces, a trailing * for required columns.
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).rstrip("*")


_BY_HEADER = {_header_key(c.header): c.key for c in COLUMNS}


@dataclass
class Sheet:
    rows: list[tuple[int, dict[str, Any]]]
    """(spreadsheet row number, values by column key) for every non-blank data row."""


def read_roster(content: bytes, filename: str = "") -> Sheet:
    """Rows of an uploaded template; WorkbookError with a Chinese message for a bad file."""
    name = filename.lower()
    if name and not name.endswith(".xlsx"):
        kind = "旧版 Excel（.xls）" if name.endswith(".xls") else ("CSV" if name.endswith(".csv") else "该格式")
        raise WorkbookError(f"不支持{kind}文件：请在 Excel 中“另存为” .xlsx 工作簿后再上传")
    if not content:
        raise WorkbookError("上传的文件是空的")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookError("文件不是有效的 .xlsx 工作簿（请用 Excel 另存为 .xlsx 格式）")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError("文件不是有效的 .xlsx 工作簿（请用 Excel 另存为 .xlsx 格式）") from exc
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or not any(v not in (None, "") for v in header):
            raise WorkbookError("工作簿是空的：第 1 行应为表头（请使用页面上提供的模板）")
        keys = _columns(header)
        out: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            if len(out) >= MAX_ROWS:
                raise WorkbookError(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
            out.append((number, {key: values[i] if i < len(values) else None for i, key in keys}))
    finally:
        book.close()
    if not out:
        raise WorkbookError("工作簿中没有数据行：表头下面是空的")
    return Sheet(out)


def _columns(header: Sequence[Any]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    extra, seen = [], set()
    for i, value in enumerate(header):
        label = _header_key(value)
        if not label:
            continue
        key = _BY_HEADER.get(label)
        if key is None:
            extra.append(str(value).strip())
        elif key in seen:
            extra.append(f"{str(value).strip()}（重复）")
        else:
            seen.add(key)
            found.append((i, key))
    missing = [c.header for c in COLUMNS if c.key not in seen]
    problems = []
    if missing:
        problems.append("缺少列：" + "、".join(missing))
    if extra:
        problems.append("多出列：" + "、".join(extra))
    if problems:
        raise WorkbookError("表头与模板不一致（" + "；".join(problems) + "）。请下载模板，按模板的列填写")
    return found


def _book_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header_row(ws: Any, headers: Sequence[str], widths: Sequence[int]) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, width in enumerate(widths):
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = width
    ws.freeze_panes = "A2"


def template(specialty_labels: Iterable[str], rows: Iterable[dict[str, Any]] = ()) -> bytes:
    """导入模板: the data sheet (optionally filled with `rows`) and a sheet that explains every column."""
    book = Workbook(write_only=False)
    ws = book.active
    ws.title = SHEET
    _header_row(ws, HEADERS, [c.width for c in COLUMNS])
    for c in ("B", "C", "F"):  # ID, phone and credit-code cells as text: Excel would round 18 digits
        ws.column_dimensions[c].number_format = "@"
    for row in rows:
        ws.append(spreadsheet.row(ws, [_cell(row.get(c.key)) for c in COLUMNS]))
    for r in ws.iter_rows(min_row=2):
        for idx in (1, 2, 5):
            r[idx].number_format = "@"
    notes = book.create_sheet("填写说明")
    _header_row(notes, ("列名", "必填", "说明"), (26, 8, 80))
    for c in COLUMNS:
        notes.append([c.header, "是" if c.required else "否", c.note])
    notes.append([])
    notes.append(["可填写的专业", "", "（名称或“上级/专业”）"])
    for label in specialty_labels:
        notes.append(spreadsheet.row(notes, ["", "", label]))
    return _book_bytes(book)


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return value


def export(headers: Sequence[str], rows: Iterator[Sequence[Any]] | Iterable[Sequence[Any]],
           title: str = "专家名单") -> bytes:
    book = Workbook(write_only=True)
    ws = book.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append(spreadsheet.row(ws, [_cell(v) for v in row]))
    return _book_bytes(book)
