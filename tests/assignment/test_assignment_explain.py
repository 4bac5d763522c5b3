"""Infeasible plans explain themselves: what is short, by how much, and which relaxation fixes it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assignment import AssignmentError, solve

ROOT = Path(__file__).resolve().parents[2]


def _explained(data: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    with pytest.raises(AssignmentError) as info:
        solve(data, seed=1)
    assert info.value.explanation is not None
    return info.value.errors, info.value.explanation


def _relax(ex: dict[str, Any], kind: str) -> dict[str, Any]:
    (r,) = [r for r in ex["relaxations"] if r["kind"] == kind]
    return r


def _region_plan(mode: str) -> dict[str, Any]:
    # Three panels may only use the 10 experts of 北区 (15 seats); 30 more experts live in 南区.
    experts = [{"id": f"n{i}", "org": f"on{i}", "region": "北区", "specialties": ["A"]} for i in range(10)]
    experts += [{"id": f"s{i}", "org": f"os{i}", "region": "南区", "specialties": ["A"]} for i in range(30)]
    panels = [{"id": f"P{j}", "size": 5, "accept": ["A"], "alternates": 0, "regions": ["北区"]} for j in range(3)]
    panels.append({"id": "Q", "size": 5, "accept": ["A"], "alternates": 1})
    return {"mode": mode, "experts": experts, "panels": panels}


@pytest.mark.parametrize("mode", ["balanced", "best_match", "draw"])
def test_scarce_region_is_named_with_its_shortfall_and_computed_fixes(mode: str) -> None:
    _, ex = _explained(_region_plan(mode))
    assert ex["proven"] and ex["lp_shortfall"] == 5.0
    (region,) = ex["by_region"]
    assert region["regions"] == ["北区"] and region["panels"] == 3
    assert region["demand"] == 15 and region["supply"] == 10 and region["short"] == 5
    assert ex["by_specialty"] == []  # nothing is short of A on its own
    wider = _relax(ex, "wider_region")
    assert wider["panels"] == ["P0", "P1", "P2"] and wider["feasible"] and wider["verified"]
    more = _relax(ex, "more_load")
    # 15 seats from 10 people needs max_load 2: raising every cap by 1 is the smallest fix.
    assert more["raise_by"] == 1 and more["feasible"] and more["verified"]


def test_short_specialty_by_how_much_and_fewer_quota_seats() -> None:
    experts = [{"id": f"a{i}", "org": f"oa{i}", "specialties": ["A"]} for i in range(5)]
    experts += [{"id": f"b{i}", "org": f"ob{i}", "specialties": ["B"]} for i in range(20)]
    panels = [{"id": f"P{j}", "size": 3, "require": {"A": 2}, "accept": ["A", "B"], "alternates": 0}
              for j in range(4)]
    errors, ex = _explained({"mode": "balanced", "experts": experts, "panels": panels})
    assert any(e["specialty"] == "A" and e["needed"] == 8 and e["available"] == 5 for e in errors)
    (spec,) = ex["by_specialty"]
    assert spec == {"specialty": "A", "demand": 8, "supply": 5, "short": 3, "short_in_joint_plan": 3.0}
    fewer = _relax(ex, "fewer_quota_seats")
    assert fewer["feasible"] and fewer["verified"]
    assert sum(c["from"] - c["to"] for c in fewer["changes"]) == 3
    assert all(c["specialty"] == "A" for c in fewer["changes"])
    more = _relax(ex, "more_load")
    assert more["raise_by"] == 1 and more["verified"]  # five A holders sitting twice cover eight seats


def test_yearly_cap_shortage_names_the_cap_to_raise() -> None:
    experts = [{"id": f"e{i}", "org": f"o{i}", "specialties": ["A"], "max_load": 5, "prior_load": 3}
               for i in range(6)]
    panels = [{"id": f"P{j}", "size": 3, "accept": ["A"], "alternates": 0} for j in range(4)]
    _, ex = _explained({"mode": "best_match", "rules": {"yearly_cap": 4}, "experts": experts, "panels": panels})
    assert ex["lp_shortfall"] == 6.0
    assert ex["by_specialty"] == [] and ex["by_region"] == []  # open seats: no specialty or region to blame
    more = _relax(ex, "more_load")
    assert more["raise_by"] == 1 and more["changes"] == {"yearly_cap": [4, 5]} and more["verified"]


def test_explicit_null_rules_still_get_a_load_relaxation() -> None:
    experts = [{"id": f"e{i}", "org": f"o{i}", "specialties": ["A"]} for i in range(4)]
    panels = [{"id": f"P{j}", "size": 3, "accept": ["A"], "alternates": 0} for j in range(2)]
    _, ex = _explained({"mode": "balanced", "rules": None, "experts": experts, "panels": panels})
    more = _relax(ex, "more_load")
    assert more["raise_by"] == 1 and more["feasible"] and more["verified"]


def test_alternates_shortage_offers_fewer_alternates() -> None:
    experts = [{"id": f"e{i}", "org": f"o{i}", "specialties": ["A"]} for i in range(6)]
    data = {"mode": "balanced", "experts": experts,
            "panels": [{"id": "P", "size": 5, "accept": ["A"], "alternates": 3}]}
    _, ex = _explained(data)
    assert ex["lp_shortfall"] == 0.0  # members fit; only the alternates do not
    fewer = _relax(ex, "fewer_alternates")
    assert fewer["changes"] == [{"panel": "P", "from": 3, "to": 1}] and fewer["verified"]


def test_cli_prints_the_explanation_with_status_infeasible(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_region_plan("balanced"), ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "assignment", "solve", str(path), "--seed", "4", "--quiet"],
                          capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    out = json.loads(proc.stdout.decode("utf-8"))
    assert out["status"] == "infeasible" and out["errors"][0]["code"] == "infeasible"
    assert out["explanation"]["by_region"][0]["short"] == 5
    assert {r["kind"] for r in out["explanation"]["relaxations"]} >= {"more_load", "wider_region"}
