"""Steps shared by the journeys, each done through the pages only.

Every journey starts from an empty database, so each one sets up its agency, staff and roster
again with these steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.e2e.people import People, Person
from tests.e2e.roster_book import experts, fill_template

STAFF_PASSWORD = "Kunming-Staff-26!"
EXPERT_PASSWORD = "Pingfen-Expert-26!"
AGENCY = "昆明市社会保险局"


@dataclass
class Office:
    """The agency's people, signed in, each in a browser of their own."""

    admin: Person
    staff: Person
    supervisor: Person
    auditor: Person
    roster: list[dict[str, str]] = field(default_factory=list)


def create_user(admin: Person, username: str, name: str, role: str, *, agency: str | None) -> None:
    admin.goto("/admin/users/")
    admin.fill("用户名", username)
    admin.fill("姓名", name)
    admin.select("角色", role)
    if agency:
        admin.page.get_by_label("机构").select_option(label=f"昆明市 · {agency}")
    admin.fill("初始密码", STAFF_PASSWORD)
    admin.click("创建")
    admin.sees(f"已创建用户 {username}", selector="body")


def set_up_office(people: People) -> Office:
    """Admin: the agency, its 经办人 and 监督人, and an auditor; each signs in."""
    admin = people.admin()
    admin.goto("/admin/agencies/")
    admin.sees("还没有机构")
    admin.fill("机构名称", AGENCY)
    admin.fill("所属州（市）", "昆明市")
    admin.click("创建")
    admin.sees(f"已创建机构 {AGENCY}", selector="body")
    admin.shot("agency-created")
    # The specialty tree is the province's to configure; the defaults are one click.
    admin.goto("/roster/specialties")
    admin.sees("尚未配置专业分类")
    admin.click("载入默认分类")
    admin.sees("专业分类已更新", selector="body")
    admin.sees("危险化学品", "职业卫生")
    create_user(admin, "jingban", "李经办", "经办人", agency=AGENCY)
    create_user(admin, "jiandu", "王监督", "监督人", agency=AGENCY)
    create_user(admin, "shenji", "赵审计", "审计", agency=None)
    admin.sees("李经办", "王监督", "赵审计")
    admin.shot("users-created")
    office = Office(admin=admin, staff=people.person("jingban"), supervisor=people.person("jiandu"),
                    auditor=people.person("shenji"))
    for who, username in ((office.staff, "jingban"), (office.supervisor, "jiandu"), (office.auditor, "shenji")):
        who.sign_in(username, STAFF_PASSWORD)
        who.sees("欢迎", selector="body")
    return office


def import_roster(office: Office, count: int = 60) -> list[dict[str, str]]:
    """经办人: download the template, fill it, upload, read the dry run, confirm."""
    staff = office.staff
    staff.goto("/roster/import")
    filename, template = staff.download("导入模板")
    assert filename.endswith(".xlsx")
    rows = experts(count)
    wrong_digit = "0" if rows[0]["身份证号码"][-1] != "0" else "1"
    bad = [dict(rows[0], **{"身份证号码": rows[0]["身份证号码"][:-1] + wrong_digit})]
    path = staff.crowd.shots / "roster-bad.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fill_template(template, bad + rows[1:]))
    staff.page.set_input_files("input[name=file]", str(path))
    staff.click("上传并检查")
    staff.sees("检查未通过：未写入任何数据", "第 2 行", "身份证号码")
    staff.shot("roster-import-rejected")
    path = staff.crowd.shots / "roster.xlsx"
    path.write_bytes(fill_template(template, rows))
    staff.page.set_input_files("input[name=file]", str(path))
    staff.click("上传并检查")
    staff.sees("检查通过", f"共 {count} 行，全部符合要求")
    staff.shot("roster-import-checked")
    staff.click(f"确认导入 {count} 名专家")
    staff.sees(f"{count}", selector="body")
    staff.goto("/roster/")
    staff.sees(f"共 {count}")
    staff.shot("roster-list")
    for row in (rows[0], rows[-1]):
        staff.goto("/roster/?q=" + row["姓名"])
        staff.sees(row["姓名"], row["工作单位"])
    office.roster = rows
    return rows


# -- projects, reviews and panels -------------------------------------------------------------

def create_project(staff: Person, name: str, *, budget: str = "380000", purchaser: str = AGENCY) -> str:
    """经办人: a new 工伤预防 project; returns its page path."""
    staff.goto("/projects/")
    staff.fill("项目名称", name)
    staff.fill("重点行业", "危险化学品")
    staff.fill("预算金额（元）", budget)
    staff.fill("采购人（申报单位）", purchaser)
    staff.click("新建项目")
    staff.sees(name)
    return str(staff.page.url).split(staff.crowd.server.url, 1)[1]


