"""Normalising organisation, person and credit-code spellings so the same unit matches itself.

Agencies type unit names by hand: full-width and half-width brackets, stray spaces, 有限公司 or
有限责任公司, 分公司 names. A 回避 check that misses a match because of a bracket is a check
that lets a conflicted expert review, so every comparison goes through these functions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Legal-form suffixes (组织形式) that do not tell two units apart; longest first.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "责任有限公司", "有限公司", "股份公司")
#: A partnership's form in brackets, e.g. 会计师事务所（特殊普通合伙）.
_PARTNERSHIP = re.compile(r"\((?:特殊普通合伙|普通合伙|有限合伙)\)")
_BRACKETS = str.maketrans("", "", "()[]{}<>【】〔〕〈〉《》「」『』")
_BRANCH = "分公司|分行|支行|支公司|分所|分院|分中心|办事处"
_FORM = "|".join(LEGAL_FORMS)
#: A legal form in the middle of a branch's name: X有限公司昆明分公司.
_INNER_FORM = re.compile(rf"(?:{_FORM})(?=.+(?:{_BRANCH})$)")
#: X有限公司 + Y分公司 → the parent's own full name appears in the branch's name.
_BRANCH_OF = re.compile(rf"^(.+(?:{_FORM}))(.+?(?:{_BRANCH}))$")
_PERSON_DOTS = str.maketrans("", "", "·•・.．")
#: GB 32100-2015 统一社会信用代码 alphabet and weights.
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _compact(value: str) -> str:
    # NFKC folds full-width letters, digits, brackets and the ideographic space to half-width.
    return "".join(unicodedata.normalize("NFKC", value or "").split())


@lru_cache(maxsize=131072)
def normalise_org_name(name: str) -> str:
    """单位名称规范化 — the form two spellings of one unit share.

    Full-width → half-width, no whitespace, bracket characters dropped (their content kept),
    partnership forms and legal-form suffixes (有限公司, 有限责任公司, 股份有限公司…) removed,
    Latin letters lower-cased. "云南 金沙（集团）有限责任公司" → "云南金沙集团".
    """
    s = _PARTNERSHIP.sub("", _compact(name)).translate(_BRACKETS).lower()
    s = _INNER_FORM.sub("", s)
    for form in LEGAL_FORMS:
        if s.endswith(form) and len(s) > len(form):
            s = s[: -len(form)]
            break
    return s


@lru_cache(maxsize=65536)
def parent_from_branch_name(name: str) -> str | None:
    """总公司 named inside a 分公司's own name ("X有限公司昆明分公司" → "X有限公司"), else None.

    A branch is not a legal person of its own: working for it is working for the company.
    Only a name that carries the parent's full registered form counts; other branch links
    must be recorded (see OrgLink).
    """
    s = _PARTNERSHIP.sub("", _compact(name)).translate(_BRACKETS)
    match = _BRANCH_OF.match(s)
    return match.group(1) if match else None


def normalise_credit_code(code: str) -> str:
    """统一社会信用代码 without spaces or dashes, upper-case; "" when none was given."""
    return _compact(code).replace("-", "").upper()


def credit_code_problem(code: str) -> str | None:
    """Why a 统一社会信用代码 is invalid (GB 32100-2015 check character), in Chinese; None if valid."""
    code = normalise_credit_code(code)
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位（实为 {len(code)} 位）"
    if any(ch not in _CODE_CHARS for ch in code):
        return "统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）"
    total = sum(_CODE_CHARS.index(ch) * w for ch, w in zip(code[:17], _CODE_WEIGHTS, strict=True))
    if _CODE_CHARS[(31 - total % 31) % 31] != code[17]:
        return "统一社会信用代码校验位不正确"
    return None


def normalise_person_name(name: str) -> str:
    """A person's name for comparison: half-width, no spaces, no middle dots (少数民族姓名)."""
    return _compact(name).translate(_PERSON_DOTS).lower()
