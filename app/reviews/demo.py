"""Demo data for reviews: one project with a 竞争性磋商 review and an approval review, ready to draw."""

from __future__ import annotations

from collections.abc import Callable

from app.accounts.tables import User
from app.audit.services import SYSTEM
from app.reviews import bids, rubrics, services

TEMPLATES = {
    "approval": ("立项评审通用评分表", "项目必要性|25|技术|主观||结合本地区重点行业工伤事故和职业病情况\n"
                 "实施方案|30|技术|主观||目标、内容、进度安排具体可行\n预算合理性|20|商务|主观||测算依据充分\n"
                 "预期效果|15|技术|主观||可量化、可考核\n申报单位能力|10|商务|客观||按资质和业绩计分"),
    "consultation": ("宣传培训服务磋商评分表（价格 30%）", "服务方案|30|技术|主观||方案完整、针对性强\n"
                     "培训师资|15|技术|客观||按师资证书计分\n组织实施与保障|15|技术|主观||\n"
                     "类似项目业绩|10|商务|客观||每项 2 分，最多 10 分"),
    "acceptance": ("评估验收通用评分表", "任务完成情况|40|技术|主观||对照合同逐项核验\n资金使用|20|商务|客观||\n"
                   "实施效果|30|技术|主观||\n档案资料|10|商务|客观||\n存在虚报冒领、弄虚作假||商务|主观|是|任何一位专家答“是”即验收不合格"),
}


async def load_review_demo(echo: Callable[[str], None] = print) -> None:
    staff = await User.objects().where(User.username == "jingban").first()
    if staff is None:
        return
    for kind, (name, lines) in TEMPLATES.items():
        await rubrics.create_template(SYSTEM, kind=kind, name=name, description="演示模板", criteria_text=lines,
                                      shared=True)
    project = await services.create_project(staff, services.ProjectInput(
        name="2026年危险化学品企业工伤预防培训项目", code="KM-GS-2026-01", key_industry="危险化学品",
        budget="380000", purchaser_name="昆明市社会保险局",
        description="面向危险化学品企业一线员工的工伤预防培训，覆盖 2,000 人次。"))
    templates = {t["kind"]: t["id"] for t in await rubrics.list_templates(staff)}
    approval = await services.create_review(staff, project.id, kind="approval", title="立项评审")
    await services.update_settings(staff, approval.id, services.SettingsInput(
        version=str(approval.version), title="立项评审", location="昆明市社会保险局 3 楼会议室",
        scheduled_at="2026-12-10T09:00", panel_size="5", purchaser_reps="0", alternates="2",
        require="safety.chemical:2, occupational_health:1", accept="safety, occupational_health, training",
        max_per_org="1", invitation_hours="48", panel_source="own_library"))
    await rubrics.apply_template(staff, approval.id, templates["approval"])
    await bids.add_bid(staff, approval.id, bids.BidInput(supplier_name="昆明市社会保险局",
                                                         title="危险化学品企业工伤预防培训"))
    consultation = await services.create_review(staff, project.id, kind="consultation", title="培训服务竞争性磋商")
    await services.update_settings(staff, consultation.id, services.SettingsInput(
        version=str(consultation.version), title="培训服务竞争性磋商", location="昆明市公共资源交易中心",
        scheduled_at="2026-12-20T09:30", panel_size="3", purchaser_reps="1", alternates="2",
        require="safety.chemical:1", accept="safety, training, occupational_health", max_per_org="1",
        invitation_hours="24", panel_source="self_selected",
        self_selection_approval="昆人社函〔2026〕88号（2026-11-20 主管预算单位同意自行选定）",
        category="gov_service", price_weight="30"))
    await rubrics.apply_template(staff, consultation.id, templates["consultation"])
    for name, code, person, quote in [("云南安培安全咨询有限公司", "91530100MA6K5XY71B", "周安培", "356000"),
                                      ("昆明滇安职业培训学校", "52530100MJ0123456X", "李滇安", "342500"),
                                      ("云南众安技术服务有限公司", "91530100MA6N7PQ82C", "王众安", "371800")]:
        await bids.add_bid(staff, consultation.id, bids.BidInput(supplier_name=name, credit_code=code,
                                                                 legal_representative=person, final_quote=quote))
    echo(f"  演示项目 1 个（立项评审与竞争性磋商各 1 个，待抽取）：/projects/{project.id}")
