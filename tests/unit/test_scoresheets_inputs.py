"""The scoring input built from review rows, and the checks on what a member types (pure)."""

from __future__ import annotations

from decimal import Decimal

from app.scoresheets.entries import Entry, check_entries
from app.scoresheets.inputs import legal_part, result_sha256, scoring_input
from scoring import evaluate

CRITERIA = [
    {"id": 11, "name": "服务方案", "max_points": Decimal("40.00"), "group": "technical", "kind": "subjective",
     "veto": False},
    {"id": 12, "name": "服务承诺", "max_points": Decimal("30.00"), "group": "business", "kind": "objective",
     "veto": True},
]
BIDS = [
    {"id": 1, "supplier_name": "甲公司", "title": "", "final_quote": Decimal("80000.00"), "valid": True},
    {"id": 2, "supplier_name": "乙公司", "title": "", "final_quote": Decimal("100000.00"), "valid": True},
    {"id": 3, "supplier_name": "丙公司", "title": "", "final_quote": Decimal("90000.00"), "valid": True},
    {"id": 4, "supplier_name": "丁公司", "title": "", "final_quote": None, "valid": False},
]


def _scores() -> list[dict]:
    return [{"expert": e, "bid": b, "criterion": c, "value": Decimal(v)}
            for e, table in {"7": {1: ("30", "20"), 2: ("35.50", "20"), 3: ("31", "25")},
                             "P9": {1: ("29", "20"), 2: ("33", "20"), 3: ("30", "25")},
                             "8": {1: ("28", "20"), 2: ("36", "20"), 3: ("32", "25")}}.items()
            for b, values in table.items() for c, v in zip((11, 12), values, strict=True)]


def test_consultation_input_maps_category_weight_and_decimals():
    data = scoring_input(review={"id": 5, "kind": "consultation", "category": "gov_service",
                                 "price_weight": Decimal("0.3000")},
                         criteria=CRITERIA, bids=BIDS, scores=_scores(), budget=Decimal("120000.00"))
    assert data["method"] == "consultation" and data["category"] == "service"
    assert data["price_weight"] == "0.3" and data["two_supplier_exception"] is True and data["budget"] == "120000"
    assert data["criteria"][1] == {"id": 12, "name": "服务承诺", "max": "30", "group": "business",
                                   "kind": "objective", "veto": False}  # veto only for acceptance
    assert data["bids"][0] == {"id": 1, "name": "甲公司", "valid": True, "final_quote": "80000.00"}
    assert data["bids"][3] == {"id": 4, "name": "丁公司", "valid": False}
    assert data["scores"][0] == {"expert": "7", "bid": 1, "criterion": 11, "value": "30"}
    assert {"expert": "7", "bid": 2, "criterion": 11, "value": "35.5"} in data["scores"]
    assert "pass_score" not in data
    out = evaluate(data)
    assert [b["id"] for b in out["bids"]][:3] == [3, 1, 2]
    assert {b["id"]: b["price_score"] for b in out["bids"]}[1] == "30.00"


def test_goods_and_approval_and_acceptance_inputs():
    goods = scoring_input(review={"id": 1, "kind": "consultation", "category": "goods", "price_weight": Decimal("0.4")},
                          criteria=CRITERIA, bids=BIDS, scores=[])
    assert goods["category"] == "goods" and goods["two_supplier_exception"] is False
    approval = scoring_input(review={"id": 1, "kind": "approval", "category": "", "price_weight": None},
                             criteria=CRITERIA, bids=BIDS, scores=[], pass_score=Decimal("75.50"))
    assert approval["pass_score"] == "75.5" and "category" not in approval and "price_weight" not in approval
    acceptance = scoring_input(review={"id": 1, "kind": "acceptance", "category": "", "price_weight": None},
                               criteria=CRITERIA, bids=BIDS, scores=[])
    assert acceptance["pass_score"] == "60" and acceptance["criteria"][1]["veto"] is True


def test_result_hash_covers_only_the_legal_result():
    data = scoring_input(review={"id": 5, "kind": "consultation", "category": "services",
                                 "price_weight": Decimal("0.3")}, criteria=CRITERIA, bids=BIDS, scores=_scores())
    out = evaluate(data)
    changed = {**out, "warnings": ["x"], "agreement": {}}
    assert result_sha256(out) == result_sha256(changed)
    moved = {**out, "candidates": list(reversed(out["candidates"]))}
    assert result_sha256(out) != result_sha256(moved)
    assert set(legal_part(out)["bids"][0]) == {"id", "subjective", "price_score", "total", "rank", "passed"}


