"""The document model: each document is described once, as blocks, and rendered to both formats.

A `Part` is one worksheet in the .xlsx and starts a new page in the PDF (e.g. one expert's
个人评分表). Cells are text: legal figures are the decimal strings scoring/ returned, never
re-formatted floats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DRAFT_MARK = "草稿"
DRAFT_BANNER = "草稿 — 评审尚未结束，非正式文件"
# "·" (U+00B7) has no glyph in the built-in CID font STSong-Light; the full-width bar is in GB 2312.
SEPARATOR = "　｜　"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label–value pairs (项目名称：…)."""

    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A table. `widths` are relative column widths; `numeric` columns are right-aligned."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    numeric: frozenset[int] = frozenset()


Block = Heading | Text | Fields | Grid


@dataclass(frozen=True)
class Footer:
    review_id: str
    generated_at: str  # passed in by the caller: renderers never read the clock
    bundle_sha256: str

    def text(self) -> str:
        from app.web.formatting import beijing  # pure; imported here to keep the model free of app imports

        return SEPARATOR.join((f"评审编号 {self.review_id}", f"生成时间 {beijing(self.generated_at, seconds=True)}",
                               f"评审包 SHA-256 {self.bundle_sha256}"))


@dataclass(frozen=True)
class Part:
    name: str  # worksheet name (≤ 31 characters in Excel)
    blocks: list[Block]


@dataclass(frozen=True)
class Document:
    key: str  # file name stem, e.g. "评分汇总表"
    title: str
    parts: list[Part]
    footer: Footer
    draft: bool
    landscape: bool = False
    meta: dict[str, str] = field(default_factory=dict)
