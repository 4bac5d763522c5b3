"""`pingshen verify BUNDLE.json` — re-check a review bundle with nothing but the libraries.

Re-runs scoring.evaluate, replays every draw with assignment.solve, recomputes each score
sheet's content hash and checks the included audit records. Every check is one line, in
Chinese and English. Exit 0: all match; 1: something does not; 2: not a readable bundle.

A draft bundle of a review still being scored (草稿，未评分) holds no scores and no result by
design (one member's scores stay hidden until every sheet is in): there is nothing to re-run,
so verify says so and checks what a draft does hold — the draws, the panel, the audit records,
and that it really holds no scores and no published result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import assignment
import scoring
from app.audit.chain import record_hash

from .bundle import Bundle, BundleError, bundle_sha256, load_bundle, sheet_content_sha256

# The legal result (docs/scoring.md §4): must match exactly. The rest is diagnostics.
LEGAL_BID_KEYS = ("valid", "subjective", "price_score", "total", "technical", "rank", "passed", "flags")
DIAGNOSTIC_KEYS = ("experts", "agreement", "stability", "warnings")


@dataclass(frozen=True)
class Check:
    section: str  # 评分重算 / 抽取 D1 / 评分表 E1 / 审计记录 …, already bilingual
    item: str
    ok: bool
    detail: str = ""
    note: bool = False  # informational: shown, never fails the bundle

    def line(self) -> str:
        mark = "注意 NOTE    " if self.note else ("一致 MATCH   " if self.ok else "不符 MISMATCH")
        tail = f"：{self.detail}" if self.detail else ""
        return f"[{mark}] {self.section} · {self.item}{tail}"


@dataclass
class Report:
    sha256: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok or c.note for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not (c.ok or c.note)]


def _same_number(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return a == b


def check_scoring(raw: dict[str, Any]) -> list[Check]:
    section = "评分重算 scoring re-run"
    recorded = raw["scoring"]["output"]
    try:
        fresh = scoring.evaluate(raw["scoring"]["input"])
    except scoring.ScoringError as exc:
        msgs = "; ".join(e.get("message", e.get("code", "")) for e in exc.errors[:5])
        return [Check(section, "评分输入 input", False, f"评分输入无法计算 / the input does not evaluate: {msgs}")]
    checks = []
    old_bids = {str(b.get("id")): b for b in recorded.get("bids", [])}
    new_bids = {str(b["id"]): b for b in fresh["bids"]}
    for bid in sorted(old_bids.keys() | new_bids.keys()):
        old, new = old_bids.get(bid), new_bids.get(bid)
        item = f"投标 {bid} bid {bid}"
        if old is None or new is None:
            where = "记录中没有 / missing from the record" if old is None else "重算中没有 / missing from the re-run"
            checks.append(Check(section, item, False, where))
            continue
        diffs = [f"{k} 记录 recorded {old.get(k)!r} ≠ 重算 re-run {new.get(k)!r}"
                 for k in LEGAL_BID_KEYS if old.get(k) != new.get(k)]
        shown = f"总分 total {new.get('total')}，排名 rank {new.get('rank')}"
        checks.append(Check(section, item, not diffs, "; ".join(diffs) if diffs else shown))
    same = recorded.get("candidates") == fresh["candidates"]
    checks.append(Check(section, "成交候选人 candidates", same,
                        f"{fresh['candidates']}" if same else
                        f"记录 recorded {recorded.get('candidates')} ≠ 重算 re-run {fresh['candidates']}"))
    same = recorded.get("anomalies") == fresh["anomalies"]
    checks.append(Check(section, "畸高畸低提示 anomaly flags", same,
                        f"{len(fresh['anomalies'])} 项 items" if same else
                        "记录与重算不同 / recorded and re-run differ"))
    changed = [k for k in DIAGNOSTIC_KEYS if recorded.get(k) != fresh.get(k)]
    if changed:
        # Sampled statistics may differ across NumPy versions (docs/scoring.md §5): tell, do not fail.
        checks.append(Check(section, "诊断统计 diagnostics", True, note=True,
                            detail=f"{', '.join(changed)} 与记录不同，可能因 NumPy 版本不同；不影响法定结果 / "
                                   "differ from the record, possibly a different NumPy version; "
                                   "the legal result is unaffected"))
    return checks


DRAFT_NOTE = "草稿，未评分"
# Actions that only happen once a result exists: a bundle that records one is no unscored draft.
_RESULT_ACTIONS = ("review.result_published", "review.result_corrected")


def is_unscored_draft(raw: dict[str, Any], bundle: Bundle) -> bool:
    """A review not yet finished whose bundle carries no scoring result."""
    return not bundle.finished and not raw["scoring"].get("output")


def check_draft(raw: dict[str, Any]) -> list[Check]:
    """草稿，未评分 — nothing to re-run; what a draft holds must be a draft's."""
    section = "评分重算 scoring re-run"
    scores = raw["scoring"]["input"].get("scores") or []
    if scores or raw.get("sheets"):
        return [Check(section, f"{DRAFT_NOTE} draft, not scored", False,
                      f"草稿没有评分结果，却含有 {len(scores)} 项评分、{len(raw.get('sheets') or [])} 份评分表"
                      "（评审包被改动） / a draft without a result holds scores (the bundle was changed)")]
    published = [r["seq"] for r in raw.get("audit_records", []) if r.get("action") in _RESULT_ACTIONS]
    if published:
        return [Check(section, f"{DRAFT_NOTE} draft, not scored", False,
                      f"审计记录 #{', #'.join(map(str, published))} 表明结果已公布，评审包却是未评分的草稿 / "
                      "the audit records show a published result, the bundle claims an unscored draft")]
    return [Check(section, f"{DRAFT_NOTE} draft, not scored", True, note=True,
                  detail="评分尚未完成，评审包按规定不含评分和结果，无需重算；抽取、小组和审计记录照常校验 / "
                         "scoring is not finished, so the bundle holds no scores and no result by design; "
                         "draws, panel and audit records are checked as usual")]


