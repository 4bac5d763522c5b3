"""The demo roster as an import workbook, and generated rosters of any size for the benchmark.

`python -m app.roster demo-xlsx 专家库.xlsx` writes the demo roster in the import template, so
the agency's daily path (download template → fill → dry run → import) can be tried on it.
"""

from __future__ import annotations

from typing import Any

from app.roster.specialties import DEFAULT_SPECIALTIES, SpecialtyTree
from app.roster.xlsx import template


def default_tree() -> SpecialtyTree:
    return SpecialtyTree([{"code": c, "name": n, "parent_code": p, "sort_order": i}
                          for i, (c, n, p) in enumerate(DEFAULT_SPECIALTIES)])


def demo_rows(count: int = 300, seed: int = 2026) -> list[dict[str, Any]]:
    """The demo experts (app.demo) as template rows: specialties by name, 申请/在库 only."""
    from app.demo import make_experts  # the demo owns the generator; imported late to keep this light

    tree = default_tree()
    rows = []
    for e in make_experts(count, seed):
        rows.append({**e, "specialties": [tree.label(c) for c in e["specialties"]],
                     "status": "申请" if e["status"] == "applied" else "在库", "notes": ""})
    return rows


def demo_workbook(count: int = 300, seed: int = 2026) -> bytes:
    tree = default_tree()
    return template([o["label"] for o in tree.options()], demo_rows(count, seed))
