"""A seat belongs to a person; whoever signs in as that person *now* is the seat's member.

One test per order of events (account before the draw, after acceptance, after the review
opened, changed mid-review), each going through the HTTP app to the sheet and a saved score;
then the same for a 采购人代表 and an imported 财政-library name, whose accounts are made on the
panel page.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from app.audit.tables import AuditRecord
from app.panels.tables import Draw, Invitation, OutboxMessage, PanelSeat
from app.reviews import bids, rubrics
from app.reviews.tables import Criterion
from app.roster.tables import Expert
from app.scoresheets.tables import Declaration, Score, ScoreSheet
from tests.app.helpers import PASSWORD, csrf, post_form, sign_in
from tests.app.panels_support import actor, add_experts, members, project_with_reviews, seats, set_panel

TITLE = "立项评审（席位账户）"


@pytest.fixture
async def review(world) -> int:
    """An approval review of 3 experts and 1 alternate, with a rubric and one item, not yet drawn."""
    await add_experts([["safety"]] * 8)
    _, approval_id, _ = await project_with_reviews(world)
    await set_panel(world, approval_id, title=TITLE, panel_size="3", alternates="1", accept="safety")
    staff = await actor(world, "agency")
    await rubrics.add_criterion(staff, approval_id, rubrics.CriterionInput(name="方案可行性", max_points="60"))
    await rubrics.add_criterion(staff, approval_id, rubrics.CriterionInput(name="预算合理性", max_points="40"))
    await bids.add_bid(staff, approval_id, bids.BidInput(supplier_name="昆明市社会保险局", title="危化企业培训"))
    return approval_id


async def draw(agency: AsyncTestClient, supervisor: AsyncTestClient, review_id: int) -> None:
    """经办人 prepares, 监督人 confirms — in the browser's way."""
    assert (await post_form(agency, f"/reviews/{review_id}/panel/draws")).status_code == 303
    pending = await Draw.select(Draw.id).where(Draw.review == review_id).first()
    assert (await post_form(supervisor, f"/panels/draws/{pending['id']}/confirm")).status_code == 303


async def token_for(seat_id: int) -> str:
    invitation = await Invitation.select(Invitation.id).where(Invitation.seat == seat_id).first()
    body = (await OutboxMessage.select(OutboxMessage.body).where(
        OutboxMessage.invitation == invitation["id"]).first())["body"]
    return re.search(r"/invitations/([\w-]+)", body).group(1)


async def accept_by_link(client: AsyncTestClient, review_id: int) -> list[dict[str, Any]]:
    """Every invited member accepts from the e-mailed link; the member seats, by seat number."""
    for seat in members(await seats(review_id)):
        page = await post_form(client, f"/invitations/{await token_for(seat['id'])}/accept")
        assert page.status_code == 200 and "感谢您接受邀请" in page.text
    return members(await seats(review_id))


async def open_review(agency: AsyncTestClient, review_id: int) -> None:
    response = await post_form(agency, f"/reviews/{review_id}/open")
    assert response.status_code == 303, response.text


async def give_account(agency: AsyncTestClient, expert_id: int, username: str) -> None:
    """The roster page: 开通新账户 for the expert (role 评审专家)."""
    response = await post_form(agency, f"/roster/experts/{expert_id}/account/create",
                               {"username": username, "password": PASSWORD, "repeat": PASSWORD})
    assert response.status_code == 303, response.text


async def unlink(agency: AsyncTestClient, expert_id: int) -> None:
    assert (await post_form(agency, f"/roster/experts/{expert_id}/account/unlink")).status_code == 303


