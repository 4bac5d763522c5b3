"""Journey: a 竞争性磋商 whose experts come from the 财政 expert library, with a 采购人代表 seat.

The 经办人 imports the names drawn in the finance system, registers the purchaser's
representative, opens the review and gives each seat a sign-in account from the panel page
(the initial password is shown once); the three score three suppliers, the leader signs, one
dissents, and the published ranking follows the price and technical scores.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tests.e2e.people import People, Person
from tests.e2e.scoring_steps import declare, sign_report, submit_sheet, type_scores
from tests.e2e.steps import add_bid, add_criterion, create_project, create_review, review_settings, set_up_office

TITLE = "2027年工伤预防宣传培训服务竞争性磋商"
SUPPLIERS = {"云南安培职业培训学校": "371800", "昆明众安安全技术服务有限公司": "356000", "曲靖博安培训中心": "390000"}
IMPORTED = [("孙立新", "云南省安全生产科学研究院"), ("何海燕", "昆明理工大学")]
REP = ("周晓东", "昆明市社会保险局")
NEW_PASSWORD = "Cuoshang-Kunming-27!"


def seat_account(staff: Person, review: str, name: str, username: str) -> str:
    """The 经办人 opens an account for the seat held by `name`; the initial password shown once."""
    staff.goto(f"{review}/panel")
    row = staff.page.get_by_role("row").filter(has_text=name)
    row.get_by_role("textbox", name=f"{name} 的新用户名").fill(username)
    row.get_by_role("button", name="开通账户").click()
    staff.page.wait_for_load_state()
    staff.sees(f"已为“{name}”开通登录账户")
    assert staff.page.locator("#new-account-username").inner_text() == username
    return str(staff.page.locator("#new-account-password").inner_text())


def first_sign_in(person: Person, username: str, initial: str) -> None:
    """Sign in with the initial password and change it, as the panel page advises."""
    person.sign_in(username, initial)
    person.goto("/account/password")
    person.page.locator("input[name=current]").fill(initial)
    person.page.locator("input[name=new]").fill(NEW_PASSWORD)
    person.page.locator("input[name=repeat]").fill(NEW_PASSWORD)
    person.page.locator("main form button[type=submit]").click()
    person.page.wait_for_load_state()
    person.sees("密码已修改", selector="body")


def test_consultation_with_finance_names_and_a_purchaser_representative(people: People) -> None:
    office = set_up_office(people)
    staff = office.staff
    project = create_project(staff, "2027年工伤预防宣传培训服务采购", budget="400000")
    review = create_review(staff, project, "竞争性磋商", TITLE)
    review_id = review.rsplit("/", 1)[1]
    review_settings(staff, review, panel_size="3", purchaser_reps="1", alternates="0",
                    panel_source="财政专家库抽取（导入名单）", category="服务", price_weight="20")
    add_criterion(staff, review, "服务方案", "40", kind="主观")
    add_criterion(staff, review, "培训师资", "25", kind="主观")
    add_criterion(staff, review, "类似项目业绩", "15", kind="客观")
    for supplier, quote in SUPPLIERS.items():
        add_bid(staff, review, supplier, quote=quote)
    staff.shot("consultation-ready")

    staff.goto(f"{review}/panel")
    staff.fill("抽取记录编号", "云财专抽〔2027〕0315号")
    staff.fill("专家名单（每行：姓名,工作单位）", "\n".join(f"{n},{o}" for n, o in IMPORTED))
    staff.click("导入")
    staff.fill("姓名", REP[0], within="form[action$='/panel/reps']")
    staff.page.locator("form[action$='/panel/reps']").get_by_role("button", name="登记").click()
    staff.page.wait_for_load_state()
    staff.sees(REP[0], "采购人代表", "评审专家：已接受 2 / 2")
    staff.click("开始评审")
    staff.sees("评审已开始", selector="body")
    staff.sees(IMPORTED[0][0], IMPORTED[1][0], REP[0])

    names = [n for n, _ in IMPORTED] + [REP[0]]
    members: dict[str, Person] = {}
    for i, name in enumerate(names):
        username = f"cs{i + 1}"
        initial = seat_account(staff, review, name, username)
        members[name] = people.person(username)
        first_sign_in(members[name], username, initial)
    staff.shot("consultation-accounts")

    # Technical scores: 服务方案, 培训师资 by judgement; 类似项目业绩 is objective, the same for all.
    marks = {
        names[0]: [("36", "22"), ("32", "20"), ("30", "18")],
        names[1]: [("35", "23"), ("33", "21"), ("29", "19")],
        names[2]: [("37", "21"), ("31", "20"), ("30", "17")],
    }
    track = {"云南安培职业培训学校": "15", "昆明众安安全技术服务有限公司": "12", "曲靖博安培训中心": "10"}
    for name in names:
        declare(members[name], TITLE)
        for index, supplier in enumerate(SUPPLIERS):
            plan, teachers = marks[name][index]
            type_scores(members[name], {"服务方案": plan, "培训师资": teachers, "类似项目业绩": track[supplier]},
                        bid_index=index)
        submit_sheet(members[name], NEW_PASSWORD)

    staff.goto(f"/scoring/reviews/{review_id}")
    option = staff.page.locator("#seat_id option", has_text=names[0]).first.get_attribute("value")
    staff.page.locator("#seat_id").select_option(value=option)
    staff.click("登记")
    for i, name in enumerate(names):
        sign_report(members[name], review_id, NEW_PASSWORD,
                    dissent="众安公司报价最低但方案针对性不足，建议排序时更看重方案。" if i == 2 else "")
    staff.goto(f"/scoring/reviews/{review_id}")
    staff.page.once("dialog", lambda dialog: dialog.accept())
    staff.click("公布结果")
    published = staff.sees("已公布的结果")
    staff.shot("consultation-published")

    # The ranking the person reads is the one the rules give (docs/scoring.md §1.4): the experts'
    # mean and the price score (lowest quote / quote × 20) each rounded half up, then added.
    cent = Decimal("0.01")
    lowest = min(Decimal(q) for q in SUPPLIERS.values())
    totals = {}
    for index, (supplier, quote) in enumerate(SUPPLIERS.items()):
        experts_mean = sum(Decimal(marks[n][index][0]) + Decimal(marks[n][index][1]) for n in names) / 3
        experts_mean = (experts_mean + Decimal(track[supplier])).quantize(cent, ROUND_HALF_UP)
        price = (lowest * 20 / Decimal(quote)).quantize(cent, ROUND_HALF_UP)
        totals[supplier] = experts_mean + price
    ranked = sorted(totals, key=totals.get, reverse=True)  # type: ignore[arg-type]
    positions = [published.index(f"{supplier}（总分 {totals[supplier]}）") for supplier in ranked]
    assert positions == sorted(positions), (totals, published)
