"""Checking what a member typed: every score in [0, criterion max], at most two decimals, and
only for valid bids and criteria of this review (214号 Art. 32 (3); regulations §1.5 step 1).

Pure: the caller passes the review's bids and criteria.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.web.parsing import plain_int

MAX_COMMENT = 2000
#: a veto question's answer as the form or the API sends it → the value scoring/ reads
ANSWERS = {"1": Decimal("1.00"), "1.00": Decimal("1.00"), "否": Decimal("1.00"),
           "0": Decimal("0.00"), "0.00": Decimal("0.00"), "是": Decimal("0.00")}
# Plain decimals only: no exponents, no NaN or Infinity, no thousands separators.
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?")  # ASCII: "１２" and "²" are not scores


@dataclass(frozen=True)
class Entry:
    """One typed score: `value` is the raw text ("" = not scored yet)."""

    bid: Any
    criterion: Any
    value: str
    comment: str = ""


@dataclass(frozen=True)
class CleanScore:
    bid: int
    criterion: int
    value: Decimal
    comment: str


def field(bid: int, criterion: int) -> str:
    return f"{bid}-{criterion}"


def _as_id(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    return plain_int(str(raw).strip(), low=0)


def check_entries(
    entries: Iterable[Entry],
    *,
    bids: Iterable[Mapping[str, Any]],
    criteria: Iterable[Mapping[str, Any]],
    complete: bool,
) -> tuple[list[CleanScore], dict[str, str]]:
    """(clean scores, errors keyed by "bid-criterion" or "scores"); `complete` demands every cell."""
    bid_rows = {b["id"]: b for b in bids}
    crit_rows = {c["id"]: c for c in criteria}
    errors: dict[str, str] = {}
    clean: dict[tuple[int, int], CleanScore] = {}
    for entry in entries:
        bid_id, crit_id = _as_id(entry.bid), _as_id(entry.criterion)
        bid = bid_rows.get(bid_id) if bid_id is not None else None
        crit = crit_rows.get(crit_id) if crit_id is not None else None
        if bid is None:
            errors["bid"] = f"投标（评审对象）{entry.bid} 不属于本次评审，不能评分"
            continue
        if crit is None:
            errors["criterion"] = f"评分项 {entry.criterion} 不属于本次评审"
            continue
        where = f"“{bid['title'] or bid['supplier_name']}”的“{crit['name']}”"
        key = field(bid["id"], crit["id"])
        if not bid["valid"]:
            errors[key] = f"{where}：该投标未通过资格/符合性审查，不参与评分"
            continue
        text = str(entry.value if entry.value is not None else "").strip()
        comment = str(entry.comment or "")
        if len(comment) > MAX_COMMENT:
            errors[key] = f"{where}：评语不超过 {MAX_COMMENT} 字"
            continue
        if text == "":
            continue
        if crit.get("veto") and Decimal(str(crit["max_points"] or 0)) == 0:
            # 否决项: a 是/否 answer stored as 1 (否, the condition does not hold) or 0 (是, vetoed)
            if text not in ANSWERS:
                errors[key] = f"{where}：否决项请选择“是”或“否”"
            elif (bid["id"], crit["id"]) in clean:
                errors[key] = f"{where}：同一项重复填写"
            else:
                clean[(bid["id"], crit["id"])] = CleanScore(bid["id"], crit["id"], ANSWERS[text], comment.strip())
            continue
        try:
            value = Decimal(text) if _NUMBER.fullmatch(text) else None
        except InvalidOperation:
            value = None
        if value is None:
            errors[key] = f"{where}：“{text}”不是数字"
            continue
        maximum = Decimal(crit["max_points"])
        if value < 0 or value > maximum:
            errors[key] = f"{where}：得分须在 0–{_plain(maximum)} 分之间（您填写了 {text}）"
        elif value != value.quantize(Decimal("0.01")):
            errors[key] = f"{where}：得分最多保留两位小数（您填写了 {text}）"
        elif (bid["id"], crit["id"]) in clean:
            errors[key] = f"{where}：同一项重复填写"
        else:
            clean[(bid["id"], crit["id"])] = CleanScore(bid["id"], crit["id"], value.quantize(Decimal("0.01")),
                                                        comment.strip())
    if complete and not errors:
        missing = [(b, c) for b in bid_rows.values() if b["valid"] for c in crit_rows.values()
                   if (b["id"], c["id"]) not in clean]
        for b, c in missing:
            errors[field(b["id"], c["id"])] = f"“{b['title'] or b['supplier_name']}”的“{c['name']}”尚未评分"
        if missing:
            errors["scores"] = f"还有 {len(missing)} 项未评分，全部评完后才能提交"
    return sorted(clean.values(), key=lambda s: (s.bid, s.criterion)), errors


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
