"""Name normalisation: the spellings agencies actually type must meet."""

from __future__ import annotations

import pytest

from app.conflicts.names import (
    credit_code_problem,
    normalise_credit_code,
    normalise_org_name,
    normalise_person_name,
    parent_from_branch_name,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("云南金沙化工有限公司", "云南金沙化工有限责任公司"),  # 有限公司 / 有限责任公司
        ("云南金沙化工股份有限公司", "云南金沙化工有限公司"),  # 股份有限公司
        ("云南 金沙 化工有限公司", "云南金沙化工有限公司"),  # half-width spaces
        ("云南\u3000金沙化工有限公司", "云南金沙化工有限公司"),  # ideographic space
        ("云南金沙（集团）有限公司", "云南金沙(集团)有限公司"),  # full-width / half-width brackets
        ("云南金沙【集团】有限公司", "云南金沙集团有限公司"),  # other brackets, content kept
        ("ＡＢＣ安全科技有限公司", "abc安全科技有限公司"),  # full-width Latin, case
        ("昆明１号矿业有限公司", "昆明1号矿业有限公司"),  # full-width digits
        ("大理苍洱会计师事务所（特殊普通合伙）", "大理苍洱会计师事务所"),  # partnership form
        ("云南建投第一建设有限公司昆明分公司", "云南建投第一建设有限责任公司昆明分公司"),  # form inside a branch
    ],
)
def test_spellings_of_one_unit_normalise_alike(a, b):
    assert normalise_org_name(a) == normalise_org_name(b)


def test_normalised_form_is_the_distinctive_part():
    assert normalise_org_name(" 云南 金沙（集团）有限责任公司 ") == "云南金沙集团"
    assert normalise_org_name("昆明理工大学") == "昆明理工大学"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("云南金沙化工有限公司", "云南金沙矿业有限公司"),
        ("昆明金沙化工有限公司", "云南金沙化工有限公司"),
        ("云南金沙集团有限公司", "云南金沙有限公司"),  # 集团 is part of the name, not its form
        ("云南建投第一建设有限公司昆明分公司", "云南建投第一建设有限公司"),  # branch ≠ parent by name alone
    ],
)
def test_different_units_stay_different(a, b):
    assert normalise_org_name(a) != normalise_org_name(b)


def test_a_bare_legal_form_is_not_emptied():
    assert normalise_org_name("有限公司") == "有限公司"
    assert normalise_org_name("") == ""


@pytest.mark.parametrize(
    ("branch", "parent"),
    [
        ("云南建投第一建设有限公司昆明分公司", "云南建投第一建设有限公司"),
        ("中国工商银行股份有限公司昆明分行", "中国工商银行股份有限公司"),
        ("中国平安财产保险股份有限公司云南分公司", "中国平安财产保险股份有限公司"),
        ("云南金沙（集团）有限公司 大理分公司", "云南金沙集团有限公司"),
    ],
)
def test_parent_named_in_a_branch(branch, parent):
    assert parent_from_branch_name(branch) == parent


@pytest.mark.parametrize("name", ["云南建投第一建设有限公司", "中国建设银行昆明分行", "昆明理工大学"])
def test_no_parent_without_a_full_registered_name(name):
    assert parent_from_branch_name(name) is None


def test_credit_codes():
    assert normalise_credit_code(" 9135 0100-m000100y43 ") == "91350100M000100Y43"
    assert credit_code_problem("91350100M000100Y43") is None
    assert credit_code_problem("91350100M000100Y44") == "统一社会信用代码校验位不正确"
    assert "18 位" in credit_code_problem("9135")
    assert "不允许的字符" in credit_code_problem("91350100M000100I43")


def test_person_names():
    assert normalise_person_name("张 三") == normalise_person_name("张三")
    assert normalise_person_name("阿依古丽·买买提") == normalise_person_name("阿依古丽买买提")
    assert normalise_person_name("张三") != normalise_person_name("张山")