async def declare_and_open(client: AsyncTestClient, review_id: int, title: str = TITLE) -> int:
    """From the scoring list to the sheet: the list shows the review, the declaration is signed; the sheet id."""
    listing = await client.get("/scoring")
    assert listing.status_code == 200 and title in listing.text
    assert f"/scoring/reviews/{review_id}/sheet" in listing.text
    page = await client.get(f"/scoring/reviews/{review_id}/sheet")
    assert page.status_code == 200 and "承诺书" in page.text
    signed = await post_form(client, f"/scoring/reviews/{review_id}/declaration", {"conflict": "no", "pledge": "yes"})
    assert signed.status_code == 303, signed.text
    opened = await client.get(f"/scoring/reviews/{review_id}/sheet", follow_redirects=False)
    assert opened.status_code == 303, opened.text
    sheet_id = int(opened.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/scoring/sheets/{sheet_id}")
    assert page.status_code == 200 and "方案可行性" in page.text
    assert page.headers["content-type"].startswith("text/html")
    return sheet_id


async def save_score(client: AsyncTestClient, sheet_id: int, criterion: str, value: str) -> int:
    """Autosave one more score through the API, as the page does (the draft is the whole sheet); the new version."""
    review_id = (await ScoreSheet.select(ScoreSheet.review).where(ScoreSheet.id == sheet_id).first())["review"]
    crit = await Criterion.select(Criterion.id).where(
        (Criterion.review == review_id) & (Criterion.name == criterion)).first()
    bid = await bids.list_bids(review_id)
    current = (await client.get(f"/api/scoring/sheets/{sheet_id}")).json()
    kept = [{"bid": s["bid"], "criterion": s["criterion"], "value": s["value"]} for s in current["scores"]]
    added = {"bid": bid[0]["id"], "criterion": crit["id"], "value": value}
    saved = await client.post(f"/api/scoring/sheets/{sheet_id}/draft", json={
        "version": current["version"], "scores": [*kept, added]}, headers={"x-csrftoken": await csrf(client)})
    assert saved.status_code == 200, saved.text
    return saved.json()["version"]


async def saved_values(sheet_id: int) -> set[str]:
    return {f"{float(r['value']):g}" for r in await Score.select(Score.value).where(Score.sheet == sheet_id)}


async def test_account_made_before_the_draw(world, review, signed_in):
    agency, supervisor = await signed_in("agency"), await signed_in("supervisor")
    experts = [r["id"] for r in await Expert.select(Expert.id).order_by(Expert.id)]
    for n, expert_id in enumerate(experts):
        await give_account(agency, expert_id, f"pre{n}")
    await draw(agency, supervisor, review)
    first = members(await seats(review))[0]
    me = await signed_in(f"pre{experts.index(first['expert'])}")
    # Signed in, the expert answers their own invitation; the seat was never given an account.
    mine = await me.get("/my/invitations")
    assert mine.status_code == 200 and TITLE in mine.text
    invitation = await Invitation.select(Invitation.id).where(Invitation.seat == first["id"]).first()
    assert (await post_form(me, f"/my/invitations/{invitation['id']}/accept")).status_code == 303
    rest = [s for s in members(await seats(review)) if s["state"] == "invited"]
    for seat in rest:
        assert (await post_form(agency, f"/invitations/{await token_for(seat['id'])}/accept")).status_code == 200
    await open_review(agency, review)
    sheet_id = await declare_and_open(me, review)
    assert await save_score(me, sheet_id, "方案可行性", "52") == 2
    assert await saved_values(sheet_id) == {"52"}
    assert (await PanelSeat.select(PanelSeat.user).where(PanelSeat.id == first["id"]).first())["user"] is None
    # Another drawn expert's account cannot open this sheet.
    other = members(await seats(review))[1]
    stranger = await signed_in(f"pre{experts.index(other['expert'])}")
    assert (await stranger.get(f"/scoring/sheets/{sheet_id}")).status_code == 404


async def test_account_made_after_acceptance(world, review, signed_in, client):
    agency, supervisor = await signed_in("agency"), await signed_in("supervisor")
    await draw(agency, supervisor, review)
    seated = await accept_by_link(client, review)
    await give_account(agency, seated[0]["expert"], "after_accept")
    await open_review(agency, review)
    me = await signed_in("after_accept")
    sheet_id = await declare_and_open(me, review)
    assert await save_score(me, sheet_id, "预算合理性", "35.5") == 2
    assert await saved_values(sheet_id) == {"35.5"}


async def test_account_made_after_the_review_opened(world, review, signed_in, client):
    agency, supervisor = await signed_in("agency"), await signed_in("supervisor")
    await draw(agency, supervisor, review)
    seated = await accept_by_link(client, review)
    await open_review(agency, review)
    # The panel page now names the drawn experts and shows who still needs an account.
    cell = f'id="seat-{seated[2]["id"]}-account"'
    page = (await agency.get(f"/reviews/{review}/panel")).text
    assert f'{cell}>' in page and f'/roster/experts/{seated[2]["expert"]}#account">在专家库开通' in page
    assert "已接受的席位中有 3 个尚未开通登录账户" in page
    await give_account(agency, seated[2]["expert"], "after_open")
    page = (await agency.get(f"/reviews/{review}/panel")).text
    assert "after_open" in page and f'/roster/experts/{seated[2]["expert"]}#account">在专家库更换' in page
    assert "已接受的席位中有 2 个尚未开通登录账户" in page
    me = await signed_in("after_open")
    sheet_id = await declare_and_open(me, review)
    assert await save_score(me, sheet_id, "方案可行性", "48") == 2
    assert await saved_values(sheet_id) == {"48"}
    sheet = await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()
    assert sheet.seat == seated[2]["id"] and sheet.expert_key == str(seated[2]["expert"])


async def test_account_changed_mid_review(world, review, signed_in, client):
    agency, supervisor = await signed_in("agency"), await signed_in("supervisor")
    await draw(agency, supervisor, review)
    seated = await accept_by_link(client, review)
    expert_id = seated[1]["expert"]
    await give_account(agency, expert_id, "old_account")
    await open_review(agency, review)
    old = await signed_in("old_account")
    sheet_id = await declare_and_open(old, review)
    assert await save_score(old, sheet_id, "方案可行性", "41") == 2

    # The agency moves the expert to a new account (lost phone, new e-mail …).
    await unlink(agency, expert_id)
    refused = await old.get(f"/scoring/sheets/{sheet_id}")
    assert refused.status_code == 404
    assert TITLE not in (await old.get("/scoring")).text
    assert (await old.get(f"/scoring/reviews/{review}/sheet")).status_code == 404
    stale = await old.post(f"/api/scoring/sheets/{sheet_id}/draft", json={"version": 2, "scores": []},
                           headers={"x-csrftoken": await csrf(old)})
    assert stale.status_code == 404
    await give_account(agency, expert_id, "new_account")
    new = await signed_in("new_account")
    # Same seat, same declaration, same sheet with the saved draft.
    opened = await new.get(f"/scoring/reviews/{review}/sheet", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].endswith(f"/scoring/sheets/{sheet_id}")
    assert (await new.get(f"/api/scoring/sheets/{sheet_id}")).json()["scores"][0]["value"] == "41.00"
    page = await new.get(f"/scoring/sheets/{sheet_id}")
    assert page.status_code == 200 and 'value="41.00"' in page.text
    assert await save_score(new, sheet_id, "预算合理性", "30") == 3
    assert await saved_values(sheet_id) == {"41", "30"}
    assert await Declaration.count().where(Declaration.seat == seated[1]["id"]) == 1
    assert await ScoreSheet.count().where(ScoreSheet.review == review) == 1
    # The old account is still refused after the new one saved; the refusal is on record.
    assert (await old.get(f"/api/scoring/sheets/{sheet_id}")).status_code == 404
    assert await AuditRecord.exists().where(AuditRecord.action == "scoresheet.access_refused")


async def test_a_roster_seat_never_carries_an_account_of_its_own(world, review, signed_in):
    agency, supervisor = await signed_in("agency"), await signed_in("supervisor")
    await draw(agency, supervisor, review)
    seat = members(await seats(review))[0]
    # The database refuses the stale copy the first build kept (CHECK on PostgreSQL, trigger on SQLite).
    with pytest.raises(Exception, match="panel_seat"):
        await PanelSeat.update({PanelSeat.user: world.users["expert"]}).where(PanelSeat.id == seat["id"])
    # And the panel page sends the 经办人 to the roster for it, in Chinese, as a page.
    refused = await post_form(agency, f"/reviews/{review}/panel/seats/{seat['id']}/account/link",
                              {"username": "expert1"})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/html")
    assert "请在专家库该专家的详情页开通或关联登录账户" in refused.text


# --- people outside the roster: 采购人代表 and names imported from the 财政 library -------------

CONSULTATION = "竞争性磋商（席位账户）"


@pytest.fixture
async def consultation(world, signed_in) -> int:
    """A 磋商 of 3 (2 imported names + 1 采购人代表) with a rubric and two suppliers, panel recorded."""
    _, _, review_id = await project_with_reviews(world)
    await set_panel(world, review_id, title=CONSULTATION)
    staff = await actor(world, "agency")
    await rubrics.add_criterion(staff, review_id, rubrics.CriterionInput(name="方案可行性", max_points="50"))
    await rubrics.add_criterion(staff, review_id, rubrics.CriterionInput(name="预算合理性", max_points="20"))
    for supplier, quote in (("云南安培安全咨询有限公司", "356000"), ("昆明滇安职业培训学校", "342500")):
        await bids.add_bid(staff, review_id, bids.BidInput(supplier_name=supplier, final_quote=quote))
    agency = await signed_in("agency")
    imported = await post_form(agency, f"/reviews/{review_id}/panel/import",
                               {"names": "张财政,云南大学\n李财政,昆明理工大学", "reference": "YNCG-2026-0117"})
    assert imported.status_code == 303, imported.text
    rep = await post_form(agency, f"/reviews/{review_id}/panel/reps",
                          {"rep_name": "孙代表", "rep_org": "昆明市社会保险局"})
    assert rep.status_code == 303, rep.text
    return review_id


async def seat_named(review_id: int, name: str) -> dict[str, Any]:
    return await PanelSeat.select().where((PanelSeat.review == review_id) & (PanelSeat.name == name)).first()


async def create_on_panel(agency: AsyncTestClient, review_id: int, seat_id: int, username: str) -> str:
    """开通账户 on the panel page; the initial password it shows once."""
    page = await post_form(agency, f"/reviews/{review_id}/panel/seats/{seat_id}/account", {"username": username})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text
    assert f'<code id="new-account-username">{username}</code>' in page.text
    assert page.headers["cache-control"] == "no-store"
    password = re.search(r'id="new-account-password">([^<]+)<', page.text).group(1)
    assert "只显示这一次" in page.text
    return password.replace("&amp;", "&").replace("&#34;", '"').replace("&#39;", "'")


async def test_purchaser_rep_account_from_the_panel_page_then_scoring(world, consultation, signed_in, client):
    agency = await signed_in("agency")
    rep = await seat_named(consultation, "孙代表")
    url = f"/reviews/{consultation}/panel/seats/{rep['id']}/account"
    # Bad input answers the panel page, in Chinese, saying what was wrong; nothing is created.
    for username, message in (("", "请填写要开通的用户名"), ("孙 代表!", "用户名须为 1–50 位字母、数字、下划线或点"),
                              ("agency1", "用户名“agency1”已被使用")):
        page = await post_form(agency, url, {"username": username})
        assert page.status_code == 400 and page.headers["content-type"].startswith("text/html"), username
        assert message in page.text and f'id="seat-{rep["id"]}-account"' in page.text
    for username, message in (("nobody", "账户“nobody”不存在"), ("agency1", "不是评审专家账户")):
        page = await post_form(agency, f"{url}/link", {"username": username})
        assert page.status_code == 400 and message in page.text
    assert (await seat_named(consultation, "孙代表"))["user"] is None

    password = await create_on_panel(agency, consultation, rep["id"], "sun_daibiao")
    assert (await agency.get(f"/reviews/{consultation}/panel")).text.count("sun_daibiao") == 1
    assert "new-account-password" not in (await agency.get(f"/reviews/{consultation}/panel")).text
    record = await AuditRecord.select(AuditRecord.new_values).where(
        AuditRecord.action == "panel.seat_account_created").first()
    new = json.loads(record["new_values"])
    assert new["username"] == "sun_daibiao" and new["role"] == "purchaser_rep" and "password" not in new
    again = await post_form(agency, url, {"username": "sun_daibiao2"})
    assert again.status_code == 400 and "该席位已关联登录账户“sun_daibiao”" in again.text

    await open_review(agency, consultation)
    signed = await sign_in(client, "sun_daibiao", password)
    assert signed.status_code == 303, signed.text
    sheet_id = await declare_and_open(client, consultation, title=CONSULTATION)
    assert await save_score(client, sheet_id, "方案可行性", "44") == 2
    assert await saved_values(sheet_id) == {"44"}
    sheet = await ScoreSheet.objects().where(ScoreSheet.id == sheet_id).first()
    assert sheet.seat == rep["id"] and sheet.expert_key == f"P{rep['id']}"


async def test_imported_name_account_linked_unlinked_and_relinked(world, consultation, signed_in, client):
    agency = await signed_in("agency")
    zhang, li = await seat_named(consultation, "张财政"), await seat_named(consultation, "李财政")
    password = await create_on_panel(agency, consultation, zhang["id"], "zhang_cz")
    # One person, one seat: the same account cannot also act for the other imported name.
    clash = await post_form(agency, f"/reviews/{consultation}/panel/seats/{li['id']}/account/link",
                            {"username": "zhang_cz"})
    assert clash.status_code == 400 and "同一人不能占两个席位" in clash.text
    await open_review(agency, consultation)
    assert (await sign_in(client, "zhang_cz", password)).status_code == 303
    sheet_id = await declare_and_open(client, consultation, title=CONSULTATION)
    assert await save_score(client, sheet_id, "预算合理性", "18") == 2

    # Mid-review the seat moves to an account the person already had: the old one is shut out at once.
    from app.accounts.services import create_user

    await create_user(username="zhang_own", display_name="张财政", role="expert", password=PASSWORD)
    unlinked = await post_form(agency, f"/reviews/{consultation}/panel/seats/{zhang['id']}/account/unlink")
    assert unlinked.status_code == 303
    assert (await client.get(f"/scoring/sheets/{sheet_id}")).status_code == 404
    linked = await post_form(agency, f"/reviews/{consultation}/panel/seats/{zhang['id']}/account/link",
                             {"username": "zhang_own"})
    assert linked.status_code == 303, linked.text
    own = await signed_in("zhang_own")
    opened = await own.get(f"/scoring/reviews/{consultation}/sheet", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].endswith(f"/scoring/sheets/{sheet_id}")
    assert await save_score(own, sheet_id, "方案可行性", "39.5") == 3
    assert await saved_values(sheet_id) == {"18", "39.5"}
    assert (await client.get(f"/api/scoring/sheets/{sheet_id}")).status_code == 404
    actions = [r["action"] for r in await AuditRecord.select(AuditRecord.action).where(
        (AuditRecord.object_type == "panel_seat") & (AuditRecord.object_id == str(zhang["id"]))
        & AuditRecord.action.like("panel.seat_account_%")).order_by(AuditRecord.seq)]
    assert actions == ["panel.seat_account_created", "panel.seat_account_unlinked", "panel.seat_account_linked"]


async def test_the_roster_page_refuses_an_account_that_already_sits_on_the_same_panel(world, review, signed_in):
    from app.accounts.services import create_user

    agency, supervisor = await signed_in("agency"), await signed_in("supervisor")
    await draw(agency, supervisor, review)
    drawn = members(await seats(review))[0]
    person = await create_user(username="two_hats", display_name="双重身份", role="expert", password=PASSWORD)
    await PanelSeat.insert(PanelSeat(review=review, name="双重身份", role="purchaser_rep", state="accepted",
                                     user=person.id, source="manual"))
    page = await post_form(agency, f"/roster/experts/{drawn['expert']}/account/link", {"username": "two_hats"})
    assert page.status_code == 400 and f"已在评审“{TITLE}”中另有席位" in page.text
    assert (await Expert.select(Expert.user).where(Expert.id == drawn["expert"]).first())["user"] is None


def test_initial_passwords_pass_the_policy_and_can_be_read_out():
    from app.accounts.passwords import password_problems
    from app.panels.seat_accounts import initial_password

    drawn = {initial_password() for _ in range(200)}
    assert len(drawn) == 200
    for password in drawn:
        assert len(password) == 14 and password_problems(password) == []
        assert not set(password) & set("0Oo1lI")