def check_sheets(raw: dict[str, Any], bundle: Bundle) -> list[Check]:
    review_id = raw["review"]["id"]
    given: dict[tuple[str, str, str], Any] = {
        (str(s["expert"]), str(s["bid"]), str(s["criterion"])): s["value"]
        for s in raw["scoring"]["input"].get("scores", []) if isinstance(s, dict) and {"expert", "bid", "criterion",
                                                                                         "value"} <= s.keys()
    }
    checks = []
    for raw_sheet in raw.get("sheets", []):
        expert = str(raw_sheet["expert"])
        section = f"评分表 score sheet · 专家 expert {expert}"
        digest = sheet_content_sha256(review_id, raw_sheet)
        same = digest == raw_sheet["content_sha256"]
        checks.append(Check(section, "内容哈希 content hash", same, digest[:16] + "…" if same else
                            f"记录 recorded {raw_sheet['content_sha256'][:16]}… ≠ 重算 recomputed {digest[:16]}…"
                            "（评分表内容被改动 / the sheet was changed after signing）"))
        mine = {k: v for k, v in given.items() if k[0] == expert}
        on_sheet = {(expert, str(s["bid"]), str(s["criterion"])): s["value"] for s in raw_sheet["scores"]}
        diffs = []
        for key in sorted(mine.keys() | on_sheet.keys()):
            a, b = on_sheet.get(key), mine.get(key)
            if a is None or b is None or not _same_number(a, b):
                diffs.append(f"投标 bid {key[1]} 评分项 criterion {key[2]}："
                             f"评分表 sheet {a} ≠ 评分输入 scoring input {b}")
        checks.append(Check(section, "与评分输入一致 agrees with the scoring input", not diffs,
                            "; ".join(diffs) if diffs else f"{len(on_sheet)} 项评分 scores"))
    experts = {k[0] for k in given}
    missing = sorted(experts - {str(s.expert) for s in bundle.sheets})
    if bundle.sheets and missing:
        checks.append(Check("评分表 score sheets", "每位专家都有评分表 a sheet per expert", False,
                            f"缺少 missing: {', '.join(missing)}"))
    return checks


