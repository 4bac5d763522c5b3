"""Issue 15's small ones: success messages, roster sorting, the 采购人代表 label and menu,
the 组长 not asking himself for an explanation, the favicon."""

from __future__ import annotations

import html
import re

from app.accounts.services import create_user
from app.panels.tables import PanelSeat
from app.roster.tables import Expert
from app.scoresheets.tables import AnomalyNote
from tests.app.helpers import PASSWORD, post_form
from tests.app.panels_support import add_experts, project_with_reviews
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    post,
    submit,
)


async def test_adding_a_criterion_and_a_bid_says_so(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    staff = await signed_in("agency")
    _, approval_id, _ = await project_with_reviews(world)
    added = await post_form(staff, f"/reviews/{approval_id}/criteria", {"name": "项目必要性", "max_points": "30"})
    assert added.status_code == 303
    page = html.unescape((await staff.get(added.headers["location"])).text)
    assert "已添加评分因素“项目必要性”" in page
    bid = await post_form(staff, f"/reviews/{approval_id}/bids", {"supplier_name": "云南安培咨询有限公司",
                                                                "title": "危化企业培训方案"})
    assert bid.status_code == 303
    assert "已添加“危化企业培训方案”" in html.unescape((await staff.get(bid.headers["location"])).text)


async def test_roster_sorts_by_column_and_keeps_names_on_one_line(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    ids = await add_experts([["safety"]] * 3)
    for expert_id, (name, initials) in zip(ids, [("王芳", "wf"), ("艾伦", "al"), ("张三", "zs")], strict=True):
        await Expert.update({Expert.name: name, Expert.name_initials: initials}).where(Expert.id == expert_id)
    staff = await signed_in("agency")

    def names(page: str) -> list[str]:
        return re.findall(r'<td class="nowrap"><a href="/roster/experts/\d+">([^<]+)</a>', page)

    assert names((await staff.get("/roster/")).text) == ["王芳", "艾伦", "张三"]
    by_name = (await staff.get("/roster/?sort=name")).text
    assert names(by_name) == ["艾伦", "王芳", "张三"]  # pinyin initials: al, wf, zs
    assert 'aria-sort="ascending"' in by_name and "sort=-name" in by_name  # the heading now sorts descending
    assert names((await staff.get("/roster/?sort=-name")).text) == ["张三", "王芳", "艾伦"]
    assert names((await staff.get("/roster/?sort=-id")).text) == ["张三", "艾伦", "王芳"]
    assert names((await staff.get("/roster/?sort=nonsense")).text) == ["王芳", "艾伦", "张三"]


async def test_a_purchaser_rep_is_labelled_and_has_no_profile_link(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    rep = await create_user(username="rep1", display_name="采购代表甲", role="expert", password=PASSWORD)
    await PanelSeat.insert(PanelSeat(review=panel.review_id, name="采购代表甲", org="昆明市社会保险局", user=rep.id,
                                     role="purchaser_rep", state="accepted", seat_no=9, source="purchaser"))
    client = await signed_in("rep1")
    home = html.unescape((await client.get("/")).text)
    assert "采购代表甲（采购人代表）" in home and "采购人代表工作台" in home
    assert 'href="/me/profile"' not in home and "您作为采购人代表参加评审小组" in home
    # A roster expert keeps both.
    member = html.unescape((await (await signed_in(panel.experts[0])).get("/")).text)
    assert "（评审专家）" in member and 'href="/me/profile"' in member


async def test_the_leader_cannot_ask_himself_for_an_explanation(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    clients = {name: await signed_in(name) for name in panel.experts}
    sheets = {name: await open_and_declare(c, panel) for name, c in clients.items()}
    for i, name in enumerate(panel.experts, 1):
        response = await submit(clients[name], sheets[name], form_values(panel, CONSULTATION_SCORES[i], CODES))
        assert response.status_code == 303, response.text
    agency = await signed_in("agency")
    # ex3 scored B far below the others, and ex3 is the 组长.
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/leader",
                       {"seat_id": str(panel.seats["ex3"])})).status_code == 303
    leader = clients["ex3"]
    summary = html.unescape((await leader.get(f"/scoring/reviews/{panel.review_id}")).text)
    assert "本人评分，由经办人提出说明要求" in summary
    assert f'name="sheet_id" value="{sheets["ex3"]}"' not in summary
    ask = {"sheet_id": str(sheets["ex3"]), "bid_id": str(panel.bids["B"]), "criterion_id": ""}
    refused = await post(leader, f"/scoring/reviews/{panel.review_id}/explanations", ask)
    assert refused.status_code == 409 and "组长不能要求自己作出书面说明" in html.unescape(refused.text)
    assert await AnomalyNote.count() == 0
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/explanations", ask)).status_code == 303
    assert await AnomalyNote.count() == 1


async def test_the_favicon_is_ours(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/")
    assert 'rel="icon" type="image/svg+xml" href="/static/favicon.svg"' in page.text
    icon = await client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.text.startswith("<svg") and "http" not in icon.text.replace(
        "http://www.w3.org/2000/svg", "")
