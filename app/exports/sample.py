"""Realistic plain-data bundles for tests and the benchmark, made by the real libraries.

Every figure comes from `scoring.evaluate` and `assignment.solve` on seeded random input;
nothing is hard-coded, so a test that checks a document against the scoring output checks
the renderer, not a copy of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import assignment
import scoring
from app.audit.chain import canonical_json, record_hash

from .bundle import build_bundle

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
SPECIALTIES = ["安全工程", "职业卫生", "机械安全", "电气安全", "建筑施工", "化工安全", "培训教育", "财务审计"]
CRITERIA = ["服务方案", "培训计划", "师资力量", "项目团队", "实施进度", "质量保障", "应急预案", "类似业绩",
            "服务承诺", "信息化手段", "成果形式", "宣传方案", "风险评估", "现场服务", "售后响应"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _criteria(rng: random.Random, n: int, total: int) -> list[dict[str, Any]]:
    # Integer maxima that add up to the subjective total (e.g. 70 for a 30 % price weight).
    base = [1] * n
    for _ in range(total - n):
        base[rng.randrange(n)] += 1
    def name(i: int) -> str:
        return CRITERIA[i % len(CRITERIA)] + ("" if i < len(CRITERIA) else str(i // len(CRITERIA) + 1))

    return [{"id": f"C{i + 1:02d}", "name": name(i), "max": m,
             "group": "technical" if i % 3 != 2 else "commercial"} for i, m in enumerate(base)]


class _Chain:
    """A slice of the global audit chain: this review's records with other areas' records between."""

    def __init__(self, rng: random.Random, start_seq: int, agency_id: int) -> None:
        self.rng, self.seq, self.agency_id = rng, start_seq, agency_id
        self.prev = hashlib.sha256(str(start_seq).encode()).hexdigest()
        self.rows: list[dict[str, Any]] = []

    def add(self, at: dt.datetime, actor: str, action: str, object_type: str, object_id: Any,
            old: dict[str, Any], new: dict[str, Any], mine: bool = True) -> None:
        row = {"seq": self.seq, "created_at": at, "actor_id": 10 + len(actor), "actor": actor,
               "agency_id": self.agency_id, "action": action, "object_type": object_type,
               "object_id": str(object_id), "old_values": canonical_json(old), "new_values": canonical_json(new),
               "prev_hash": self.prev}
        row["hash"] = record_hash(row)
        self.prev, self.seq = row["hash"], self.seq + 1
        if mine:
            self.rows.append(row)
        # Other work lands between this review's records, so the bundle's slice has gaps.
        if mine:
            for _ in range(self.rng.randint(0, 2)):
                self.add(at, "other", "roster.expert_updated", "expert", self.rng.randint(1, 999), {}, {"x": 1},
                         mine=False)


def sample_bundle(
    seed: int,
    *,
    experts: tuple[int, int] = (5, 9),
    bids: tuple[int, int] = (3, 8),
    criteria: tuple[int, int] = (10, 30),
    pool: int = 300,
    status: str = "published",
) -> dict[str, Any]:
    """One 竞争性磋商 review, complete: draw, scores, sheets, signatures and its audit slice."""
    rng = random.Random(seed)
    review_id = f"R{seed:05d}"
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(days=seed % 200, minutes=seed % 60)
    n_experts = rng.randrange(experts[0], experts[1] + 1) | 1  # 磋商小组: odd size
    n_experts = min(n_experts, experts[1]) if experts[1] % 2 else n_experts
    n_bids, n_crit = rng.randint(*bids), rng.randint(*criteria)
    chain = _Chain(rng, 1000 + seed * 500, agency_id=1 + seed % 3)
    operator, supervisor = "jingban" + str(seed % 4), "jiandu" + str(seed % 3)

    # 抽取 — the pool and panel exactly as the draw area will hand them to assignment.solve.
    orgs = [f"单位{i:03d}" for i in range(max(10, pool // 4))]
    names = {f"X{i:05d}": _name(rng) for i in range(pool)}
    draw_input = {
        "mode": "draw",
        "experts": [{"id": eid, "org": rng.choice(orgs), "region": "本市",
                     "specialties": rng.sample(SPECIALTIES, rng.randint(1, 3))} for eid in names],
        "panels": [{"id": review_id, "size": n_experts, "require": {"安全工程": 1}, "accept": SPECIALTIES,
                    "alternates": 2,
                    "exclude_orgs": rng.sample(orgs, 3)}],
        "conflicts": [[eid, review_id] for eid in rng.sample(sorted(names), 3)],
    }
    draw_seed = rng.getrandbits(48)
    draw_output = assignment.solve(draw_input, draw_seed)
    members = list(draw_output["panels"][0]["members"])
    alternates = draw_output["panels"][0]["alternates"]
    drawn_at = start - dt.timedelta(days=3)
    chain.add(drawn_at, operator, "panels.draw_confirmed", "draw", review_id, {},
              {"seed": draw_seed, "input_sha256": draw_output["input_sha256"], "members": members})
    replacements = []
    if rng.random() < 0.5:
        leaving = members[rng.randrange(len(members))]
        members[members.index(leaving)] = alternates[0]
        replacements.append({"panel": review_id, "expert": leaving, "replacement": alternates[0],
                             "reason": "因工作冲突无法参加，由第一候补递补",
                             "at": (drawn_at + dt.timedelta(hours=5)).isoformat(), "by": operator})
        chain.add(drawn_at + dt.timedelta(hours=5), operator, "panels.member_replaced", "panel", review_id,
                  {"member": leaving}, {"member": alternates[0], "reason": replacements[0]["reason"]})
    orgs_of = {e["id"]: e["org"] for e in draw_input["experts"]}
    specs_of = {e["id"]: e["specialties"] for e in draw_input["experts"]}
    panel = [{"expert": eid, "name": names[eid], "org": orgs_of[eid], "role": "组长" if i == 0 else "成员",
              "source": "draw", "specialties": specs_of[eid],
              "checked_in_at": (start - dt.timedelta(minutes=30 - i)).isoformat(),
              "pledge_signed_at": (start - dt.timedelta(minutes=25 - i)).isoformat()}
             for i, eid in enumerate(members)]

    # 评分 — a price weight of 30 %, criteria adding up to 70, scores around each bid's quality.
    crits = _criteria(rng, n_crit, 70)
    bid_rows = [{"id": f"B{j + 1}",
                 "name": f"{rng.choice('华安恒泰信诚')}{rng.choice('安盛达通瑞')}咨询有限公司{j + 1}",
                 "final_quote": f"{rng.randint(60, 120) * 1000 + rng.choice((0, 500))}.00", "valid": True}
                for j in range(n_bids)]
    if n_bids > 3 and rng.random() < 0.3:
        bid_rows[-1]["valid"] = False
    quality = {b["id"]: rng.uniform(0.55, 0.95) for b in bid_rows}
    scores = []
    for eid in members:
        lean = rng.uniform(-0.08, 0.08)
        for b in bid_rows:
            for c in crits:
                share = min(1.0, max(0.0, quality[b["id"]] + lean + rng.gauss(0, 0.1)))
                halves = round(share * c["max"] * 2)  # half points, as score sheets allow
                value: int | float = halves // 2 if halves % 2 == 0 else halves / 2
                scores.append({"expert": eid, "bid": b["id"], "criterion": c["id"], "value": value})
    scoring_input = {"method": "consultation", "category": "service", "price_weight": "0.30",
                     "max_price": "130000.00", "budget": "130000.00", "criteria": crits, "bids": bid_rows,
                     "scores": scores, "seed": seed}
    scoring_output = scoring.evaluate(scoring_input)

    sheets, signatures = [], []
    for i, eid in enumerate(members):
        at = start + dt.timedelta(hours=2, minutes=i)
        maxima = {c["id"]: c["max"] for c in crits}
        mine = [{"bid": s["bid"], "criterion": s["criterion"], "value": s["value"],
                 "comment": "方案针对性强" if s["value"] == maxima[s["criterion"]] else ""}
                for s in scores if s["expert"] == eid]
        sheet = {"expert": eid, "name": names[eid], "scores": mine,
                 "comments": {b["id"]: f"{b['name'][:4]}响应文件基本满足要求" for b in bid_rows if b["valid"]},
                 "submitted_at": at.isoformat(), "signed_at": (at + dt.timedelta(minutes=3)).isoformat()}
        chain.add(at, eid, "reviews.sheet_submitted", "sheet", f"{review_id}-{eid}", {"state": "draft"},
                  {"state": "submitted", "scores": len(mine)})
        dissent = i == 1 and rng.random() < 0.2
        signatures.append({"expert": eid, "name": names[eid], "signed_at": (at + dt.timedelta(minutes=40)).isoformat(),
                           "agree": not dissent, "dissent": "对第一名服务方案评分偏高有保留意见" if dissent else ""})
        sheets.append(sheet)
    output_bids = {b["id"]: b for b in scoring_output["bids"]}
    abnormal = [{"bid": bid, "triggers": b["abnormal_low_price_triggers"], "decision": "accepted",
                 "reasons": "供应商提供成本测算与类似项目合同，报价合理", "explanation": "人工成本按本地标准核算",
                 "started_at": (start + dt.timedelta(hours=1)).isoformat(),
                 "deadline": (start + dt.timedelta(hours=1, minutes=30)).isoformat()}
                for bid, b in output_bids.items() if "abnormal_low_price" in (b.get("flags") or [])]
    returns = []
    if rng.random() < 0.4:
        s = scores[rng.randrange(len(scores))]
        returns.append({"expert": s["expert"], "bid": s["bid"], "criterion": s["criterion"],
                        "old_value": "0", "new_value": str(s["value"]), "reason": "分值汇总计算错误，退回更正",
                        "at": (start + dt.timedelta(hours=3)).isoformat(), "by": operator})
    finished = start + dt.timedelta(hours=4)
    if status in ("published", "finished"):
        chain.add(finished, operator, "reviews.result_published", "review", review_id, {"status": "scored"},
                  {"status": status, "candidates": scoring_output["candidates"]})
    review = {
        "id": review_id, "kind": "consultation", "title": f"2026年度工伤预防宣传培训项目（第{seed}包）",
        "agency": {"id": 1 + seed % 3, "name": ["市社会保险事业管理中心", "区社保中心", "县社保经办处"][seed % 3]},
        "project": {"id": seed, "code": f"GSYF-2026-{seed:04d}", "name": f"工伤预防培训服务项目{seed}",
                    "purchaser": "市人力资源和社会保障局", "budget": "130000.00", "max_price": "130000.00"},
        "status": status, "place": "市社保中心三楼评审室",
        "opened_at": start.isoformat(), "started_at": (start + dt.timedelta(minutes=20)).isoformat(),
        "finished_at": finished.isoformat() if status in ("published", "finished") else None,
        "invitation": {"method": "公告",
                       "description": "在市政府采购网发布磋商公告，公告期满后向报名供应商发售磋商文件",
                       "suppliers": [{"name": b["name"],
                                      "obtained_at": (start - dt.timedelta(days=12, hours=j)).isoformat()}
                                     for j, b in enumerate(bid_rows)]},
    }
    return build_bundle(
        review=review, scoring_input=scoring_input, scoring_output=scoring_output, panel=panel,
        draws=[{"id": f"D{seed:05d}", "input": draw_input, "seed": draw_seed, "output": draw_output,
                "operator": operator, "supervisor": supervisor, "confirmed_at": drawn_at.isoformat(),
                "conditions": "专业：安全工程至少1名；回避采购人及投标人所在单位；本市专家",
                "replacements": replacements}],
        sheets=sheets, signatures=signatures, audit_records=chain.rows,
        qualification=[{"bid": b["id"], "passed": b["valid"], "notes": "" if b["valid"] else "未提供有效的营业执照副本"}
                       for b in bid_rows],
        abnormal_price_reviews=abnormal, returns=returns,
        ranking_notes=[],
    )
