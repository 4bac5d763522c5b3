"""Journey: a season plan (评审计划) of ten 立项 and 验收 reviews, in the browser only.

The 经办人 plans the ten reviews first in `randomized` mode and then in `balanced` mode; each
time the 监督人 confirms in their own browser and the page follows the background solve; the
result page shows the load histogram before anyone is invited. The balanced plan is accepted,
and one 评估验收 of the plan runs through to its published result.
"""

from __future__ import annotations

import re

from tests.e2e.people import People, Person
from tests.e2e.scoring_steps import declare, sign_report, submit_sheet, type_scores
from tests.e2e.steps import (
    EXPERT_PASSWORD,
    Office,
    add_bid,
    add_criterion,
    answer_invitation,
    create_project,
    create_review,
    give_account,
    import_roster,
    review_settings,
    set_up_office,
)

CRITERION = "项目完成情况与效果"


def review_invitations(admin: Person, title: str) -> dict[str, str]:
    """The outbox rows of one review's invitations (an expert may be invited to several reviews of the plan)."""
    admin.goto("/panels/outbox")
    links: dict[str, str] = {}
    for row in admin.page.locator("table.grid tbody tr").filter(has_text=title).all():
        cells = row.locator("td").all()
        found = re.search(r"https?://[^\s]+/invitations/[A-Za-z0-9_\-]+", cells[4].inner_text())
        if found:
            links[cells[1].inner_text().split("<")[0].strip()] = found.group(0)
    return links


def plan_and_confirm(office: Office, titles: list[str], mode: str, q: str = "") -> str:
    """经办人 prepares a plan of these reviews; the 监督人 confirms; both wait for the result. Its path."""
    staff, supervisor = office.staff, office.supervisor
    staff.goto("/plans/")
    staff.fill("计划名称", f"2026年评审计划（{mode}）")
    staff.page.get_by_role("radio", name=mode).check()
    if q:
        staff.fill("每人入选概率上限", q)
    for title in titles:
        staff.page.get_by_role("checkbox", name=title).check()
    staff.click("准备计划")
    staff.sees("待监督人确认")
    path = str(staff.page.url).split(staff.crowd.server.url, 1)[1]
    supervisor.goto(path)
    supervisor.click("确认并求解")
    # The page polls the job's progress record (static/js/plans.js) and reloads when it is done.
    supervisor.sees("专家负荷分布")
    return path


def test_season_plan_in_both_modes_then_one_review_to_publication(people: People) -> None:
    office = set_up_office(people)
    import_roster(office, count=30)
    staff = office.staff
    project = create_project(staff, "2026年工伤预防项目（第一季度）", budget="300000")
    titles, paths = [], []
    for i in range(10):
        kind = "立项评审" if i % 2 else "评估验收"
        title = f"第一季度{kind}{i + 1:02d}"
        review = create_review(staff, project, kind, title)
        review_settings(staff, review, panel_size="3", alternates="1", max_per_org="1")
        add_criterion(staff, review, CRITERION, "100", kind="主观")
        titles.append(title)
        paths.append(review)
    published_title, published_path = titles[0], paths[0]  # a 评估验收
    staff.goto(published_path)
    add_bid(staff, published_path, "云南安培职业培训学校", title="一线作业人员工伤预防培训")

    # Randomized: the probabilities are published; the plan is then cancelled in favour of balanced.
    randomized = plan_and_confirm(office, titles, "随机化", q="0.5")
    staff.goto(randomized)
    staff.sees("专家负荷分布", "公开的最大入选概率", "普通随机抽取", "供需对比")
    staff.click("取消计划")
    staff.sees("计划已取消", selector="body")

    balanced = plan_and_confirm(office, titles, "均衡负荷")
    staff.goto(balanced)
    staff.sees("专家负荷分布", "普通随机抽取", "上界 / 差距")
    assert staff.page.locator("figure.load-chart svg rect").count() >= 1
    staff.page.locator("#plan-result figure.load-chart").first.screenshot(
        path=str(staff.crowd.shots / "season-load-chart.png"))
    staff.shot("season-plan-result")
    office.auditor.goto(f"{balanced}/replay")
    office.auditor.sees("复核结果：一致")
    staff.goto(balanced)
    staff.click("采用计划并发出邀请")
    staff.sees("已采用计划：10 个评审的席位与邀请已生成", selector="body")

    # One 评估验收 of the plan, to publication: its three members accept and score.
    review_id = published_path.rsplit("/", 1)[1]
    links = review_invitations(office.admin, published_title)  # names stay sealed on the panel page
    members = list(links)
    assert len(members) == 3, links
    experts: dict[str, Person] = {}
    for i, name in enumerate(members):
        username = f"jp{i + 1:02d}"
        give_account(staff, name, username, EXPERT_PASSWORD)
        experts[name] = people.person(username)
        experts[name].sign_in(username, EXPERT_PASSWORD)
        answer_invitation(experts[name], links[name], accept=True)
    staff.goto(f"{published_path}/panel")
    staff.click("开始评审")
    staff.sees("评审已开始", selector="body")
    for name, score in zip(members, ("86", "88", "84"), strict=True):
        declare(experts[name], published_title)
        type_scores(experts[name], {CRITERION: score})
        submit_sheet(experts[name], EXPERT_PASSWORD)
    for name in members:
        sign_report(experts[name], review_id, EXPERT_PASSWORD)
    staff.goto(f"/scoring/reviews/{review_id}")
    staff.page.once("dialog", lambda dialog: dialog.accept())
    staff.click("公布结果")
    staff.sees("已公布的结果")