def create_review(staff: Person, project_path: str, kind: str, title: str) -> str:
    """经办人: a review of `kind` (its Chinese label) on the project; returns the review's path."""
    staff.goto(project_path)
    staff.select("评审类型", kind)
    staff.fill("评审名称（可空）", title)
    staff.click("新建评审")
    staff.sees(title)
    return str(staff.page.url).split(staff.crowd.server.url, 1)[1]


def review_settings(staff: Person, review_path: str, **fields: str) -> None:
    staff.goto(review_path)
    form = staff.page.locator(f"form[action='{review_path}/settings']")
    for key, value in fields.items():
        if key in ("panel_source", "category"):
            form.locator(f"select[name={key}]").select_option(label=value)
        else:
            form.locator(f"[name={key}]").fill(value)
    form.get_by_role("button", name="保存设置").click()
    staff.page.wait_for_load_state()
    staff.sees("已保存", selector="body")


def add_criterion(staff: Person, review_path: str, name: str, points: str, *, kind: str | None = None,
                  veto: bool = False, guidance: str = "") -> None:
    form = staff.page.locator(f"form[action='{review_path}/criteria']")
    form.locator("[name=name]").fill(name)
    form.locator("[name=max_points]").fill(points)
    if kind:
        form.locator("select[name=kind]").select_option(label=kind)
    if veto:
        form.locator("select[name=veto]").select_option(label="是")
    if guidance:
        form.locator("[name=guidance]").fill(guidance)
    form.get_by_role("button", name="增加评分因素").click()
    staff.page.wait_for_load_state()
    staff.sees(name)


def add_bid(staff: Person, review_path: str, supplier: str, *, title: str = "", quote: str = "",
            credit_code: str = "") -> None:
    form = staff.page.locator(f"form[action='{review_path}/bids']")
    if title:
        form.locator("[name=title]").fill(title)
    form.locator("[name=supplier_name]").fill(supplier)
    if credit_code:
        form.locator("[name=credit_code]").fill(credit_code)
    if quote:
        form.locator("[name=final_quote]").fill(quote)
    form.get_by_role("button", name="登记").click()
    staff.page.wait_for_load_state()
    staff.sees(supplier)


def prepare_and_confirm_draw(office: Office, review_path: str) -> list[str]:
    """经办人 prepares the draw; the 监督人, in a browser of their own, confirms it. Names drawn, in order."""
    staff, supervisor = office.staff, office.supervisor
    staff.goto(f"{review_path}/panel")
    staff.click("准备抽取")
    staff.sees("待监督人确认")
    staff.shot("draw-prepared")
    supervisor.goto(f"{review_path}/panel")
    supervisor.click("确认第 1 次抽取")
    supervisor.sees("监督人确认", selector="body")
    draw_path = str(supervisor.page.url).split(supervisor.crowd.server.url, 1)[1]
    supervisor.click("确认并抽取")
    supervisor.sees("抽取完成", selector="body")
    supervisor.shot("draw-confirmed")
    supervisor.goto(f"{draw_path}/replay")
    supervisor.sees("一致")
    return []


def invitation_links(admin: Person) -> dict[str, str]:
    """The outbox (no SMTP here): each invited person's name → their one-time invitation link."""
    import re

    admin.goto("/panels/outbox")
    links: dict[str, str] = {}
    for row in admin.page.locator("table.grid tbody tr").all():
        cells = row.locator("td").all()
        if len(cells) < 5:
            continue
        name = cells[1].inner_text().split("<")[0].strip()
        found = re.search(r"https?://[^\s]+/invitations/[A-Za-z0-9_\-]+", cells[4].inner_text())
        if found:
            links[name] = found.group(0)
    return links


def answer_invitation(person: Person, link: str, *, accept: bool, reason: str = "") -> None:
    person.goto(link)
    person.sees("评审邀请")
    person.shot("invitation")
    if accept:
        person.click("接受邀请")
        person.sees("感谢您接受邀请")
    else:
        person.fill("谢绝原因", reason)
        person.click("谢绝邀请")
        person.sees("已记录您的谢绝")


def give_account(staff: Person, expert_name: str, username: str, password: str) -> None:
    """经办人 opens the expert's roster page and opens a sign-in account for them."""
    staff.goto("/roster/?q=" + expert_name)
    staff.page.get_by_role("link", name=expert_name, exact=True).first.click()
    staff.page.wait_for_load_state()
    form = staff.page.locator("form[action$='/account/create']")
    form.locator("[name=username]").fill(username)
    form.locator("[name=password]").fill(password)
    form.locator("[name=repeat]").fill(password)
    form.get_by_role("button", name="开通并关联").click()
    staff.page.wait_for_load_state()
    staff.sees(f"已为该专家开通登录账户“{username}”", selector="body")


def panel_members(staff: Person, review_path: str) -> list[tuple[str, str, str]]:
    """(role, name, state) of every seat on the panel page, in page order."""
    staff.goto(f"{review_path}/panel")
    rows = []
    for row in staff.page.locator("section table.grid").first.locator("tbody tr").all():
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows.append(tuple(cells))
    return rows