def test_entries_in_range_two_places_and_known_references():
    bids = [{"id": 1, "supplier_name": "甲", "title": "", "valid": True},
            {"id": 2, "supplier_name": "乙", "title": "", "valid": False}]
    criteria = [{"id": 5, "name": "方案", "max_points": Decimal("40")}]
    clean, errors = check_entries([Entry(1, 5, "39.50", "好")], bids=bids, criteria=criteria, complete=True)
    assert errors == {} and clean[0].value == Decimal("39.50") and clean[0].comment == "好"
    for value, message in (("40.01", "0–40"), ("-0.5", "0–40"), ("1.005", "两位小数"), ("1e1", "不是数字"),
                           ("x", "不是数字"), ("Infinity", "不是数字"), ("1,5", "不是数字")):
        _, errors = check_entries([Entry(1, 5, value)], bids=bids, criteria=criteria, complete=False)
        assert message in errors["1-5"], value
    _, errors = check_entries([Entry(9, 5, "1")], bids=bids, criteria=criteria, complete=False)
    assert "不属于本次评审" in errors["bid"]
    _, errors = check_entries([Entry(2, 5, "1")], bids=bids, criteria=criteria, complete=False)
    assert "资格" in errors["2-5"]
    _, errors = check_entries([Entry("1", "5", "")], bids=bids, criteria=criteria, complete=True)
    assert errors["scores"] == "还有 1 项未评分，全部评完后才能提交"
    _, errors = check_entries([Entry(1, 5, "1"), Entry(1, 5, "2")], bids=bids, criteria=criteria, complete=False)
    assert "重复" in errors["1-5"]


QUESTION = {"id": 13, "name": "存在虚报冒领、弄虚作假", "max_points": Decimal("0"), "group": "business",
            "kind": "subjective", "veto": True}


def test_veto_question_goes_to_scoring_as_a_yes_no_item_with_no_points():
    criteria = [CRITERIA[0], QUESTION]
    scores = [{"expert": e, "bid": 1, "criterion": c, "value": Decimal(v)}
              for e, (points, answer) in {"7": ("30", "1"), "8": ("32", "1"), "9": ("31", "0")}.items()
              for c, v in ((11, points), (13, answer))]
    data = scoring_input(review={"id": 1, "kind": "acceptance", "category": "", "price_weight": None},
                         criteria=criteria, bids=BIDS[:1], scores=scores, pass_score=Decimal("20"))
    assert data["criteria"][1] == {"id": 13, "name": "存在虚报冒领、弄虚作假", "max": "1", "group": "business",
                                   "kind": "subjective", "veto": True, "points": False}
    out = evaluate(data)
    (bid,) = out["bids"]
    assert bid["total"] == "31.00"  # the mean of 30, 32, 31: the answers add nothing
    assert bid["passed"] is False and bid["flags"][0] == "veto_failed"  # one member answered 是
    # an old veto criterion with points is still sent as points (its published inputs stay valid)
    old = scoring_input(review={"id": 1, "kind": "acceptance", "category": "", "price_weight": None},
                        criteria=[{**QUESTION, "max_points": Decimal("0.01")}], bids=BIDS[:1], scores=[])
    assert old["criteria"][0] == {"id": 13, "name": "存在虚报冒领、弄虚作假", "max": "0.01", "group": "business",
                                  "kind": "subjective", "veto": True}


def test_veto_question_takes_yes_or_no_only():
    bids = BIDS[:1]
    clean, errors = check_entries([Entry(1, 13, "否"), Entry(1, 11, "30")], bids=bids,
                                  criteria=[CRITERIA[0], QUESTION], complete=True)
    assert errors == {} and [(s.criterion, s.value) for s in clean] == [(11, Decimal("30.00")), (13, Decimal("1.00"))]
    clean, errors = check_entries([Entry(1, 13, "0")], bids=bids, criteria=[QUESTION], complete=True)
    assert errors == {} and clean[0].value == Decimal("0.00")
    _, errors = check_entries([Entry(1, 13, "0.5")], bids=bids, criteria=[QUESTION], complete=False)
    assert errors == {"1-13": "“甲公司”的“存在虚报冒领、弄虚作假”：否决项请选择“是”或“否”"}