def check_draws(raw: dict[str, Any]) -> list[Check]:
    checks = []
    for draw in raw.get("draws", []):
        section = f"抽取 draw {draw['id']}"
        recorded = draw["output"]
        digest = assignment.input_sha256(draw["input"])
        same = digest == recorded.get("input_sha256")
        checks.append(Check(section, "输入哈希 input_sha256", same, digest[:16] + "…" if same else
                            f"记录 recorded {str(recorded.get('input_sha256'))[:16]}… ≠ "
                            f"重算 recomputed {digest[:16]}…"))
        same = draw["seed"] == recorded.get("seed")
        checks.append(Check(section, "随机种子 seed", same, str(draw["seed"]) if same else
                            f"抽取记录 draw record {draw['seed']} ≠ 输出 output {recorded.get('seed')}"))
        try:
            fresh = assignment.solve(draw["input"], draw["seed"])
        except assignment.AssignmentError as exc:
            msgs = "; ".join(e.get("message", "") for e in exc.errors[:3])
            checks.append(Check(section, "重放 replay", False, f"无法重放 / cannot replay: {msgs}"))
            continue
        old = {str(p.get("id")): p for p in recorded.get("panels", [])}
        for panel in fresh["panels"]:
            if recorded.get("plan_id") and str(panel["id"]) not in old:
                continue  # a season plan's draw record keeps only its own review's panel
            prior = old.get(str(panel["id"]), {})
            for key, label in (("members", "正选 members"), ("alternates", "候补 alternates")):
                same = prior.get(key) == panel[key]
                checks.append(Check(section, f"评审组 panel {panel['id']} {label}", same,
                                    ", ".join(map(str, panel[key])) if same else
                                    f"记录 recorded {prior.get(key)} ≠ 重放 replay {panel[key]}"))
    return checks


def check_plan(raw: dict[str, Any]) -> list[Check]:
    """评审计划 — the season plan that staffed this review: hashes, seed, the whole plan replayed,
    and this review's panel of the plan equal to its draw record."""
    checks = []
    for plan in raw.get("plan", []):
        section = f"评审计划 plan {plan['id']}"
        out = plan["output"]
        digest = assignment.input_sha256(plan["input"])
        same = digest == plan["input_sha256"] == out.get("input_sha256")
        checks.append(Check(section, "输入哈希 input_sha256", same, digest[:16] + "…" if same else
                            f"记录 recorded {str(plan['input_sha256'])[:16]}… ≠ 重算 recomputed {digest[:16]}…"))
        pool = hashlib.sha256(assignment.canonical_json(plan["input"]["experts"])).hexdigest()
        same = pool == plan["pool_sha256"]
        checks.append(Check(section, "专家池哈希 pool_sha256", same, pool[:16] + "…" if same else
                            f"记录 recorded {str(plan['pool_sha256'])[:16]}… ≠ 重算 recomputed {pool[:16]}…"))
        same = plan["seed"] == out.get("seed")
        checks.append(Check(section, "随机种子 seed", same, str(plan["seed"]) if same else
                            f"计划 plan {plan['seed']} ≠ 输出 output {out.get('seed')}"))
        try:
            fresh = assignment.solve(plan["input"], plan["seed"], explain_infeasible=False)
        except assignment.AssignmentError as exc:
            msgs = "; ".join(e.get("message", "") for e in exc.errors[:3])
            checks.append(Check(section, "重放 replay", False, f"无法重放 / cannot replay: {msgs}"))
            continue
        same = assignment.canonical_json(fresh["panels"]) == assignment.canonical_json(out.get("panels"))
        checks.append(Check(section, "整个计划重放 whole plan replayed", same,
                            f"{len(fresh['panels'])} 个评审组 panels" if same else "重放结果与记录不同 / differs"))
        mine = [p for p in out.get("panels", []) if str(p["id"]) == str(plan["panel_id"])]
        drawn = [p for d in raw.get("draws", []) if (d.get("output") or {}).get("plan_id") == plan["id"]
                 for p in d["output"].get("panels", [])]
        same = bool(mine) and drawn == mine
        checks.append(Check(section, f"本评审组 panel {plan['panel_id']} 与抽取记录一致 matches the draw record",
                            same, ", ".join(map(str, mine[0]["members"])) if same else
                            f"计划 plan {mine} ≠ 抽取记录 draw record {drawn}"))
    return checks


def check_panel(raw: dict[str, Any]) -> list[Check]:
    """The sitting panel = the drawn members with each recorded replacement applied."""
    drawn = [m for m in raw.get("panel", []) if m.get("source", "draw") == "draw"]
    if not raw.get("draws") or not drawn:
        return []
    expected: list[str] = []
    for draw in raw["draws"]:
        for panel in draw["output"].get("panels", []):
            seats = [str(e) for e in panel.get("members", [])]
            for rep in draw.get("replacements", []):
                if str(rep["expert"]) in seats:
                    i = seats.index(str(rep["expert"]))
                    if rep.get("replacement") is None:
                        seats.pop(i)
                    else:
                        seats[i] = str(rep["replacement"])
            expected += seats
    sitting = sorted(str(m["expert"]) for m in drawn)
    same = sitting == sorted(expected)
    return [Check("评审小组 panel", "与抽取及替换记录一致 matches the draw and its replacements", same,
                  f"{len(sitting)} 人 members" if same else f"名单 list {sitting} ≠ 抽取结果 drawn {sorted(expected)}")]


