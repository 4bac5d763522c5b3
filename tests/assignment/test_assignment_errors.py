"""Infeasible inputs name the short specialty; malformed inputs give invalid_input."""

from __future__ import annotations

from typing import Any

import pytest

from assignment import AssignmentError, solve


def _errors(data: Any, seed: int = 1) -> list[dict[str, Any]]:
    with pytest.raises(AssignmentError) as info:
        solve(data, seed=seed)
    return info.value.errors


def _experts(spec_counts: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for s, n in spec_counts.items():
        out += [{"id": f"{s}{i}", "org": f"org-{s}{i}", "specialties": [s]} for i in range(n)]
    return out


@pytest.mark.parametrize("mode", ["draw", "balanced", "randomized"])
def test_infeasible_names_the_short_specialty(mode: str) -> None:
    data = {"mode": mode, "experts": _experts({"安全工程": 9, "职业卫生": 1}),
            "panels": [{"id": "P1", "size": 5, "require": {"安全工程": 2, "职业卫生": 2}, "alternates": 1}]}
    (err,) = _errors(data)
    assert err["code"] == "infeasible"
    assert err["panel"] == "P1" and err["specialty"] == "职业卫生"
    assert err["needed"] == 2 and err["available"] == 1
    assert "职业卫生" in err["message"] and "needs 2" in err["message"]


def test_conflicts_and_org_cap_count_against_supply() -> None:
    experts = [{"id": f"x{i}", "org": "same", "specialties": ["A"]} for i in range(5)]
    experts += [{"id": "y", "org": "other", "specialties": ["A"]}]
    data = {"experts": experts, "panels": [{"id": "P", "size": 3, "accept": ["A"], "alternates": 0}],
            "conflicts": [["y", "P"]]}
    (err,) = _errors(data)
    assert err["code"] == "infeasible" and err["needed"] == 3 and err["available"] == 1
    assert err["specialty"] == "A"


def test_joint_shortage_of_two_specialties_is_explained() -> None:
    # Three experts hold both A and B: each quota alone is met, together they are not.
    experts = [{"id": f"e{i}", "org": f"o{i}", "specialties": ["A", "B"]} for i in range(3)]
    experts += [{"id": f"c{i}", "org": f"c{i}", "specialties": ["C"]} for i in range(5)]
    data = {"experts": experts, "panels": [
        {"id": "P", "size": 4, "require": {"A": 2, "B": 2}, "accept": ["C"], "alternates": 0}]}
    (err,) = _errors(data)
    assert err["needed"] == 4 and err["available"] == 3
    assert err["specialty"] in {"A", "B"} and err["specialties"] == ["A", "B"]


def test_load_shortage_across_panels_names_the_specialty() -> None:
    experts = _experts({"A": 3, "B": 10})
    panels = [{"id": f"P{j}", "size": 2, "require": {"A": 1}, "accept": ["B"], "alternates": 0}
              for j in range(4)]
    for mode in ("draw", "balanced"):
        errs = _errors({"mode": mode, "experts": experts, "panels": panels})
        assert any(e["specialty"] == "A" and e["needed"] == 4 and e["available"] == 3 for e in errs), errs


def test_alternates_shortage_is_infeasible() -> None:
    data = {"experts": _experts({"A": 5}), "panels": [{"id": "P", "size": 5, "accept": ["A"]}]}
    (err,) = _errors(data)
    assert err["code"] == "infeasible" and err["needed"] == 7 and err["available"] == 5


def test_q_too_small_is_infeasible() -> None:
    data = {"mode": "randomized", "q": 0.2, "experts": _experts({"A": 8}),
            "panels": [{"id": "P", "size": 2, "accept": ["A"], "alternates": 0}]}
    (err,) = _errors(data)
    assert err["code"] == "infeasible" and "q=0.2" in err["message"]
    assert err["specialty"] is None and err["needed"] == 10 and err["available"] == 8


def test_q_names_the_specialty_it_starves() -> None:
    data = {"mode": "randomized", "q": 0.5, "experts": _experts({"A": 3, "B": 20}),
            "panels": [{"id": "P", "size": 4, "require": {"A": 2}, "accept": ["B"], "alternates": 0}]}
    (err,) = _errors(data)
    assert err["specialty"] == "A" and err["needed"] == 4 and err["available"] == 3


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"experts": [], "panels": [{"id": "P", "size": 1}]}, "experts"),
        ({"experts": [{"id": "a"}], "panels": []}, "panels"),
        ({"experts": [{"id": "a"}, {"id": "b"}], "panels": [{"id": "P", "size": 3}]}, "panels[0].size"),
        ({"experts": [{"id": "a"}, {"id": "a"}], "panels": [{"id": "P", "size": 1}]}, "experts[1].id"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}, {"id": "P", "size": 1}]},
         "panels[1].id"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}], "conflicts": [["zz", "P"]]},
         "conflicts[0]"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}], "conflicts": [["a", "QQ"]]},
         "conflicts[0]"),
        ({"experts": [{"id": "a", "specialties": "A"}], "panels": [{"id": "P", "size": 1}]},
         "experts[0].specialties"),
        ({"experts": [{"id": True}], "panels": [{"id": "P", "size": 1}]}, "experts[0].id"),
        ({"experts": [{"id": "a", "max_load": -1}], "panels": [{"id": "P", "size": 1}]},
         "experts[0].max_load"),
        ({"experts": [{"id": "a", "available": "yes"}], "panels": [{"id": "P", "size": 1}]},
         "experts[0].available"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": "1"}]}, "panels[0].size"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1, "require": {"A": 2}}]},
         "panels[0].require"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1, "exclude_org": ["x"]}]},
         "panels[0].exclude_org"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}], "mode": "lottery"}, "mode"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}], "q": 0}, "q"),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}], "rules": {"max_per_org": 0}},
         "rules.max_per_org"),
        ([1, 2, 3], ""),
        ({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1}], "x": float("nan")}, ""),
    ],
)
def test_malformed_input_is_invalid_input(data: Any, path: str) -> None:
    errs = _errors(data)
    assert all(e["code"] == "invalid_input" for e in errs)
    assert path in [e["path"] for e in errs], errs
    assert all(" / " in e["message"] for e in errs)  # Chinese / English


def test_all_faults_are_listed_at_once() -> None:
    data = {"experts": [{"id": "a"}, {"id": "a"}, {"id": 1.5}], "panels": [{"id": "P", "size": 0}]}
    assert len(_errors(data)) == 3


def test_bad_seed_is_invalid_input() -> None:
    errs = _errors({"experts": [{"id": "a"}], "panels": [{"id": "P", "size": 1, "alternates": 0}]}, seed=-5)
    assert errs[0]["code"] == "invalid_input" and errs[0]["path"] == "seed"


def test_expert_without_specialties_only_sits_where_anyone_is_accepted() -> None:
    data = {"experts": [{"id": "a"}, {"id": "b", "specialties": ["X"]}],
            "panels": [{"id": "P", "size": 1, "accept": ["X"], "alternates": 0},
                       {"id": "Q", "size": 1, "alternates": 0}]}
    out = solve(data, seed=2)
    assert out["panels"][0]["members"] == ["b"] and out["panels"][1]["members"] == ["a"]
