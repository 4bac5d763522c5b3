"""审计日志的中文名称 — Chinese names for every action, object and field the trail records.

The codes stay in the records (they are hashed into the chain and used by the API); people
read these labels. tests/app/test_audit_readable.py fails when an `action="…"` in app/ has
no label here, so a new action cannot reach the page in English.
"""

from __future__ import annotations

import json
from typing import Any

ACTION_LABELS: dict[str, str] = {
    # 账户与机构
    "account.signed_in": "登录",
    "account.signed_out": "退出登录",
    "account.sign_in_failed": "登录失败",
    "account.locked": "账户锁定（连续密码错误）",
    "account.password_changed": "修改密码",
    "account.password_recheck_failed": "确认密码错误",
    "security.rate_limited": "请求过于频繁被拒绝",
    "agency.created": "新建机构",
    "agency.renamed": "机构改名",
    "agency.disabled": "停用机构",
    "agency.enabled": "启用机构",
    "user.created": "新建用户",
    "user.updated": "编辑用户",
    "user.disabled": "停用用户",
    "user.enabled": "启用用户",
    "user.password_reset": "重置密码",
    # 专家库
    "roster.imported": "导入专家库",
    "roster.expert_updated": "修改专家信息",
    "roster.restore_statuses": "到期恢复专家状态",
    "roster.demo_ties": "载入演示申报",
    "expert.created": "新增专家",
    "expert.updated": "修改专家信息",
    "expert.self_updated": "专家修改个人资料",
    "expert.change_reviewed": "审核专家资料变更",
    "expert.status_changed": "变更专家状态",
    "expert.status_restored": "恢复专家状态",
    "expert.performance_recorded": "记录履职评价",
    "expert.account_created": "为专家开通账户",
    "expert.account_linked": "关联专家账户",
    "expert.account_unlinked": "解除专家账户关联",
    "specialty.added": "新增专业",
    "specialty.defaults_loaded": "载入默认专业目录",
    # 回避
    "conflict.checked": "回避检查",
    "conflict.recorded": "登记回避",
    "conflict.revoked": "撤销回避",
    "conflict.org_linked": "登记关联单位",
    "conflicts.late_recusal": "评审中回避",
    # 项目与评审
    "project.created": "新建项目",
    "review.created": "新建评审",
    "review.settings_changed": "修改评审设置",
    "review.rubric_applied": "套用评分模板",
    "review.criterion_added": "新增评分因素",
    "review.criterion_deleted": "删除评分因素",
    "review.bid_added": "新增供应商/评审对象",
    "review.bid_deleted": "删除供应商/评审对象",
    "review.bid_invalidated": "认定响应无效",
    "review.opened": "开始评审",
    "review.closed": "结束评分",
    "review.result_published": "公布结果",
    "rubric.template_created": "新建评分模板",
    # 抽取与评审小组
    "panel.draw_prepared": "发起抽取",
    "panel.draw_confirmed": "监督人确认抽取",
    "panel.draw_cancelled": "取消抽取",
    "panel.draw_expired": "抽取超时未确认",
    "panel.draw_refused": "抽取被拒绝",
    "panel.draw_replayed": "复核抽取",
    "plan.prepared": "准备评审计划", "plan.confirmed": "监督人确认评审计划", "plan.expired": "评审计划超时作废",
    "plan.cancelled": "取消评审计划", "plan.solved": "评审计划求解完成", "plan.accepted": "采用评审计划",
    "plan.replayed": "复核评审计划",
    "panel.invitation_accepted": "接受邀请",
    "panel.invitation_declined": "谢绝邀请",
    "panel.invitation_refused": "邀请答复被拒绝",
    "panel.names_imported": "导入财政抽取名单",
    "panel.purchaser_rep_added": "登记采购人代表",
    "panel.rechecked": "重新检查回避",
    "panel.seat_replaced": "候补递补",
    "panel.seat_vacant": "席位空缺",
    "panel.seat_account_created": "为席位开通账户",
    "panel.seat_account_linked": "关联席位账户",
    "panel.seat_account_unlinked": "解除席位账户关联",
    # 评分
    "scoresheet.created": "打开评分表",
    "scoresheet.declaration_signed": "签署承诺与回避声明",
    "scoresheet.saved": "保存评分",
    "scoresheet.submitted": "提交评分表",
    "scoresheet.returned": "退回评分表",
    "scoresheet.access_refused": "评分表访问被拒绝",
    "scoresheet.save_refused": "保存评分被拒绝",
    "scoresheet.submit_refused": "提交评分被拒绝",
    "scoresheet.explanation_requested": "要求说明评分",
    "scoresheet.anomaly_explained": "说明评分",
    "scoresheet.leader_chosen": "确定评审组长",
    "scoresheet.settings_saved": "保存评分设置",
    "scoresheet.price_review_recorded": "记录价格审查",
    "scoresheet.ranking_note_saved": "保存排序说明",
    "scoresheet.refusal_recorded": "记录拒签",
    "scoresheet.report_signed": "签署评审报告",
    "scoresheet.tie_settled": "处理得分并列",
    "scoresheet.corrected": "更正评分（结果公布后）",
    "review.result_corrected": "更正结果并公布新版本",
    # 导出
    "export.downloaded": "下载文件",
    "export.season_started": "开始季度归档导出",
}

