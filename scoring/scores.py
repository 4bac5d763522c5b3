"""Turn the list of individual scores into an exact int64 array expert × bid × criterion.

Tens of thousands of scores arrive as dicts, so the common well-formed case goes through list
comprehensions and NumPy; only when something is wrong does a per-item pass run to say exactly
which score, expert, bid and criterion is at fault.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np

from .errors import (
    INVALID_INPUT,
    MISSING_SCORE,
    OBJECTIVE_MISMATCH,
    SCORE_OUT_OF_RANGE,
    UNKNOWN_REFERENCE,
    ErrorList,
)
from .model import MAX_DECIMALS, Bid, Criterion, ident
from .numbers import NotADecimal, decimal_places, natural_key, plain, to_decimal

_FIELDS = ("expert", "bid", "criterion", "value")
SCORE_LIMIT = Decimal(10**9)  # far above any criterion maximum; keeps every sum exact in int64


def _fmt(units: int, scale: int) -> str:
    # plain digits: str() of a normalised 20 is "2E+1", which no expert reads as twenty
    return plain(Decimal(units).scaleb(-scale).normalize()) if units else "0"


class ScoreSheet:
    """The parsed scores: `values[e, v, c]` in units of 10^-scale for valid bids v."""

    def __init__(self, experts: tuple[Any, ...], scale: int, values: np.ndarray, max_units: np.ndarray, ignored: int):
        self.experts = experts
        self.scale = scale
        self.values = values
        self.max_units = max_units
        self.ignored = ignored  # scores given to invalid bids: validated, then left out


def build_sheet(
    raw: Any, criteria: tuple[Criterion, ...], bids: tuple[Bid, ...], errors: ErrorList
) -> ScoreSheet | None:
    """Validate the scores; None when errors were recorded that make an array meaningless."""
    if not isinstance(raw, list) or not raw:
        errors.add(INVALID_INPUT, "scores 应为非空列表", "scores must be a non-empty list")
        return None
    columns = _columns(raw, errors)
    if columns is None:
        return None
    expert_col, bid_col, criterion_col, values = columns
    expert_keys = sorted({ident(r) or "" for r in set(expert_col)}, key=natural_key)
    e_idx = _positions(expert_col, {key: i for i, key in enumerate(expert_keys)})
    b_idx = _positions(bid_col, {b.key: i for i, b in enumerate(bids)})
    c_idx = _positions(criterion_col, {c.key: i for i, c in enumerate(criteria)})
    expert_refs, bid_refs, criterion_refs = (_Refs(col) for col in (expert_col, bid_col, criterion_col))
    unknown = np.flatnonzero((b_idx < 0) | (c_idx < 0))
    for i in unknown[:50]:
        if b_idx[i] < 0:
            errors.add(
                UNKNOWN_REFERENCE,
                f"第 {i} 条评分：专家 {expert_refs[i]} 评的投标 {bid_refs[i]} 不在 bids 中",
                f"score {i}: expert {expert_refs[i]} scored bid {bid_refs[i]}, which is not in bids",
                expert=expert_refs[i],
                bid=bid_refs[i],
                criterion=criterion_refs[i],
            )
        if c_idx[i] < 0:
            errors.add(
                UNKNOWN_REFERENCE,
                f"第 {i} 条评分：专家 {expert_refs[i]} 对投标 {bid_refs[i]} 评的评分项 {criterion_refs[i]} "
                "不在 criteria 中",
                f"score {i}: expert {expert_refs[i]} scored criterion {criterion_refs[i]} of bid "
                f"{bid_refs[i]}, which is not in criteria",
                expert=expert_refs[i],
                bid=bid_refs[i],
                criterion=criterion_refs[i],
            )
    if unknown.size > 50:
        errors.add(
            UNKNOWN_REFERENCE,
            f"另有 {unknown.size - 50} 条评分引用未知对象",
            f"{unknown.size - 50} more scores refer to unknown bids or criteria",
        )
    scaled = _scaled_values(values, criteria, expert_refs, bid_refs, criterion_refs, errors)
    if scaled is None or unknown.size:
        return None
    units, scale = scaled
    max_units = np.array([int(c.max.scaleb(scale)) for c in criteria], dtype=np.int64)
    _check_range(units, c_idx, max_units, scale, criteria, expert_refs, bid_refs, errors)
    n_e, n_b, n_c = len(expert_keys), len(bids), len(criteria)
    flat = (e_idx * n_b + b_idx) * n_c + c_idx
    counts = np.bincount(flat, minlength=n_e * n_b * n_c)
    for cell in np.flatnonzero(counts > 1)[:50]:
        e, b, c = np.unravel_index(cell, (n_e, n_b, n_c))
        errors.add(
            INVALID_INPUT,
            f"专家 {expert_keys[e]} 对投标 {bids[b].key} 的评分项 {criteria[c].key} 有 {counts[cell]} 条评分",
            f"expert {expert_keys[e]} has {counts[cell]} scores for bid {bids[b].key}, criterion {criteria[c].key}",
            expert=expert_keys[e],
            bid=bids[b].key,
            criterion=criteria[c].key,
        )
    grid = np.zeros(n_e * n_b * n_c, dtype=np.int64)
    grid[flat] = units
    grid = grid.reshape(n_e, n_b, n_c)
    valid = np.array([b.valid for b in bids], dtype=bool)
    present = counts.reshape(n_e, n_b, n_c)[:, valid, :] > 0
    valid_bids = [b for b in bids if b.valid]
    _report_missing(present, expert_keys, valid_bids, criteria, errors)
    values_valid = grid[:, valid, :]
    if not errors:
        _check_objective(values_valid, scale, expert_keys, valid_bids, criteria, errors)
    if errors:
        return None
    ignored = int((~valid[b_idx]).sum())
    return ScoreSheet(tuple(expert_keys), scale, values_valid, max_units, ignored)


class _Refs:
    """A column of references, shown as the clerk typed them in messages about single scores."""

    def __init__(self, column: list[Any]):
        self.column = column

    def __getitem__(self, index: Any) -> str:
        return str(self.column[int(index)])


def _positions(column: list[Any], positions: dict[str, int]) -> np.ndarray:
    """Index of each reference in `positions`, -1 when unknown; ids are looked up once per distinct value."""
    lookup = {ref: positions.get(ident(ref) or "", -1) for ref in set(column)}
    return np.array([lookup[ref] for ref in column], dtype=np.int64)


def _columns(raw: list[Any], errors: ErrorList) -> tuple[list[Any], list[Any], list[Any], list[Any]] | None:
    """The four fields as columns, once every item is an object with string or integer ids."""
    try:
        columns = [[item[f] for item in raw] for f in _FIELDS]
        # bool is its own type, so `true` as an id fails here although True == 1 in a set.
        if all(set(map(type, col)) <= {str, int} for col in columns[:3]) and all(
            ident(ref) is not None for col in columns[:3] for ref in set(col)
        ):
            return columns[0], columns[1], columns[2], columns[3]
    except (TypeError, KeyError, IndexError):
        pass
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or any(f not in item for f in _FIELDS):
            errors.add(
                INVALID_INPUT,
                f"scores[{index}] 须为含 expert、bid、criterion、value 的对象",
                f"scores[{index}] must be an object with expert, bid, criterion and value",
            )
        elif any(ident(item[f]) is None for f in _FIELDS[:3]):
            errors.add(
                INVALID_INPUT,
                f"scores[{index}] 的 expert、bid、criterion 应为字符串或整数编号",
                f"scores[{index}]: expert, bid and criterion must be string or integer ids",
            )
        if len(errors.items) > 50:
            break
    return None


def _scaled_values(
    values: list[Any],
    criteria: tuple[Criterion, ...],
    expert_refs: _Refs,
    bid_refs: _Refs,
    criterion_refs: _Refs,
    errors: ErrorList,
) -> tuple[np.ndarray, int] | None:
    """Scores as integers in units of 10^-scale, scale being the finest decimal place used.

    A sheet holds few distinct values (a 0.5 grid has a few dozen), so each distinct value is
    converted exactly once — floats as their shortest repr (7.1 means 7.1), Decimals and strings
    as written — and the column is mapped through that table.
    """
    declared = [c.max for c in criteria] + [c.step for c in criteria if c.step is not None]
    base_scale = max(decimal_places(d) for d in declared) if declared else 0
    converted: dict[Any, Decimal] | None = None
    # bool is excluded before hashing, since True would merge with 1 in the table.
    if set(map(type, values)) <= {int, float, Decimal, str}:
        try:
            converted = {v: _score_decimal(v) for v in set(values)}
        except NotADecimal:
            converted = None
    if converted is None:
        for i, value in enumerate(values):
            try:
                _score_decimal(value)
            except NotADecimal:
                errors.add(
                    INVALID_INPUT,
                    f"专家 {expert_refs[i]} 对投标 {bid_refs[i]} 的评分项 {criterion_refs[i]} "
                    f"的分值 {value!r} 不是至多 {MAX_DECIMALS} 位小数的数",
                    f"expert {expert_refs[i]}, bid {bid_refs[i]}, criterion {criterion_refs[i]}: value "
                    f"{value!r} is not a number with at most {MAX_DECIMALS} decimals",
                    expert=expert_refs[i],
                    bid=bid_refs[i],
                    criterion=criterion_refs[i],
                )
        return None
    scale = max([base_scale, *(decimal_places(d) for d in converted.values())])
    table = {v: int(d.scaleb(scale)) for v, d in converted.items()}
    return np.array([table[v] for v in values], dtype=np.int64), scale


def _score_decimal(value: Any) -> Decimal:
    d = to_decimal(value)
    if abs(d) >= SCORE_LIMIT or decimal_places(d) > MAX_DECIMALS:
        raise NotADecimal(value)
    return d


def _check_range(
    units: np.ndarray,
    c_idx: np.ndarray,
    max_units: np.ndarray,
    scale: int,
    criteria: tuple[Criterion, ...],
    expert_refs: _Refs,
    bid_refs: _Refs,
    errors: ErrorList,
) -> None:
    """87号令 第64条 / 214号 第32条: a factor score outside [0, max] is an error, never clamped."""
    bad = np.flatnonzero((units < 0) | (units > max_units[c_idx]))
    for i in bad:
        c = criteria[c_idx[i]]
        value = _fmt(int(units[i]), scale)
        errors.add(
            SCORE_OUT_OF_RANGE,
            f"专家 {expert_refs[i]} 对投标 {bid_refs[i]} 的评分项 {c.key}（{c.name}）打了 {value} 分，"
            f"超出 0–{c.max} 的范围",
            f"expert {expert_refs[i]} gave bid {bid_refs[i]} {value} on criterion {c.key} ({c.name}), "
            f"outside 0–{c.max}",
            expert=expert_refs[i],
            bid=bid_refs[i],
            criterion=c.key,
        )


def _report_missing(
    present: np.ndarray,
    experts: list[str],
    bids: list[Bid],
    criteria: tuple[Criterion, ...],
    errors: ErrorList,
) -> None:
    for e, b, c in zip(*np.nonzero(~present), strict=True):
        errors.add(
            MISSING_SCORE,
            f"专家 {experts[e]} 未对投标 {bids[b].key} 的评分项 {criteria[c].key}（{criteria[c].name}）评分",
            f"expert {experts[e]} has no score for bid {bids[b].key}, criterion {criteria[c].key} ({criteria[c].name})",
            expert=experts[e],
            bid=bids[b].key,
            criterion=criteria[c].key,
        )


def _check_objective(
    values: np.ndarray,
    scale: int,
    experts: list[str],
    bids: list[Bid],
    criteria: tuple[Criterion, ...],
    errors: ErrorList,
) -> None:
    """214号 Art. 32 (4) / 87号令 第64条: objective factors must be scored identically by every expert."""
    objective = [i for i, c in enumerate(criteria) if c.objective]
    if not objective:
        return
    block = values[:, :, objective]
    spread = block.max(axis=0) != block.min(axis=0)
    for b, k in zip(*np.nonzero(spread), strict=True):
        c = criteria[objective[k]]
        given = ", ".join(f"{experts[e]}={_fmt(int(block[e, b, k]), scale)}" for e in range(len(experts)))
        errors.add(
            OBJECTIVE_MISMATCH,
            f"客观分不一致：投标 {bids[b].key} 的客观评分项 {c.key}（{c.name}）各专家评分不同（{given}）",
            f"objective criterion {c.key} ({c.name}) of bid {bids[b].key} is scored differently by the "
            f"experts ({given})",
            bid=bids[b].key,
            criterion=c.key,
        )


def score_steps(values: np.ndarray, max_units: np.ndarray, criteria: tuple[Criterion, ...], scale: int) -> np.ndarray:
    """Scoring step per criterion in units: as declared, else the largest step that every score given
    on it and its maximum are multiples of (on a real sheet some score is odd, so this finds the grid)."""
    steps = []
    for c, criterion in enumerate(criteria):
        if criterion.step is not None:
            steps.append(int(criterion.step.scaleb(scale)))
            continue
        given = int(np.gcd.reduce(values[:, :, c].ravel())) if values.size else 0
        steps.append(math.gcd(given, int(max_units[c])) or 1)
    return np.array(steps, dtype=np.int64)
