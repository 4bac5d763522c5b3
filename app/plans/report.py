"""What the result page shows before anyone is invited — pure functions over the plan's input and output."""

from __future__ import annotations

from typing import Any

CHART_W, CHART_H, CHART_PAD = 560, 220, 36


def zh(message: Any) -> str:
    """The library's messages are "中文 / English": the page shows the Chinese half."""
    return str(message or "").split(" / ")[0]


def histogram(counts: list[int], *, width: int = CHART_W, height: int = CHART_H) -> dict[str, Any]:
    """Bars of a load histogram (counts[k] = experts with k seats), laid out for a server-rendered SVG."""
    top = max(counts, default=0) or 1
    n = max(len(counts), 1)
    slot = (width - 2 * CHART_PAD) / n
    inner = height - 2 * CHART_PAD
    bars = []
    for k, count in enumerate(counts):
        h = round(inner * count / top, 1)
        x = round(CHART_PAD + k * slot + slot * 0.15, 1)
        bars.append({"k": k, "count": count, "x": x, "w": round(slot * 0.7, 1), "h": h,
                     "y": round(height - CHART_PAD - h, 1), "cx": round(x + slot * 0.35, 1)})
    return {"bars": bars, "width": width, "height": height, "base": height - CHART_PAD, "pad": CHART_PAD,
            "total": sum(counts)}


def capacity(expert: dict[str, Any], rules: dict[str, Any]) -> int:
    """Member seats this expert may still take in the plan (max_load, load_cap, yearly_cap − prior)."""
    cap = int(expert.get("max_load", 1))
    if rules.get("load_cap") is not None:
        cap = min(cap, int(rules["load_cap"]))
    if rules.get("yearly_cap") is not None:
        cap = min(cap, int(rules["yearly_cap"]) - int(expert.get("prior_load", 0)))
    return max(cap, 0) if expert.get("available", True) else 0


def supply_demand(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per specialty (quota seats) and per region group (all member seats): seats demanded against capacity."""
    rules = data.get("rules", {})
    caps = [(e, capacity(e, rules)) for e in data["experts"]]
    demand: dict[str, int] = {}
    for p in data["panels"]:
        for s, n in (p.get("require") or {}).items():
            demand[s] = demand.get(s, 0) + int(n)
    by_specialty = []
    for s in sorted(demand):
        supply = sum(c for e, c in caps if s in (e.get("specialties") or []))
        holders = sum(1 for e, c in caps if c > 0 and s in (e.get("specialties") or []))
        by_specialty.append({"specialty": s, "demand": demand[s], "supply": supply, "holders": holders,
                             "short": max(demand[s] - supply, 0)})
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for p in data["panels"]:
        groups.setdefault(tuple(sorted(p.get("regions") or [])), []).append(p)
    by_region = []
    for regions, panels in sorted(groups.items()):
        wanted = set(regions)
        supply = sum(c for e, c in caps if not wanted or e.get("region") in wanted)
        need = sum(int(p["size"]) for p in panels)
        by_region.append({"regions": list(regions), "panels": len(panels), "demand": need, "supply": supply,
                          "short": max(need - supply, 0)})
    return {"by_specialty": by_specialty, "by_region": by_region}


def panel_match(data: dict[str, Any], panels: list[dict[str, Any]]) -> dict[str, int]:
    """Specialty match per panel, as the library counts it: 2 per required specialty held, 1 per other accepted."""
    specs = {str(p["id"]): p for p in data["panels"]}
    held = {str(e["id"]): set(e.get("specialties") or []) for e in data["experts"]}
    out = {}
    for p in panels:
        spec = specs.get(str(p["id"]), {})
        required = set(spec.get("require") or {})
        accepted = set(spec.get("accept") or []) - required
        out[str(p["id"])] = sum(2 * len(held.get(str(m), set()) & required) + len(held.get(str(m), set()) & accepted)
                                for m in p["members"])
    return out


def explain(record: dict[str, Any], labels: dict[str, str]) -> dict[str, list[str]]:
    """The library's infeasibility report as Chinese sentences: what is short, by how much, what would fix it."""
    def name(code: Any) -> str:
        return f"“{labels.get(code, code)}”" if code else "符合条件的专家"

    errors = [zh(e.get("message")) for e in record.get("errors", [])]
    report = record.get("explanation") or {}
    short = []
    for s in report.get("by_specialty", []):
        short.append(f"专业{name(s['specialty'])}：定向席位需要 {s['demand']} 席，可供 {s['supply']} 席，"
                     f"至少缺 {s['short']} 席")
    for r in report.get("by_region", []):
        where = "、".join(r["regions"]) or "不限地区"
        short.append(f"地区 {where}（{r['panels']} 个评审组）：需要 {r['demand']} 席，可供 {r['supply']} 席，"
                     f"至少缺 {r['short']} 席")
    for s in report.get("shortages", []):
        what = f"专业{name(s['specialty'])}的定向席位" if s.get("quota") else "开放席位"
        short.append(f"评审组 {s['panel']}：{what}空缺 {s['short']:g} 席")
    if report.get("lp_shortfall"):
        short.append(f"线性规划松弛下全计划至少空缺 {report['lp_shortfall']:g} 席"
                     + ("（已证明无可行方案）" if report.get("proven") else ""))
    fixes = []
    for r in report.get("relaxations", []):
        verdict = "可行" if r.get("feasible") else "仍不可行"
        checked = "，已实际求解验证" if r.get("verified") else ""
        fixes.append(f"{zh(r.get('message'))}（{verdict}{checked}）")
    return {"errors": errors, "short": short, "fixes": fixes}
