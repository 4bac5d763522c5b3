"""个人评分表 and 评分汇总表: the score documents, described once for both formats."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from app.web.formatting import money

from .model import Document, Fields, Grid, Heading, Part, Text
from .view import DASH, View, text, when

ANSWERS = {"1": "否", "0": "是（否决）"}


def _answer(value: object) -> str:
    """A veto question's answer: 1 = 否 (the condition does not hold), 0 = 是 (vetoed)."""
    if value is None or value == "":
        return DASH
    return ANSWERS.get(format(Decimal(str(value)).normalize(), "f"), str(value))


def score_sheets(v: View) -> Document:
    """个人评分表 — one part (worksheet / page) per expert: every criterion, score and comment."""
    sheets = {str(s["expert"]): s for s in v.raw.get("sheets", [])}
    bids = [b for b in v.bids if b.get("valid", True)] or v.bids
    subtotals = v.subtotals()
    parts = []
    for expert in v.experts or list(sheets):
        sheet = sheets.get(expert, {})
        given = {(str(s["bid"]), str(s["criterion"])): s for s in sheet.get("scores", [])}
        if not given:  # no signed sheet: show what scoring received, and say so
            given = {(str(s["bid"]), str(s["criterion"])): s for s in v.input.get("scores", [])
                     if str(s["expert"]) == expert}
        rows = []
        for i, c in enumerate(v.criteria, 1):
            question = str(c["id"]) in v.questions
            kind = "否决项（是/否）" if question else "客观" if c.get("kind") == "objective" else "主观"
            show = _answer if question else text
            rows.append([str(i), str(c.get("name", c["id"])), kind, DASH if question else text(c.get("max"))]
                        + [show(given.get((str(b["id"]), str(c["id"])), {}).get("value")) for b in bids])
        rows.append(["", "小计", "", ""] + [subtotals.get((expert, str(b["id"])), DASH) for b in bids])
        notes = [[v.bid_label(b), v.criterion_name(c), text(s.get("comment"))]
                 for (b, c), s in sorted(given.items()) if s.get("comment")]
        notes += [[v.bid_label(b), "总体评语", t] for b, t in sorted((sheet.get("comments") or {}).items()) if t]
        blocks = [
            Heading(f"个人评分表 — {v.expert_label(expert)}"),
            Fields(v.fields(
                3, ("评审专家", v.expert_label(expert)), ("提交时间", when(sheet.get("submitted_at"))),
                ("签名时间", when(sheet.get("signed_at"))),
                ("内容哈希", sheet.get("content_sha256") or "（无电子签名评分表）"))),
            Grid(["序号", "评分项", "类型", "满分"] + [v.bid_label(b["id"]) for b in bids], rows,
                 widths=[0.5, 2.6, 0.6, 0.6] + [0.8] * len(bids),
                 numeric=frozenset(range(3, 4 + len(bids)))),
        ]
        if v.questions:
            blocks.append(Text("否决项不计分：答“是”即否决情形成立，小计不含否决项。"))
        if notes:
            blocks += [Heading("评语", 2), Grid(["投标人", "评分项", "评语"], notes, widths=[2, 1, 4])]
        blocks.append(Text("专家签名：________________    日期：____________"))
        parts.append(Part(v.expert_label(expert)[:31], blocks))
    return Document("个人评分表", "个人评分表", parts, v.footer, v.draft, landscape=len(bids) > 5)


def summary(v: View) -> Document:
    """评分汇总表 — each expert's subtotal per bid, the mean, price score, total, rank and flags."""
    subtotals = v.subtotals()
    has_price = any(b.get("price_score") is not None for b in v.results.values())
    has_pass = any(b.get("passed") is not None for b in v.results.values())
    columns = ["排名", v.party] + [v.names.get(e) or e for e in v.experts] + ["主观分（均值）"]
    columns += ["价格分", "总分"] if has_price else ["总分"]
    columns += ([f"是否{v.outcome(True)}"] if has_pass else []) + ["标记"]
    rows = []
    for r in v.output.get("bids", []):
        bid = str(r["id"])
        row = [text(r.get("rank")), v.bid_label(bid)]
        row += [subtotals.get((e, bid), DASH) if r.get("valid", True) else DASH for e in v.experts]
        row += [text(r.get("subjective")), *([text(r.get("price_score"))] if has_price else []),
                text(r.get("total"))]
        row += ([v.outcome(r.get("passed"))] if has_pass else []) + [v.flags(r.get("flags"))
                                                                  + ("" if r.get("valid", True) else "（无效）")]
        rows.append(row)
    n = len(v.experts)
    meta = v.output.get("meta", {})
    fields = v.heading_fields()[:4]
    if has_price:
        fields += [("价格权值", text(meta.get("price_weight", v.input.get("price_weight")))),
                   ("磋商基准价（元）", money(meta.get("benchmark_price")) or DASH)]
    fields += [("专家人数", str(n)), ("小数位（四舍五入）", str(v.decimals))]
    blocks = [
        Heading("评分汇总表"),
        Fields(fields),
        Grid(columns, rows, widths=[0.5, 2.4] + [0.8] * n + [0.9] * (len(columns) - n - 3) + [1.4],
             numeric=frozenset(range(2, len(columns) - 1))),
        Text(f"成交候选{v.party}（按排名）：" + ("、".join(v.bid_label(b) for b in v.output.get("candidates", []))
                                       or DASH)),
        Text("总分 = 主观分均值（四舍五入）+ 价格分（四舍五入）；数值取自评分程序输出，未经重新计算。"),
    ]
    anomalies = v.output.get("anomalies", [])
    if anomalies:
        blocks += [Heading("评分畸高畸低提示", 2), Grid(
            ["专家", v.party, "评分项", "分值", "其他专家均值", "偏差"],
            [[v.expert_label(a["expert"]), v.bid_label(a["bid"]),
              v.criterion_name(a["criterion"]) if a.get("criterion") is not None else "总分", text(a["value"]),
              text(a["others_mean"]), text(a["deviation"])] for a in anomalies],
            widths=[2, 1, 1, 1, 1.2, 1], numeric=frozenset({3, 4, 5}))]
    if v.warnings:
        blocks += [Heading("提示", 2)] + [Text(w) for w in v.warnings]
    return Document("评分汇总表", "评分汇总表", [Part("评分汇总表", blocks)], v.footer, v.draft,
                    landscape=len(columns) > 9)


Builder = Callable[[View], Document]