_SEAT_STATES = {"standby": "候补待命", "invited": "已邀请", "accepted": "已接受", "declined": "已谢绝",
                "expired": "超时未答复", "recused": "回避", "removed": "撤销"}
_TIE_KINDS = {"employment": "工作经历", "relatives": "近亲属", "holdings": "持股及任职",
              "declarations": "自行申报的回避事项"}
# Actions whose code is built from a state or a kind (f"panel.seat_{state}" and the like).
for _state, _label in _SEAT_STATES.items():
    ACTION_LABELS.setdefault(f"panel.seat_{_state}", f"席位{_label}")
    ACTION_LABELS.setdefault(f"panel.alternate_{_state}", f"候补{_label}")
for _kind, _label in _TIE_KINDS.items():
    ACTION_LABELS[f"expert.{_kind}_added"] = f"申报{_label}"
    ACTION_LABELS[f"expert.{_kind}_removed"] = f"删除申报的{_label}"

OBJECT_LABELS: dict[str, str] = {
    "user": "用户", "agency": "机构", "expert": "专家", "specialty": "专业", "project": "项目", "review": "评审",
    "criterion": "评分因素", "bid": "供应商/评审对象", "rubric_template": "评分模板", "panel_draw": "抽取",
    "season_plan": "评审计划",
    "panel_seat": "席位", "panel_invitation": "邀请", "score_sheet": "评分表", "score_anomaly_note": "评分说明",
    "scoring_declaration": "承诺与回避声明", "conflict": "回避记录", "export": "导出文件", "job": "后台任务",
    "address": "访问地址", "org_link": "关联单位", "panel_check": "回避检查",
}

FIELD_LABELS: dict[str, str] = {
    "name": "名称", "region": "州（市）", "is_active": "启用", "display_name": "姓名", "email": "电子邮箱",
    "role": "角色", "agency_id": "机构", "username": "用户名", "must_change_password": "下次登录须改密码",
    "locked_until": "锁定至", "failed_logins": "连续失败次数", "ip": "地址", "purpose": "用途",
    "status": "状态", "state": "状态", "reason": "原因", "review_id": "评审", "user_id": "用户",
    "version": "版本", "revision": "修订次数", "title": "标题", "seed": "随机种子", "input_sha256": "输入哈希",
    "pool_sha256": "候选库哈希", "content_sha256": "内容哈希", "sha256": "哈希", "score": "分值",
    "value": "分值", "comment": "意见", "note": "说明", "kind": "类别", "count": "数量", "file": "文件",
    "format": "格式", "expert_id": "专家", "seat_id": "席位", "bid_id": "供应商", "criterion_id": "评分因素",
    "supplier_name": "供应商名称", "final_quote": "最后报价", "max_points": "分值上限", "answer": "答复",
    "deadline": "答复截止", "confirm_by": "确认时限", "leader": "组长", "employer": "工作单位",
    "draft_hmac": "草稿校验码（密钥）", "scores": "评分项数", "result_sha256": "结果哈希",
    "result_version": "结果版本", "changes": "更正内容", "legal": "法定结果",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)


def field_label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def _shown(value: Any, key: str = "") -> str:
    """A value as people read it (the formatting layer: codes by label, times in Beijing time)."""
    from app.web.formatting import readable_value  # imports this module: resolved at call time

    if value is None:
        return "（空）"
    if isinstance(value, str) and not value:
        return ""
    shown = readable_value(value, key)
    return shown[1:-1] if shown.startswith("“") and shown.endswith("”") else shown


def _field(key: str) -> str:
    from app.web.formatting import field_label as every_field  # this table and the documents' own

    return every_field(key)


def change_rows(old: str | dict | None, new: str | dict | None) -> list[dict[str, str]]:
    """原值 → 新值 as table rows: field label, old, new (old is "" for a value only set)."""
    before = json.loads(old) if isinstance(old, str) and old else (old or {})
    after = json.loads(new) if isinstance(new, str) and new else (new or {})
    rows = []
    for key in [*before.keys(), *(k for k in after if k not in before)]:
        rows.append({"field": _field(key), "code": key,
                     "old": _shown(before[key], key) if key in before else "",
                     "new": _shown(after[key], key) if key in after else "（删除）"})
    return rows
