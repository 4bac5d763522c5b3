"""评审报告 — the contents 财库〔2014〕214号 Art. 26 requires (regulations.md §1.7)."""

from __future__ import annotations

from typing import Any

from app.web.formatting import money

from .model import Block, Document, Fields, Grid, Heading, Part, Text
from .view import DASH, TRIGGERS, View, text, when

DECISIONS = {"accepted": "报价合理，投标有效", "rejected": "不能证明报价合理，投标无效"}


def _reason(v: View, r: dict[str, Any]) -> str:
    """Why this place: the figures, and which 214号 tie-break decided it when totals are equal."""
    if not r.get("valid", True):
        return "无效，不参与排名"
    parts = [f"总分 {r.get('total')}"]
    if r.get("price_score") is not None:
        parts[0] += f"（主观分 {r.get('subjective')} + 价格分 {r.get('price_score')}）"
    same = [o for o in v.output.get("bids", []) if o is not r and o.get("total") == r.get("total") and o.get("valid")]
    if same:
        parts.append("总分相同者按最后报价由低到高、再按技术得分由高到低排序")
    if "tie_unresolved" in (r.get("flags") or []):
        parts.append("仍并列，须由评审小组决定并记录")
    if r.get("passed") is not None:
        parts.append(v.outcome(r["passed"]))
    return "；".join(parts)


def review_report(v: View) -> Document:
    raw, review = v.raw, v.review
    project = review.get("project", {})
    invitation = review.get("invitation", {})
    blocks: list[Block] = [Heading(f"评审报告 — {review.get('title', '')}"), Fields(v.fields(
        5, ("采购人", text(project.get("purchaser"))),
        ("预算金额（元）", money(project.get("budget")) or DASH),
        ("最高限价（元）", money(project.get("max_price")) or DASH)))]
    blocks += [Heading(f"一、{v.party}邀请方式及情况", 2),
               Fields([("邀请方式", text(invitation.get("method"))),
                       ("情况说明", text(invitation.get("description")))])]
    suppliers = invitation.get("suppliers", [])
    if suppliers:
        blocks.append(Grid(["序号", "获取磋商文件的供应商", "获取时间"],
                           [[str(i), s["name"], when(s.get("obtained_at"))] for i, s in enumerate(suppliers, 1)],
                           widths=[0.5, 4, 2]))
    blocks += [Heading("二、响应文件开启日期和地点", 2), Fields([
        ("开启时间", when(review.get("opened_at"))), ("评审开始", when(review.get("started_at"))),
        ("评审结束", when(review.get("finished_at"))), ("地点", text(review.get("place")))])]
    blocks += [Heading("三、评审小组成员名单", 2), Grid(
        ["序号", "姓名", "专家编号", "工作单位", "角色", "产生方式"],
        [[str(i), m.get("name", ""), str(m["expert"]), text(m.get("org")), text(m.get("role")),
          "随机抽取" if m.get("source", "draw") == "draw" else text(m.get("source"))]
         for i, m in enumerate(raw.get("panel", []), 1)], widths=[0.5, 1.2, 1.2, 2.5, 0.8, 1])]
    blocks += [Heading("四、评审情况记录和说明", 2), Heading("（一）资格审查", 3), Grid(
        [v.party, "结论", "说明"],
        [[v.bid_label(q["bid"]), "通过" if q["passed"] else "不通过", text(q.get("notes"))]
         for q in raw.get("qualification", [])] or [[DASH, "未记录", DASH]], widths=[3, 1, 3])]
    blocks.append(Heading("（二）异常低价审查（财库〔2026〕2号）", 3))
    reviews = raw.get("abnormal_price_reviews", [])
    flagged = [b for b, r in v.results.items() if "abnormal_low_price" in (r.get("flags") or [])]
    if reviews:
        blocks.append(Grid(["投标人", "触发条件", "启动时间", "说明期限", "供应商说明", "结论", "理由"], [
            [v.bid_label(a["bid"]), "、".join(TRIGGERS.get(t, t) for t in a.get("triggers", [])),
             when(a.get("started_at")), when(a.get("deadline")), text(a.get("explanation")),
             DECISIONS.get(a.get("decision", ""), text(a.get("decision"))), text(a.get("reasons"))]
            for a in reviews], widths=[2, 2, 1.3, 1.3, 2, 1.5, 2]))
    unreviewed = sorted(set(flagged) - {str(a["bid"]) for a in reviews})
    if unreviewed:
        blocks.append(Text("系统提示异常低价但未记录审查：" + "、".join(v.bid_label(b) for b in unreviewed)))
    if not reviews and not unreviewed:
        blocks.append(Text("无投标触发异常低价条件。"))
    blocks.append(Heading("（三）退回重评及更正（财库〔2014〕214号第32条）", 3))
    returns = raw.get("returns", [])
    blocks.append(Grid(["时间", "专家", "投标人", "评分项", "原分值", "新分值", "原因", "经办人"], [
        [when(r.get("at")), v.expert_label(r["expert"]), v.bid_label(r["bid"]),
         v.criterion_name(r["criterion"]) if r.get("criterion") is not None else DASH,
         text(r.get("old_value")), text(r.get("new_value")), r["reason"], text(r.get("by"))]
        for r in returns], widths=[1.5, 1.5, 0.7, 0.8, 0.7, 0.7, 2.5, 0.9]) if returns else Text("无退回重评。"))
    anomalies = v.output.get("anomalies", [])
    blocks += [Heading("（四）评分畸高畸低提示", 3),
               Text(f"评分程序提示 {len(anomalies)} 项偏离其他专家均值超过阈值的评分，明细见评分汇总表。"
                    if anomalies else "评分程序未提示评分畸高畸低。")]
    notes = {str(n["bid"]): n["note"] for n in raw.get("ranking_notes", [])}
    blocks += [Heading(f"五、成交候选{v.party}排序及理由", 2), Grid(
        ["排名", v.party, "总分", "标记", "理由"],
        [[text(r.get("rank")), v.bid_label(r["id"]), text(r.get("total")), v.flags(r.get("flags")),
          _reason(v, r) + (f"；小组意见：{notes[str(r['id'])]}" if str(r["id"]) in notes else "")]
         for r in v.output.get("bids", [])], widths=[0.5, 2.5, 0.8, 1.5, 4], numeric=frozenset({0, 2})),
        Text(f"推荐成交候选{v.party}：" + ("、".join(v.bid_label(b) for b in v.output.get("candidates", [])) or DASH))]
    signatures = raw.get("signatures", [])
    blocks += [Heading("六、评审小组成员签字及不同意见", 2), Grid(
        ["姓名", "签署时间", "意见", "不同意见及理由", "签名"],
        [[v.expert_label(s["expert"]), when(s.get("signed_at")),
          "拒签且未说明理由，视为同意" if s.get("refused") else ("同意" if s.get("agree", True) else "不同意"),
          text(s.get("dissent")), ""] for s in signatures] or [[DASH, DASH, "未签署", DASH, ""]],
        widths=[1.6, 1.6, 1.4, 3, 1.2])]
    if any(not s.get("agree", True) for s in signatures):
        blocks.append(Text("有成员持不同意见：按少数服从多数推荐成交候选人，不同意见及理由已书面记录（政府采购法实施条例第四十一条）。"))
    return Document("评审报告", "评审报告", [Part("评审报告", blocks)], v.footer, v.draft)
