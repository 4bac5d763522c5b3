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
    bad = [dict(rows[0], **{"身份证号码": rows[0]["身份证号码"][:-1] + ("0" if rows[0]["身份证号码"][-1] != "0" else "1")})]
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
    staff.sees(rows[0]["姓名"], rows[-1]["姓名"])
    staff.shot("roster-list")
    office.roster = rows
    return rows