def check_audit(raw: dict[str, Any]) -> list[Check]:
    section = "审计记录 audit record"
    rows = raw.get("audit_records", [])
    checks = []
    by_seq: dict[int, dict[str, Any]] = {}
    for row in rows:
        item = f"#{row['seq']} {row['action']}"
        try:
            moment = dt.datetime.fromisoformat(row["created_at"])
            digest = record_hash({**row, "created_at": moment})
        except (ValueError, TypeError) as exc:
            checks.append(Check(section, item, False, f"无法计算哈希 / cannot hash: {exc}"))
            continue
        same = digest == row["hash"]
        checks.append(Check(section, item, same, "哈希一致 hash matches" if same else
                            "内容与哈希不符（记录被修改） / content does not match its hash (record altered)"))
        by_seq[row["seq"]] = row
    seqs = [row["seq"] for row in rows]
    increasing = all(a < b for a, b in itertools.pairwise(seqs))
    checks.append(Check("审计记录 audit records", "编号递增 seq increasing", increasing,
                        f"{len(seqs)} 条 records" if increasing else f"顺序 order: {seqs}"))
    # The bundle holds only this review's slice of the global chain: links are checkable only
    # where two consecutive global numbers are both present.
    broken = [s for s in sorted(by_seq) if s - 1 in by_seq and by_seq[s]["prev_hash"] != by_seq[s - 1]["hash"]]
    linked = sum(1 for s in by_seq if s - 1 in by_seq)
    checks.append(Check("审计记录 audit records", "相邻记录链接 links between consecutive records", not broken,
                        f"{linked} 处可校验 checkable" if not broken else
                        f"记录 #{', #'.join(map(str, broken))} 的前序哈希与上一条不符 / prev_hash does not match"))
    return checks


def verify_bundle(raw: dict[str, Any], bundle: Bundle) -> Report:
    report = Report(bundle_sha256(raw))
    steps: Iterable[tuple[str, Callable[[], list[Check]]]] = (
        ("评分重算 scoring re-run",
         lambda: check_draft(raw) if is_unscored_draft(raw, bundle) else check_scoring(raw)),
        ("评分表 score sheets", lambda: check_sheets(raw, bundle)),
        ("抽取 draws", lambda: check_draws(raw)),
        ("评审计划 plan", lambda: check_plan(raw)),
        ("评审小组 panel", lambda: check_panel(raw)),
        ("审计记录 audit records", lambda: check_audit(raw)),
    )
    for section, step in steps:
        try:
            report.checks += step()
        except Exception as exc:  # a malformed part fails its own section, never the whole run
            report.checks.append(Check(section, "校验 check", False,
                                       f"无法校验 / cannot check: {type(exc).__name__}: {exc}"))
    return report


def run(path: str, *, expect_sha256: str | None = None, echo: Callable[[str], None] = print) -> int:
    """The command: print every check, then the verdict; return the exit code."""
    try:
        raw, bundle = load_bundle(path)
    except BundleError as exc:
        echo(f"无法校验：{exc}")
        return 2
    report = verify_bundle(raw, bundle)
    echo(f"评审包 review bundle：{path}")
    draft = is_unscored_draft(raw, bundle)
    echo(f"评审编号 review：{bundle.review.id}  状态 status：{bundle.review.status}"
         + (f"（{DRAFT_NOTE} / draft, not scored）" if draft else ""))
    echo(f"评审包 SHA-256：{report.sha256}")
    if expect_sha256 is not None:
        same = expect_sha256.strip().lower() == report.sha256
        report.checks.insert(0, Check("评审包 bundle", "SHA-256 与文件页脚 matches the footer", same,
                                      "" if same else f"页脚 footer {expect_sha256} ≠ 评审包 bundle {report.sha256}"))
    for check in report.checks:
        echo(check.line())
    bad = report.failures
    if not bad and draft:
        held = sum(1 for c in report.checks if not c.note)
        echo(f"结论：{DRAFT_NOTE}；草稿所含的 {held} 项全部一致。 / Verdict: draft, not scored; "
             f"all {held} checks of what the draft holds match.")
        return 0
    if not bad:
        echo(f"结论：全部 {len(report.checks)} 项一致。 / Verdict: all {len(report.checks)} checks match.")
        return 0
    echo(f"结论：{len(bad)} 项不符（共 {len(report.checks)} 项）。 / Verdict: {len(bad)} of "
         f"{len(report.checks)} checks do not match.")
    return 1
