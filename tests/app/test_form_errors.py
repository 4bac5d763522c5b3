# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)
"""Every form's error path is a page: POST bad input, get 400 (or 409/404), text/html, and the
Chinese message in the body — what the browser shows the person who made the mistake.

The POST routes come from the app's route table: a route added without a row in CASES (or in
NOT_FORMS, with the reason it has no error form) fails `test_every_post_route_has_an_error_case`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest

from app.panels.tables import Draw, Invitation, OutboxMessage, PanelSeat
from app.reviews.tables import Review
from app.roster import accounts as roster_accounts
from app.roster.tables import Expert
from app.server import create_app
from tests.app.helpers import csrf
from tests.app.panels_support import actor, drawn_approval_review
from tests.app.roster_fixtures import as_role, id_number, people, row, workbook  # noqa: F401  (fixtures)
from tests.app.test_pages_html import app_routes
from tests.app.test_scoresheets_fixtures import (
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    make_panel,
    open_and_declare,
)


@dataclass
class Case:
    who: str | None  # a role, a username, or None for a visitor who is not signed in
    data: dict[str, str]
    message: str  # Chinese text the re-rendered page must show
    status: int = 400


# POST routes without an error form of their own: what they answer instead.
NOT_FORMS: dict[str, str] = {
    "POST /logout": "signs out; nothing to get wrong",
}

# "POST path" -> the bad input and what the person must read. Path parameters and the
# {placeholders} in the data come from the `forms` fixture.
CASES: dict[str, Case] = {
    # accounts
    "POST /login": Case(None, {"username": "agency1", "password": "wrong-password"}, "用户名或密码错误"),
    "POST /account/password": Case("agency", {"current": "wrong", "new": "x", "repeat": "y"}, "当前密码不正确"),
    "POST /admin/users": Case("admin", {"username": "", "role": "agency"}, "用户名须为 1–50 位字母"),
    "POST /admin/agencies": Case("admin", {"name": " ", "region": "曲靖市"}, "机构名称不能为空"),
    "POST /admin/agencies/{agency_id:int}/rename": Case("admin", {"name": "大理州社会保险局", "region": "昆明市"},
                                                         "机构“大理州社会保险局”已存在"),
    "POST /admin/agencies/{agency_id:int}/status": Case("admin", {"active": "maybe"}, "请选择启用或停用"),
    "POST /admin/users/{user_id:int}/edit": Case("admin", {"display_name": "", "role": "agency"}, "姓名不能为空"),
    "POST /admin/users/{user_id:int}/status": Case("admin", {"active": "maybe"}, "请选择启用或停用"),
    "POST /admin/users/{user_id:int}/reset": Case("admin", {}, "用户 999999 不存在", 404),
    # roster
    "POST /roster/experts/new": Case("agency", {"name": ""}, "姓名不能为空"),
    "POST /roster/experts/{expert_id:int}/edit": Case("agency", {"name": ""}, "姓名不能为空"),
    "POST /roster/experts/{expert_id:int}/status": Case("agency", {"status": "nonsense"}, "只能改为：暂停、请假、出库"),
    "POST /roster/experts/{expert_id:int}/performance": Case("agency", {"score": "abc"}, "评价分须为 0–100 的整数"),
    "POST /roster/experts/{expert_id:int}/ties/{kind:str}": Case("agency", {}, "请填写亲属姓名"),
    "POST /roster/experts/{expert_id:int}/ties/{kind:str}/{item_id:int}/delete": Case(
        "agency", {}, "该条记录不存在", 404),
    "POST /roster/experts/{expert_id:int}/account/create": Case(
        "agency", {"username": "newexpert", "password": "Abc-12345678x", "repeat": "different"},
        "两次输入的密码不一致"),
    "POST /roster/experts/{expert_id:int}/account/link": Case(
        "agency", {"username": "nobody-here"}, "账户“nobody-here”不存在"),
    "POST /roster/experts/{expert_id:int}/account/unlink": Case("agency", {}, "该专家尚未关联登录账户"),
    "POST /roster/import": Case("agency", {"action": "check"}, "请选择要上传的 .xlsx 文件"),
    "POST /roster/changes/{change_id:int}/ack": Case("agency", {}, "该变更不存在或已核对", 404),
    "POST /roster/specialties": Case("admin", {"code": "", "name": ""}, "名称不能为空"),
    "POST /me/profile": Case("expert", {"version": "{own_version}", "phone": "12"}, "手机号码应为 11 位"),
    "POST /me/ties/{kind:str}": Case("expert", {}, "请填写亲属姓名"),
    "POST /me/ties/{kind:str}/{item_id:int}/delete": Case("expert", {}, "该条记录不存在", 404),
    # conflicts
    "POST /conflicts/check": Case("agency", {}, "请至少填写采购人或一个供应商"),
    "POST /conflicts/records": Case("agency", {"reason": "x"}, "请填写专家编号"),
    "POST /conflicts/records/{record_id:int}/revoke": Case("agency", {"reason": "x"}, "该记录不存在或已撤销", 404),
    "POST /conflicts/links": Case("agency", {}, "请填写分支机构名称"),
    # reviews
    "POST /projects": Case("agency", {"name": ""}, "项目名称不能为空"),
    "POST /projects/{project_id:int}/reviews": Case("agency", {"kind": "nonsense"}, "请选择评审类型"),
    "POST /reviews/{review_id:int}/settings": Case("agency", {"version": "0", "panel_size": "abc"}, "小组人数须为整数"),
    "POST /reviews/{review_id:int}/rubric": Case("agency", {"template_id": ""}, "请选择评分模板"),
    "POST /reviews/{review_id:int}/criteria": Case(
        "agency", {"name": "", "max_points": "abc"}, "分值“abc”不是有效金额"),
    "POST /reviews/{review_id:int}/criteria/{criterion_id:int}/delete": Case("agency", {}, "评分因素不存在", 404),
    "POST /reviews/{review_id:int}/bids": Case("agency", {"supplier_name": ""}, "供应商名称不能为空"),
    "POST /reviews/{review_id:int}/bids/{bid_id:int}/delete": Case("agency", {}, "评审对象不存在", 404),
    "POST /rubrics": Case("agency", {"kind": "approval", "name": "", "criteria": ""}, "模板名称不能为空"),
    # panels
    "POST /reviews/{review_id:int}/panel/draws": Case("agency", {}, "请导入抽取名单"),
    "POST /reviews/{review_id:int}/panel/import": Case("agency", {"names": ""}, "名单中有 0 名"),
    "POST /reviews/{review_id:int}/panel/reps": Case("agency", {"rep_name": ""}, "请填写采购人代表姓名"),
    # Buttons without input: their one error is a review that is not there (or not yours).
    "POST /reviews/{review_id:int}/panel/recheck": Case("agency", {}, "评审不存在", 404),
    "POST /reviews/{review_id:int}/panel/expire": Case("agency", {}, "评审不存在", 404),
    # A drawn roster expert's seat gets its account on the roster page, not here.
    "POST /reviews/{review_id:int}/panel/seats/{seat_id:int}/account": Case(
        "agency", {"username": "rep1"}, "请在专家库该专家的详情页开通或关联登录账户"),
    "POST /reviews/{review_id:int}/panel/seats/{seat_id:int}/account/link": Case(
        "agency", {"username": "expert1"}, "请在专家库该专家的详情页开通或关联登录账户"),
    "POST /reviews/{review_id:int}/panel/seats/{seat_id:int}/account/unlink": Case(
        "agency", {}, "请在专家库该专家的详情页开通或关联登录账户"),
    "POST /reviews/{review_id:int}/open": Case("agency", {}, "小组尚未组成，不能开始评审"),
    "POST /panels/draws/{draw_id:int}/confirm": Case("supervisor", {}, "该抽取不在待确认状态"),
    "POST /panels/draws/{draw_id:int}/cancel": Case("agency", {"reason": "重新抽取"}, "只有待确认的抽取可以取消"),
    "POST /panels/seats/{seat_id:int}/recuse": Case("agency", {"reason": ""}, "请写明回避原因"),
    "POST /invitations/{token:str}/accept": Case(None, {}, "邀请链接无效", 404),
    "POST /invitations/{token:str}/decline": Case(None, {"reason": ""}, "请写明谢绝原因"),
    "POST /my/invitations/{invitation_id:int}/accept": Case("expert", {}, "您只能答复发给您本人的邀请", 403),
    "POST /my/invitations/{invitation_id:int}/decline": Case("expert", {"reason": ""}, "请写明谢绝原因"),
    # online scoring
    "POST /scoring/reviews/{review_id:int}/declaration": Case("member", {"conflict": "no"}, "请阅读并勾选承诺书"),
    "POST /scoring/sheets/{sheet_id:int}": Case(
        "sheet_owner", {"version": "{sheet_version}", "{score_field}": "45", "action": "save"},
        "得分须在 0–40 分之间（您填写了 45）"),
    "POST /scoring/notes/{note_id:int}/explanation": Case("member", {"explanation": ""}, "说明请求不存在", 404),
    "POST /scoring/reviews/{review_id:int}/signature": Case(
        "member", {"agree": "yes", "password": "wrong"}, "密码不正确，签字未完成"),
    "POST /scoring/reviews/{review_id:int}/leader": Case("agency", {"seat_id": ""}, "组长须是本评审小组已到位的成员"),
    "POST /scoring/reviews/{review_id:int}/settings": Case("agency", {"pass_score": "abc"}, "“abc”不是数字"),
    "POST /scoring/reviews/{review_id:int}/explanations": Case(
        "agency", {"sheet_id": "{sheet_id}"}, "全部评分表提交后才能就评分畸高畸低提示说明", 409),
    "POST /scoring/reviews/{review_id:int}/returns": Case(
        "agency", {"sheet_id": "{sheet_id}"}, "只有已提交的评分表才能退回重评"),
    "POST /scoring/reviews/{review_id:int}/price-reviews": Case("agency", {}, "请填写供应商的书面说明"),
    "POST /scoring/reviews/{review_id:int}/ties": Case("agency", {}, "全部评分表提交后才能记录评审小组的决定", 409),
    "POST /scoring/reviews/{review_id:int}/ranking-notes": Case("agency", {}, "请填写排序理由"),
    "POST /scoring/reviews/{review_id:int}/refusals": Case("agency", {"seat_id": ""}, "该成员不在本评审小组中"),
    "POST /scoring/reviews/{review_id:int}/publish": Case(
        "agency", {}, "全体成员签字（或记录拒签）后才能公布结果", 409),
    # plans
    "POST /plans": Case("agency", {"title": "", "mode": "randomized", "q": "2", "load_cap": "2", "yearly_cap": "6",
                                   "reviews": "{review_id}"}, "请填写计划名称"),
    "POST /plans/{plan_id:int}/confirm": Case("supervisor", {}, "评审计划不存在", 404),
    "POST /plans/{plan_id:int}/cancel": Case("agency", {}, "评审计划不存在", 404),
    "POST /plans/{plan_id:int}/accept": Case("agency", {}, "评审计划不存在", 404),
    "POST /scoring/reviews/{review_id:int}/corrections": Case("agency", {}, "结果尚未公布，不能办理更正", 409),
    # exports
    "POST /exports/season": Case("agency", {"date_from": "2026-13-45"}, "日期格式"),
}


def post_routes() -> set[str]:
    return {k for k in app_routes(create_app()) if not k.startswith("GET ")}


def test_every_post_route_has_an_error_case():
    routes = post_routes()
    assert routes - CASES.keys() - NOT_FORMS.keys() == set(), "POST routes without an error case"
    assert (CASES.keys() | NOT_FORMS.keys()) - routes == set(), "cases for routes that do not exist"
    assert CASES.keys() & NOT_FORMS.keys() == set()


@pytest.fixture
async def forms(world) -> dict[str, str]:
    """Objects for every path parameter and form placeholder: a drawn 立项评审 (its draw, seats
    and invitations; expert1 signs in as the first invited expert), the draft 磋商 review beside
    it, and an open 磋商 review scored online by members fx1–fx3 (fx2 has opened a sheet)."""
    approval_id = await drawn_approval_review(world)
    approval = await Review.objects().where(Review.id == approval_id).first()
    draft = await Review.objects().where((Review.project == approval.project) & (Review.id != approval_id)).first()
    draw = await Draw.select(Draw.id).where(Draw.review == approval_id).first()
    invited = await PanelSeat.select().where(
        (PanelSeat.review == approval_id) & (PanelSeat.state == "invited")).order_by(PanelSeat.id)
    await roster_accounts.link_account(await actor(world, "agency"), invited[0]["expert"], "expert1")
    invitations = {s["id"]: (await Invitation.select(Invitation.id).where(Invitation.seat == s["id"]).first())["id"]
                   for s in invited[:3]}
    body = (await OutboxMessage.select(OutboxMessage.body).where(
        OutboxMessage.invitation == invitations[invited[1]["id"]]).first())["body"]
    own = await Expert.select(Expert.version).where(Expert.id == invited[0]["expert"]).first()
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="fx")
    unlinked = await Expert.select(Expert.id).where(Expert.user.is_null()).order_by(Expert.id).first()
    return {
        "project_id": str(approval.project), "review_id": str(draft.id), "approval_id": str(approval_id),
        "scoring_id": str(panel.review_id), "draw_id": str(draw["id"]), "seat_id": str(invited[2]["id"]),
        "expert_id": str(unlinked["id"]), "own_version": str(own["version"]),
        "invitation_id": str(invitations[invited[0]["id"]]), "other_invitation_id": str(invitations[invited[2]["id"]]),
        "token": re.search(r"/invitations/([\w-]+)", body).group(1), "kind": "relatives",
        "item_id": "999999", "change_id": "999999", "record_id": "999999", "criterion_id": "999999",
        "bid_id": "999999", "note_id": "999999", "plan_id": "999999", "agency_id": str(world.agency_id),
        "user_id": str(world.users["auditor"]),
        "member": panel.experts[0], "sheet_member": panel.experts[1],
        "score_field": f"v-{panel.bids['A']}-{panel.criteria['T1']}",  # 服务方案, at most 40 points
    }


def _params_for(key: str, params: dict[str, str]) -> dict[str, str]:
    """Which review a route acts on: online scoring on the open 磋商 review, the panel's
    upkeep on the drawn approval review, settings/rubric/bids/panel set-up on the draft 磋商."""
    if key.startswith("POST /scoring/"):
        return {**params, "review_id": params["scoring_id"]}
    if "/panel/seats/" in key:  # a seat of the drawn review (a roster expert's)
        return {**params, "review_id": params["approval_id"]}
    if "/panel/recheck" in key or "/panel/expire" in key:
        return {**params, "review_id": "999999"}
    if key == "POST /admin/users/{user_id:int}/reset":  # nothing to get wrong but the account itself
        return {**params, "user_id": "999999"}
    if key == "POST /invitations/{token:str}/accept":
        return {**params, "token": "a-link-that-was-never-sent"}
    if key == "POST /my/invitations/{invitation_id:int}/accept":
        return {**params, "invitation_id": params["other_invitation_id"]}  # someone else's invitation
    return params


def shown_messages(page: str) -> str:
    """What the person reads as the error: the form's error elements (class="error…"), or the
    message of an error page."""
    if "error-page" in page:
        found = re.findall(r'<section class="card narrow error-page">(.*?)</section>', page, flags=re.S)
    else:
        found = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", f) for f in found))


async def _post(client: Any, url: str, data: dict[str, str], *, multipart: bool) -> Any:
    token = await csrf(client)
    if multipart:  # the roster import form is multipart/form-data, as the browser sends it
        return await client.post(url, data={**data, "_csrf_token": token},
                                 files={"unused": ("", b"", "application/octet-stream")}, follow_redirects=False)
    return await client.post(url, data={**data, "_csrf_token": token}, follow_redirects=False)


async def test_every_form_error_is_a_page_with_its_message(forms, signed_in, client):
    clients: dict[str | None, Any] = {None: client, "member": await signed_in(forms["member"])}
    sheet_owner = await signed_in(forms["sheet_member"])
    sheet_id = await open_and_declare(sheet_owner, _Review(int(forms["scoring_id"])))
    sheet = (await sheet_owner.get(f"/api/scoring/sheets/{sheet_id}")).json()
    clients["sheet_owner"] = sheet_owner
    params = {**forms, "sheet_id": str(sheet_id), "sheet_version": str(sheet["version"])}
    wrong = []
    for key, case in sorted(CASES.items()):
        if case.who not in clients:
            clients[case.who] = await signed_in(case.who)
        values = _params_for(key, params)
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m, v=values: v[m.group(1)], key.split(" ", 1)[1])
        data = {k.format(**values): v.format(**values) for k, v in case.data.items()}
        response = await _post(clients[case.who], url, data, multipart=key == "POST /roster/import")
        kind = response.headers.get("content-type", "")
        shown = shown_messages(response.text) if kind.startswith("text/html") else response.text[:200]
        problems = []
        if response.status_code != case.status:
            problems.append(f"status {response.status_code} (expected {case.status})")
        if not kind.startswith("text/html"):
            problems.append(f"served as {kind!r}")
        if case.message not in shown:
            problems.append(f"message {case.message!r} not shown")
        if problems:
            wrong.append(f"{key} as {case.who}: {', '.join(problems)}; the page says {' '.join(shown.split())[:200]!r}")
    assert wrong == []


@dataclass
class _Review:
    """What open_and_declare needs of a panel."""

    review_id: int


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_every_roster_import_result_is_a_page(as_role):
    """检查通过, a workbook with bad rows, a file that is not a workbook, a commit whose checked
    file is gone: each is the import page, in HTML, saying what happened."""
    client = await as_role("agency")

    async def upload(content: bytes, name: str = "专家.xlsx", **data: str) -> Any:
        token = await csrf(client)
        return await client.post("/roster/import", files={"file": (name, content, XLSX)},
                                 data={"_csrf_token": token, **data}, follow_redirects=False)

    good = [row(name=f"导入{i}", id_number=id_number(seq=300 + 2 * i)) for i in range(3)]
    bad = [*good, row(name="无单位", id_number=id_number(seq=401), employer="")]
    results = {
        "检查通过": (await upload(workbook(good), action="check"), 200, "检查通过"),
        "bad rows": (await upload(workbook(bad), action="check"), 400, "工作单位不能为空"),
        "not a workbook": (await upload(b"a,b\n1,2\n", "专家.csv", action="check"), 400, "CSV"),
        "commit, file gone": (await upload(b"", action="commit", token="0" * 64), 400, "找不到已检查的文件"),
    }
    wrong = [f"{what}: {r.status_code} {r.headers.get('content-type')}" for what, (r, status, text) in results.items()
             if r.status_code != status or not r.headers.get("content-type", "").startswith("text/html")
             or text not in html.unescape(r.text)]
    assert wrong == []
