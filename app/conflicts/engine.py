"""回避引擎 — which experts must withdraw from a panel, and why. Pure: no database, no clock.

Rules (docs/roster.md lists them with their sources):
- 198号文 第16条 ¶4 / [P] exclude the 采购人's own staff: current employer is the purchaser;
- 198号文 第16条 (1): 劳动关系, 董事/监事, 控股股东/实际控制人 at a bidder within the 3 years
  before the procurement (the current employer is the strongest case of it);
- 198号文 第16条 (2): a declared relative is a bidder's 法定代表人 or 负责人;
- 198号文 第16条 (3) and local rules [L]: took part in drafting the project's requirements,
  a relative works for a bidder, other shareholdings, declared and agency-recorded conflicts.

The services load the roster's facts once as flat tuples (`OrgTie`, `PersonTie`, `ProjectTie`);
matching is a single pass over them with dictionary look-ups against the few targets of the
panel (purchaser and bidders), so 20,000 experts take milliseconds, not queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.conflicts.names import (
    normalise_credit_code,
    normalise_org_name,
    normalise_person_name,
    parent_from_branch_name,
)

__all__ = [
    "CODE_LABELS", "CODE_SOURCES", "Bidder", "Conflict", "OrgCanon", "OrgLink", "OrgTie", "PanelContext", "PersonTie",
    "ProjectTie", "RosterFacts", "find_conflicts", "normalise_org_name",
]

WINDOW_YEARS = 3
"""198号文 第16条: "参加采购活动前3年内"."""


@dataclass(frozen=True)
class Bidder:
    """供应商 — a supplier taking part in the procurement."""

    name: str
    credit_code: str = ""
    """统一社会信用代码."""
    legal_representative: str = ""
    """法定代表人."""
    head: str = ""
    """负责人."""


@dataclass(frozen=True)
class PanelContext:
    """What a panel is checked against: the purchaser (采购人), the bidders and the project."""

    purchaser_name: str
    purchaser_credit_code: str = ""
    bidders: tuple[Bidder, ...] = ()
    project_id: int | None = None
    review_id: int | None = None
    on_date: dt.date | None = None
    """The 3-year windows are measured back from this day; the caller passes today's date."""


@dataclass(frozen=True)
class Conflict:
    expert_id: int
    code: str
    reason: str
    """A Chinese sentence naming the organisation or person."""
    evidence: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    """What matched: the stored values and their normalised forms."""


class OrgTie(NamedTuple):
    """A link between an expert and an organisation, with its period when it has one.

    kind: employer (current 工作单位), employment (工作经历), director, supervisor,
    controlling_shareholder, actual_controller, shareholder, relative_employer,
    declared_org (本人申报), agency_org (经办机构记录).
    """

    expert_id: int
    kind: str
    org_name: str
    credit_code: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    detail: str = ""
    """Position, relation and relative's name, or the declaration's reason."""
    source_id: int | None = None


class PersonTie(NamedTuple):
    """A person an expert is tied to. kind: relative, declared_person, agency_person."""

    expert_id: int
    kind: str
    name: str
    detail: str = ""
    """The relation (配偶, 父母…) or the declaration's reason."""
    source_id: int | None = None


class ProjectTie(NamedTuple):
    """A tie to one project or review. kind: drafted_requirements, declared_project, agency_project."""

    expert_id: int
    kind: str
    project_id: int | None = None
    review_id: int | None = None
    detail: str = ""
    source_id: int | None = None


class OrgLink(NamedTuple):
    """分公司 → 总公司, recorded by the agency, for branches whose name does not carry the parent's."""

    branch_name: str
    parent_name: str
    branch_credit_code: str = ""
    parent_credit_code: str = ""


@dataclass
class RosterFacts:
    org_ties: Sequence[OrgTie] = ()
    person_ties: Sequence[PersonTie] = ()
    project_ties: Sequence[ProjectTie] = ()
    org_links: Sequence[OrgLink] = ()


