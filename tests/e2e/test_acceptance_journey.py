"""Journey: an 评估验收 whose veto item (否决项) fails, from an empty installation, in the browser only.

Here the experts have sign-in accounts before the draw (the other order of events from the
立项 journey). The veto item is a 是/否 question with no points; one member answers 是: the
project is 验收不合格 whatever its points, and the published result says so.
"""

from __future__ import annotations

from tests.e2e import phone
from tests.e2e.people import People, Person
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
VETO = "存在虚报冒领、弄虚作假"


def veto_answers_tappable(expert: Person) -> None:
    """On a phone the 否/是 choices are on screen and at least 44 px tall (a thumb's target)."""
    labels = expert.page.locator("#scoresheet fieldset.veto label")
    assert labels.count() == 2
    for i in range(labels.count()):
        rect = labels.nth(i).bounding_box()
        assert rect is not None and rect["height"] >= phone.TOUCH, rect
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= phone.PHONE["width"], rect


def answer_veto(expert: Person, question: str, answer: str, bid_index: int = 0) -> None:
    """Tick 否 or 是 on the veto question of the `bid_index`-th bid (a radio pair, no score box)."""
    section = expert.page.locator("#scoresheet section").nth(bid_index)
    group = section.get_by_role("radiogroup", name=f"是否存在：{question}", exact=False)
    group.get_by_role("radio", name=answer, exact=False).first.check()


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
    add_criterion(staff, review, VETO, "", veto=True, guidance="发现虚报培训人次、伪造签到记录等情形的答“是”")
    staff.sees("否决项")
    staff.sees("不计分")
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
        ({"培训任务完成情况": "36", "培训质量与效果": "26", "资金使用规范性": "25"}, "否"),
        ({"培训任务完成情况": "35", "培训质量与效果": "27", "资金使用规范性": "26"}, "否"),
        ({"培训任务完成情况": "37", "培训质量与效果": "25", "资金使用规范性": "24"}, "是"),
    ]
    for name, (sheet, veto) in zip(members, scores, strict=True):
        declare(experts[name], TITLE)
        if name == on_phone:
            phone.nav_folded(experts[name])
            phone.page_fits(experts[name])
            assert phone.score_boxes_usable(experts[name]) == 3  # the veto item is a 是/否 pair, not a box
        type_scores(experts[name], sheet)
        answer_veto(experts[name], VETO, veto)
        # the subtotal counts points only: the answer adds nothing
        subtotal = experts[name].page.locator(".subtotal").first.inner_text()
        assert subtotal == f"{sum(int(v) for v in sheet.values()):.2f}", subtotal
        if name == on_phone:
            veto_answers_tappable(experts[name])
            experts[name].shot("phone-scoresheet")
        submit_sheet(experts[name], EXPERT_PASSWORD)

    staff.goto(f"/scoring/reviews/{review_id}")
    summary = staff.sees("汇总结果")
    # totals are the points alone (87.00 = mean of 87, 88, 86), and the one 是 fails the project
    assert "87.00" in summary and "不合格" in summary and "否决项成立，验收不合格" in summary, summary
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
    assert "验收不合格" in published, published
    staff.shot("acceptance-published")
