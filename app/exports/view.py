"""Look-ups every document needs, built once per bundle (names, criteria, results by id)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.web.formatting import REVIEW_KINDS as KINDS
from app.web.formatting import REVIEW_STATUSES, beijing, chinese_part, flag_label, outcome

from .bundle import FINISHED_STATUSES, bundle_sha256
from .model import Footer

TRIGGERS = {"below_mean": "低于有效报价平均值的比例", "below_second_lowest": "低于次低报价的比例",
            "below_max_price": "低于最高限价（预算）的比例"}
DASH = "—"


def flags_text(flags: list[str] | None, kind: str = "") -> str:
    return "、".join(flag_label(f, kind) for f in flags or []) or DASH


def text(value: Any) -> str:
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def when(value: str | None) -> str:
    """ISO time (UTC in the bundle) as Beijing time to the second: 2026-03-02 17:00:00."""
    if not value:
        return DASH
    return beijing(value, seconds=True)


def exact_sum(values: list[Any], places: int) -> str:
    """An expert's subtotal: an exact sum, shown with at least the result's decimal places."""
    total = sum((Decimal(str(v)) for v in values), Decimal(0))
    shown = total.quantize(Decimal(1).scaleb(-places)) if total == total.quantize(Decimal(1).scaleb(-places)) \
        else total.normalize()
    return format(shown, "f")


@dataclass
class View:
    raw: dict[str, Any]
    generated_at: str

    def __post_init__(self) -> None:
        raw = self.raw
        self.review = raw["review"]
        self.review_id = str(self.review["id"])
        self.draft = self.review.get("status") not in FINISHED_STATUSES
        self.sha256 = bundle_sha256(raw)
        self.footer = Footer(self.review_id, self.generated_at, self.sha256)
        self.input = raw["scoring"]["input"]
        self.output = raw["scoring"]["output"]
        self.decimals = int(self.output.get("meta", {}).get("decimals", self.input.get("decimals", 2)))
        self.criteria = self.input.get("criteria", [])
        self.bids = self.input.get("bids", [])
        self.bid_names = {str(b["id"]): b.get("name") or str(b["id"]) for b in self.bids}
        self.results = {str(b["id"]): b for b in self.output.get("bids", [])}
        self.names = {str(m["expert"]): m.get("name", "") for m in raw.get("panel", [])}
        for sheet in raw.get("sheets", []):
            self.names.setdefault(str(sheet["expert"]), sheet.get("name", ""))
        seen: dict[str, None] = {}
        for s in self.input.get("scores", []):
            seen.setdefault(str(s["expert"]), None)
        self.experts = list(seen)
        self.kind = str(self.review.get("kind", ""))
        self.party = "供应商" if self.kind == "consultation" else "申报项目"
        self.criterion_names = {str(c["id"]): str(c.get("name") or c["id"]) for c in self.criteria}
        # 是/否 veto questions (`points: false`) carry no points: left out of every subtotal
        self.questions = {str(c["id"]) for c in self.criteria if c.get("points") is False}
        self.warnings = [chinese_part(w) for w in self.output.get("warnings", [])]

    def expert_label(self, expert: Any) -> str:
        """A person's name (ids are for the bundle and the 专家编号 column, not for readers)."""
        return self.names.get(str(expert)) or str(expert)

    def bid_label(self, bid: Any) -> str:
        return self.bid_names.get(str(bid), str(bid))

    def criterion_name(self, criterion: Any) -> str:
        return self.criterion_names.get(str(criterion), str(criterion))

    def outcome(self, passed: Any) -> str:
        return outcome(self.kind, passed)

    def flags(self, flags: list[str] | None) -> str:
        return flags_text(flags, self.kind)

    def subtotals(self) -> dict[tuple[str, str], str]:
        """(expert, bid) → that expert's sum over the criteria, exact."""
        values: dict[tuple[str, str], list[Any]] = {}
        for s in self.input.get("scores", []):
            if str(s["criterion"]) in self.questions:
                continue
            values.setdefault((str(s["expert"]), str(s["bid"])), []).append(s["value"])
        return {k: exact_sum(v, self.decimals) for k, v in values.items()}

    def fields(self, n: int, *extra: tuple[str, str]) -> list[tuple[str, str]]:
        """The first `n` heading fields, then the document's own."""
        return [*self.heading_fields()[:n], *extra]

    def heading_fields(self) -> list[tuple[str, str]]:
        project = self.review.get("project", {})
        return [
            ("评审编号", self.review_id),
            ("项目名称", f"{project.get('name', '')}（{project.get('code', '')}）"),
            ("评审方式", KINDS.get(self.kind, self.kind)),
            ("经办机构", self.review.get("agency", {}).get("name", "")),
            ("评审状态", REVIEW_STATUSES.get(str(self.review.get("status", "")), str(self.review.get("status", "")))
             + ("（草稿）" if self.draft else "")),
        ]