CODE_LABELS: dict[str, str] = {
    "employer_is_purchaser": "现工作单位为采购人",
    "employer_is_bidder": "现工作单位为供应商",
    "recent_employment": "三年内与供应商有劳动关系",
    "recent_director": "三年内任供应商董事、监事",
    "recent_shareholding": "三年内为供应商控股股东、实际控制人或持股",
    "relative_is_bidder_head": "近亲属为供应商法定代表人或负责人",
    "relative_employed_by_bidder": "近亲属在供应商任职",
    "drafted_requirements": "参与本项目采购需求编制或论证",
    "self_declared": "本人申报的回避事项",
    "agency_recorded": "经办机构记录的回避事项",
}

CODE_SOURCES: dict[str, str] = {
    "employer_is_purchaser": "财库〔2016〕198号 第16条第4款（本单位项目只能作为采购人代表参与）",
    "employer_is_bidder": "财库〔2016〕198号 第16条第1项（与供应商存在劳动关系）",
    "recent_employment": "财库〔2016〕198号 第16条第1项（参加采购活动前3年内与供应商存在劳动关系）",
    "recent_director": "财库〔2016〕198号 第16条第1项（前3年内担任供应商的董事、监事）",
    "recent_shareholding": "财库〔2016〕198号 第16条第1项（供应商的控股股东或实际控制人）；地方规定：投资、持股关系",
    "relative_is_bidder_head": "财库〔2016〕198号 第16条第2项（与供应商法定代表人或负责人有夫妻、直系血亲、"
                               "三代以内旁系血亲或近姻亲关系）",
    "relative_employed_by_bidder": "地方规定（浙江）：配偶或直系亲属3年内在供应商任职或担任顾问",
    "drafted_requirements": "地方规定（浙江）：参与该项目采购文件、采购需求的咨询或编制",
    "self_declared": "财库〔2016〕198号 第16条第3项（其他可能影响公正评审的关系），专家应主动申报",
    "agency_recorded": "财库〔2016〕198号 第16条（采购人或代理机构发现应回避情形时应要求其回避）",
}

_CODE_ORDER = {code: i for i, code in enumerate(CODE_LABELS)}
_HOLDING = {"director": "董事", "supervisor": "监事", "controlling_shareholder": "控股股东",
            "actual_controller": "实际控制人", "shareholder": "股东（持股/出资）"}


class _Target(NamedTuple):
    role: str  # "purchaser" | "bidder"
    name: str
    normalised: str
    canonical: str
    via: str
    credit_code: str
    index: int  # bidder position; -1 for the purchaser


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class OrgCanon:
    """Maps a unit name (and credit code) to its 总公司's, following recorded links, then names."""

    def __init__(self, links: Iterable[OrgLink]):
        self.parent: dict[str, str] = {}
        self.code_parent: dict[str, str] = {}
        for link in links:
            branch, parent = normalise_org_name(link.branch_name), normalise_org_name(link.parent_name)
            if branch and parent and branch != parent:
                self.parent[branch] = parent
            bc, pc = normalise_credit_code(link.branch_credit_code), normalise_credit_code(link.parent_credit_code)
            if bc and pc and bc != pc:
                self.code_parent[bc] = pc
        self._cache: dict[str, tuple[str, str, str]] = {}

    def of(self, name: str) -> tuple[str, str, str]:
        """(normalised, canonical, via) where via is "", "recorded" or "name"."""
        hit = self._cache.get(name)
        if hit is None:
            norm = normalise_org_name(name)
            canon, via = norm, ""
            for _ in range(5):  # a short chain; guards against a recorded cycle
                if canon in self.parent:
                    canon, via = self.parent[canon], "recorded"
                    continue
                if not via and (parent := parent_from_branch_name(name)):
                    canon, via = normalise_org_name(parent), "name"
                    continue
                break
            hit = self._cache[name] = (norm, canon, via)
        return hit

    def code(self, code: str) -> str:
        code = normalise_credit_code(code)
        for _ in range(5):
            if code not in self.code_parent:
                break
            code = self.code_parent[code]
        return code


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{start.isoformat() if start else '？'}至{end.isoformat() if end else '今'}"


def _active(start: dt.date | None, end: dt.date | None, since: dt.date, on: dt.date) -> bool:
    """Overlaps [since, on]: started by `on` and not ended before `since`."""
    return (start is None or start <= on) and (end is None or end >= since)


