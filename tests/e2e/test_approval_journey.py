"""Journey: a 立项评审 from an empty installation to a published result, in the browser only.

admin → agency and staff; 经办人 → roster import, 回避 check, project, review, rubric, draw;
监督人 → confirms; experts → answer invitations (one declines, the alternate moves in), sign in
with accounts opened after the review opened, declare, score (a range error corrected, autosave,
reload), submit; 组长 → asks for an explanation of a flagged score; all sign (one dissents);
经办人 → publishes.
"""

from __future__ import annotations

import json
from decimal import Decimal

from tests.e2e.audit_steps import bundle_of, check_documents, download_everything, tamper_one_score
from tests.e2e.people import People
from tests.e2e.scoring_steps import declare, sign_report, submit_sheet, type_scores, wait_autosaved
from tests.e2e.steps import (
    EXPERT_PASSWORD,
    add_bid,
    add_criterion,
    answer_invitation,
    create_project,
    create_review,
    give_account,
    import_roster,
    invitation_links,
    panel_members,
    prepare_and_confirm_draw,
    review_settings,
    set_up_office,
)

TITLE = "2027年危险化学品企业工伤预防培训项目立项评审"
CRITERIA = {"项目必要性": "40", "实施方案可行性": "40", "预算合理性": "20"}


def test_approval_review_from_empty_database_to_published_result(people: People) -> None:
    office = set_up_office(people)
    rows = import_roster(office)
    staff = office.staff

    # 回避 check before anything is drawn: an employer of the roster as the purchaser.
    staff.goto("/conflicts/check")
    staff.fill("采购人", rows[0]["工作单位"])
    staff.click("检查")
    staff.sees("检查结果", rows[0]["姓名"])
    staff.shot("conflict-check")

    project = create_project(staff, "2027年危险化学品企业工伤预防培训项目")
    review = create_review(staff, project, "立项评审", TITLE)
    review_id = review.rsplit("/", 1)[1]
    review_settings(staff, review, panel_size="3", alternates="2", max_per_org="1",
                    location="昆明市社会保险局三楼会议室")
    for name, points in CRITERIA.items():
        add_criterion(staff, review, name, points, kind="主观", guidance=f"{name}：按申报材料评分")
    add_bid(staff, review, "昆明化工安全培训中心", title="危险化学品企业从业人员工伤预防培训")
    staff.shot("review-ready")

    prepare_and_confirm_draw(office, review)
    links = invitation_links(office.admin)
    assert len(links) == 3, links
    invited = list(links)
    experts = {name: people.person(f"expert{i + 1}") for i, name in enumerate(invited)}
    # The first invited member declines; the first alternate is invited in their place.
    answer_invitation(experts[invited[0]], links[invited[0]], accept=False, reason="当日另有公务，无法参加")
    for name in invited[1:]:
        answer_invitation(experts[name], links[name], accept=True)
    links = invitation_links(office.admin)
    newcomer = next(name for name in links if name not in invited)
    experts[newcomer] = people.person("expert4")
    answer_invitation(experts[newcomer], links[newcomer], accept=True)
    members = [*invited[1:], newcomer]

    staff.goto(f"{review}/panel")
    staff.click("开始评审")
    staff.sees("评审已开始", selector="body")
    seats = panel_members(staff, review)
    seated = {row[2] for row in seats if row[4] == "已接受"}
    assert seated == set(members), seats
    assert any(row[2] == invited[0] and row[4] == "已谢绝" for row in seats), seats
    staff.shot("panel-open")

    # Accounts after the review opened: each member signs in and scores.
    for i, name in enumerate(members):
        give_account(staff, name, f"member{i + 1}", EXPERT_PASSWORD)
    scores = [
        {"项目必要性": "36", "实施方案可行性": "34", "预算合理性": "17"},
        {"项目必要性": "35", "实施方案可行性": "33", "预算合理性": "18"},
        {"项目必要性": "20", "实施方案可行性": "32", "预算合理性": "16"},  # 项目必要性 flagged 畸低
    ]
    for i, name in enumerate(members):
        expert = experts[name]
        expert.sign_in(f"member{i + 1}", EXPERT_PASSWORD)
        declare(expert, TITLE)
        if i == 0:
            type_scores(expert, {"项目必要性": "45"})
            expert.sees("得分须在 0–40 分之间", "改正后才会自动保存", selector="main")
            expert.shot("score-out-of-range")
        type_scores(expert, scores[i])
        wait_autosaved(expert)
        expert.page.reload()
        for criterion, value in scores[i].items():
            shown = expert.page.get_by_role("textbox", name=f"· {criterion} 得分").input_value()
            assert Decimal(shown) == Decimal(value), (criterion, shown)
        if i == 0:
            expert.shot("score-sheet-saved")
        submit_sheet(expert, EXPERT_PASSWORD)

    # The 经办人 names the 组长 on the summary page; the 组长 asks the low scorer to explain.
    staff.goto(f"/scoring/reviews/{review_id}")
    option = staff.page.locator("#seat_id option", has_text=members[0]).first.get_attribute("value")
    staff.page.locator("#seat_id").select_option(value=option)
    staff.click("登记")
    leader = experts[members[0]]
    leader.goto(f"/scoring/reviews/{review_id}")
    leader.sees("汇总结果", "评分畸高畸低提示")
    leader.page.get_by_role("row").filter(has_text=members[2]).get_by_role("button", name="要求书面说明").first.click()
    leader.page.wait_for_load_state()
    leader.shot("leader-summary")
    low = experts[members[2]]
    low.goto(f"/scoring/reviews/{review_id}/sheet")
    low.fill("书面说明", "申报材料未说明培训对象的覆盖范围，必要性论证不足，故给分较低。")
    low.click("提交说明")
    low.sees("书面说明已提交", selector="body")

    sign_report(leader, review_id, EXPERT_PASSWORD)
    sign_report(experts[members[1]], review_id, EXPERT_PASSWORD)
    sign_report(low, review_id, EXPERT_PASSWORD, dissent="必要性论证不足，建议补充后再立项。")
    low.shot("report-signed")

    staff.goto(f"/scoring/reviews/{review_id}")
    staff.page.once("dialog", lambda dialog: dialog.accept())
    staff.click("公布结果")
    staff.sees("已公布的结果")
    text = staff.sees("危险化学品企业从业人员工伤预防培训")
    total = (36 + 34 + 17 + 35 + 33 + 18 + 20 + 32 + 16) / 3
    assert f"{total:.2f}" in text, text
    staff.shot("published")

    # The auditor finds the review, downloads every document and the bundle, and re-verifies it.
    auditor = office.auditor
    files = download_everything(auditor, "2027年危险化学品企业工伤预防培训项目", TITLE)
    check_documents(files, must_read=[TITLE, *members, "必要性论证不足"])
    name, bundle = bundle_of(files)
    folder = people.shots
    (folder / name).write_bytes(files[name])
    verified = people.server.cli("verify", str(folder / name), check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "MISMATCH" not in verified.stdout
    (folder / "tampered.json").write_text(json.dumps(tamper_one_score(bundle), ensure_ascii=False))
    tampered = people.server.cli("verify", str(folder / "tampered.json"), check=False)
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    assert "MISMATCH" in tampered.stdout or "不一致" in tampered.stdout, tampered.stdout
