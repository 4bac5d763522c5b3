"""Journey: an 评估验收 whose veto item (否决项) fails, from an empty installation, in the browser only.

Here the experts have sign-in accounts before the draw (the other order of events from the
立项 journey), and one of them scores the veto item 0: the project does not pass whatever its
points, and the published result says so.
"""

from __future__ import annotations

from tests.e2e import phone
from tests.e2e.people import People
from tests.e2e.scoring_steps import declare, sign_report, submit_sheet, type_scores
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
    prepare_and_confirm_draw,
    review_settings,
    set_up_office,
)

TITLE = "2026年建筑施工企业工伤预防培训项目评估验收"
VETO = "无虚报冒领、弄虚作假"


def test_acceptance_with_a_failed_veto_item(people: People) -> None:
    office = set_up_office(people)
    rows = import_roster(office, count=24)
    staff = office.staff
    # Accounts for everybody before any draw: whoever is drawn can already sign in.
    accounts = {}
    for i, row in enumerate(rows):
        accounts[row["姓名"]] = f"zj{i + 1:02d}"
        give_account(staff, row["姓名"], accounts[row["姓名"]], EXPERT_PASSWORD)

    project = create_project(staff, "2026年建筑施工企业工伤预防培训项目", budget="260000")
    review = create_review(staff, project, "评估验收", TITLE)
    review_id = review.rsplit("/", 1)[1]
    review_settings(staff, review, panel_size="3", alternates="1", max_per_org="1")
    for name, points in {"培训任务完成情况": "40", "培训质量与效果": "30", "资金使用规范性": "29"}.items():
        add_criterion(staff, review, name, points, kind="主观")
    add_criterion(staff, review, VETO, "1", kind="主观", veto=True, guidance="存在虚报冒领、弄虚作假的评 0 分")
    staff.sees("否决项")
    add_bid(staff, review, "云南安培职业培训学校", title="建筑施工企业一线作业人员工伤预防培训")

    prepare_and_confirm_draw(office, review)
    links = invitation_links(office.admin)
    members = list(links)
    assert len(members) == 3, links
    # The first member does everything on a phone (390 × 844): invitation, declaration, sheet, signature.
    on_phone = members[0]
    experts = {name: people.person(accounts[name], phone=name == on_phone) for name in members}
    for name in members:
        # Signed in before answering: the invitation link works the same way.
        experts[name].sign_in(accounts[name], EXPERT_PASSWORD)
        answer_invitation(experts[name], links[name], accept=True)
        if name == on_phone:
            phone.page_fits(experts[name])
    staff.goto(f"{review}/panel")
    staff.click("开始评审")
    staff.sees("评审已开始", selector="body")

    scores = [
        {"培训任务完成情况": "36", "培训质量与效果": "26", "资金使用规范性": "25", VETO: "1"},
        {"培训任务完成情况": "35", "培训质量与效果": "27", "资金使用规范性": "26", VETO: "1"},
        {"培训任务完成情况": "37", "培训质量与效果": "25", "资金使用规范性": "24", VETO: "0"},
    ]
    for name, sheet in zip(members, scores, strict=True):
        declare(experts[name], TITLE)
        if name == on_phone:
            phone.nav_folded(experts[name])
            phone.page_fits(experts[name])
            assert phone.score_boxes_usable(experts[name]) == 4
        type_scores(experts[name], sheet)
        if name == on_phone:
            experts[name].shot("phone-scoresheet")
        submit_sheet(experts[name], EXPERT_PASSWORD)

    staff.goto(f"/scoring/reviews/{review_id}")
    summary = staff.sees("汇总结果")
    assert "不通过" in summary or "不合格" in summary, summary
    staff.shot("acceptance-veto-failed")
    for i, name in enumerate(members):
        sign_report(experts[name], review_id, EXPERT_PASSWORD,
                    dissent="" if i else "各项指标基本完成，但存在虚报培训人次的情况，同意不通过。")
        if name == on_phone:
            phone.page_fits(experts[name])
            experts[name].shot("phone-report-signed")
    staff.goto(f"/scoring/reviews/{review_id}")
    staff.page.once("dialog", lambda dialog: dialog.accept())
    staff.click("公布结果")
    published = staff.sees("已公布的结果")
    assert "不通过" in published or "不合格" in published, published
    staff.shot("acceptance-published")