def _org_code(tie: OrgTie, role: str) -> str | None:
    kind = tie.kind
    if role == "purchaser":
        if kind == "employer" or (kind == "employment" and tie.end is None):
            return "employer_is_purchaser"
        return {"declared_org": "self_declared", "agency_org": "agency_recorded"}.get(kind)
    return {
        "employer": "employer_is_bidder", "employment": "recent_employment",
        "director": "recent_director", "supervisor": "recent_director",
        "controlling_shareholder": "recent_shareholding", "actual_controller": "recent_shareholding",
        "shareholder": "recent_shareholding", "relative_employer": "relative_employed_by_bidder",
        "declared_org": "self_declared", "agency_org": "agency_recorded",
    }.get(kind)


def _org_reason(code: str, tie: OrgTie, target: _Target) -> str:
    who = f"{'采购人' if target.role == 'purchaser' else '供应商'}“{target.name}”"
    stored = f"“{tie.org_name}”" if tie.org_name != target.name else ""
    period = _period(tie.start, tie.end)
    when = f"（{period}）" if period else ""
    if code in ("employer_is_purchaser", "employer_is_bidder"):
        return f"现工作单位{stored}与{who}为同一单位" if stored else f"现工作单位即{who}"
    if code == "recent_employment":
        return f"参加采购活动前3年内曾在{who}工作{when}" + (f"，登记单位为{stored}" if stored else "")
    if code in ("recent_director", "recent_shareholding"):
        share = f"，持股 {tie.detail}" if tie.detail else ""
        return f"参加采购活动前3年内为{who}的{_HOLDING.get(tie.kind, tie.kind)}{when}{share}"
    if code == "relative_employed_by_bidder":
        return f"申报的亲属{tie.detail}在{who}工作" + (f"（登记单位为{stored}）" if stored else "")
    source = "本人申报" if code == "self_declared" else "经办机构记录"
    return f"{source}与{who}存在利害关系：{tie.detail}"


def find_conflicts(
    facts: RosterFacts,
    context: PanelContext,
    *,
    expert_ids: Collection[int] | None = None,
    window_years: int = WINDOW_YEARS,
    rules: Collection[str] | None = None,
) -> dict[int, list[Conflict]]:
    """Every conflict of every expert in `facts` (or only `expert_ids`) with the panel.

    Experts without a conflict are absent. `rules` limits the codes applied (default: all).
    """
    if context.on_date is None:
        raise ValueError("PanelContext.on_date is required: the 3-year windows are measured from it")
    on = context.on_date
    since = years_before(on, window_years)
    wanted = None if expert_ids is None else set(expert_ids)
    enabled = set(CODE_LABELS) if rules is None else set(rules)
    canon = OrgCanon(facts.org_links)

    targets: list[_Target] = []
    if context.purchaser_name.strip() or context.purchaser_credit_code.strip():
        norm, can, via = canon.of(context.purchaser_name)
        targets.append(_Target("purchaser", context.purchaser_name, norm, can, via,
                               canon.code(context.purchaser_credit_code), -1))
    for i, bidder in enumerate(context.bidders):
        norm, can, via = canon.of(bidder.name)
        targets.append(_Target("bidder", bidder.name, norm, can, via, canon.code(bidder.credit_code), i))
    by_name: dict[str, list[_Target]] = {}
    by_code: dict[str, list[_Target]] = {}
    for t in targets:
        if t.canonical:
            by_name.setdefault(t.canonical, []).append(t)
        if t.credit_code:
            by_code.setdefault(t.credit_code, []).append(t)

    found: dict[int, dict[tuple[Any, ...], Conflict]] = {}

    def add(expert_id: int, key: tuple[Any, ...], conflict: Conflict) -> None:
        found.setdefault(expert_id, {}).setdefault(key, conflict)

    for tie in facts.org_ties:
        if wanted is not None and tie.expert_id not in wanted:
            continue
        norm, can, via = canon.of(tie.org_name)
        code_key = canon.code(tie.credit_code) if tie.credit_code else ""
        hits = by_name.get(can, []) if can else []
        code_hits = by_code.get(code_key, []) if code_key else []
        if not hits and not code_hits:
            continue
        for target in {t.index: t for t in (*hits, *code_hits)}.values():
            code = _org_code(tie, target.role)
            if code is None or code not in enabled:
                continue
            if code in ("employer_is_purchaser", "employer_is_bidder"):
                pass  # current: no window
            elif not _active(tie.start, tie.end, on if code in ("self_declared", "agency_recorded") else since, on):
                continue
            matched_by = "credit_code" if target in code_hits else ("parent" if via or target.via else "name")
            evidence = {
                "role": target.role, "matched_by": matched_by,
                "stored_name": tie.org_name, "stored_normalised": norm, "stored_canonical": can,
                "stored_credit_code": tie.credit_code,
                "target_name": target.name, "target_normalised": target.normalised,
                "target_canonical": target.canonical, "target_credit_code": target.credit_code,
                "source": tie.kind, "source_id": tie.source_id,
                "start": tie.start.isoformat() if tie.start else None,
                "end": tie.end.isoformat() if tie.end else None,
            }
            if matched_by == "parent":
                evidence["parent_link"] = via or target.via
            if tie.detail:
                evidence["detail"] = tie.detail
            add(tie.expert_id, (code, target.index, tie.kind, tie.source_id),
                Conflict(tie.expert_id, code, _org_reason(code, tie, target), evidence))

    heads: dict[str, list[tuple[Bidder, int, str]]] = {}
    for i, bidder in enumerate(context.bidders):
        for role_label, person in (("法定代表人", bidder.legal_representative), ("负责人", bidder.head)):
            if key := normalise_person_name(person):
                heads.setdefault(key, []).append((bidder, i, role_label))
    if heads:
        person_codes = {"relative": "relative_is_bidder_head", "declared_person": "self_declared",
                        "agency_person": "agency_recorded"}
        for tie in facts.person_ties:
            if wanted is not None and tie.expert_id not in wanted:
                continue
            matches = heads.get(normalise_person_name(tie.name))
            code = person_codes.get(tie.kind)
            if not matches or code not in enabled:
                continue
            for bidder, i, role_label in matches:
                if tie.kind == "relative":
                    reason = f"申报的亲属{tie.name}（{tie.detail}）为供应商“{bidder.name}”的{role_label}"
                else:
                    source = "本人申报" if tie.kind == "declared_person" else "经办机构记录"
                    reason = f"{source}与供应商“{bidder.name}”的{role_label}{tie.name}存在利害关系：{tie.detail}"
                evidence = {"role": "bidder", "matched_by": "person_name", "stored_name": tie.name,
                            "stored_normalised": normalise_person_name(tie.name), "target_name": bidder.name,
                            "target_person": role_label, "source": tie.kind, "source_id": tie.source_id,
                            "detail": tie.detail}
                add(tie.expert_id, (code, i, tie.kind, tie.source_id, role_label),
                    Conflict(tie.expert_id, code, reason, evidence))

    if context.project_id is not None or context.review_id is not None:
        project_codes = {"drafted_requirements": "drafted_requirements", "declared_project": "self_declared",
                         "agency_project": "agency_recorded"}
        for tie in facts.project_ties:
            if wanted is not None and tie.expert_id not in wanted:
                continue
            same_project = context.project_id is not None and tie.project_id == context.project_id
            same_review = context.review_id is not None and tie.review_id == context.review_id
            code = project_codes.get(tie.kind)
            if not (same_project or same_review) or code not in enabled:
                continue
            if code == "drafted_requirements":
                reason = "参与了本项目采购需求（采购文件）的编制或论证" + (f"：{tie.detail}" if tie.detail else "")
            else:
                source = "本人申报" if code == "self_declared" else "经办机构记录"
                reason = f"{source}与本项目存在利害关系：{tie.detail}"
            evidence = {"matched_by": "project" if same_project else "review", "project_id": tie.project_id,
                        "review_id": tie.review_id, "source": tie.kind, "source_id": tie.source_id}
            add(tie.expert_id, (code, tie.kind, tie.source_id), Conflict(tie.expert_id, code, reason, evidence))

    return {
        expert_id: sorted(items.values(), key=lambda c: (_CODE_ORDER.get(c.code, 99), c.reason))
        for expert_id, items in sorted(found.items())
    }


def merge(*results: Mapping[int, list[Conflict]]) -> dict[int, list[Conflict]]:
    out: dict[int, list[Conflict]] = {}
    for result in results:
        for expert_id, items in result.items():
            out.setdefault(expert_id, []).extend(items)
    return out
