"""The draw: prepared by the 经办人, confirmed by the 监督人 on their own session, replayable."""

from __future__ import annotations

import datetime as dt

import pytest

from app.audit.tables import AuditRecord
from app.panels import drawing
from app.panels.seats import PanelError
from app.panels.tables import Draw, Invitation, OutboxMessage, PanelSeat
from tests.app.helpers import post_form
from tests.app.panels_support import (
    actor,
    add_experts,
    alternates,
    drawn,
    members,
    project_with_reviews,
    seats,
    set_panel,
)


@pytest.fixture
async def approval(world):
    await add_experts([["safety.chemical"]] * 6 + [["occupational_health"]] * 6)
    _, approval_id, _ = await project_with_reviews(world)
    await set_panel(world, approval_id, require="safety.chemical:2, occupational_health:1",
                    accept="safety, occupational_health")
    return approval_id


async def test_draw_needs_the_supervisor_then_fills_the_panel(world, approval, signed_in):
    staff = await signed_in("agency")
    response = await post_form(staff, f"/reviews/{approval}/panel/draws")
    assert response.status_code == 303
    draw = await Draw.select().where(Draw.review == approval).output(load_json=True).first()
    assert draw["status"] == "pending" and draw["seed"] is None and len(draw["input_sha256"]) == 64
    assert draw["pool_size"] == 12 and await PanelSeat.count() == 0
    # The 经办人 cannot confirm the draw themself.
    refused = await post_form(staff, f"/panels/draws/{draw['id']}/confirm")
    assert refused.status_code == 403
    assert (await Draw.select(Draw.status).where(Draw.id == draw["id"]).first())["status"] == "pending"
    supervisor = await signed_in("supervisor")
    confirmed = await post_form(supervisor, f"/panels/draws/{draw['id']}/confirm")
    assert confirmed.status_code == 303
    record = await Draw.select().where(Draw.id == draw["id"]).output(load_json=True).first()
    assert record["status"] == "confirmed" and record["supervisor"] == world.users["supervisor"]
    assert 0 <= record["seed"] < 2**63 and record["output"]["input_sha256"] == record["input_sha256"]
    rows = await seats(approval)
    assert [s["seat_no"] for s in members(rows)] == [1, 2, 3, 4, 5]
    assert [s["drawn_order"] for s in alternates(rows)] == [1, 2]
    drawn_ids = [s["expert"] for s in members(rows)]
    assert drawn_ids == record["output"]["panels"][0]["members"]
    assert await Invitation.count() == 5 and await OutboxMessage.count() == 5
    body = (await OutboxMessage.select(OutboxMessage.body).first())["body"]
    assert "/invitations/" in body and "接受或谢绝" in body
    actions = [r["action"] for r in await AuditRecord.select(AuditRecord.action).order_by(AuditRecord.seq)]
    assert "panel.draw_prepared" in actions and "panel.draw_confirmed" in actions


async def test_supervisor_of_another_agency_cannot_confirm(world, approval):
    from app.accounts.services import create_user

    outsider = await create_user(username="jiandu2", display_name="外机构监督", role="supervisor",
                                 password="Test-Passw0rd!", agency_id=world.other_agency_id)
    draw_id = await drawing.prepare_draw(await actor(world, "agency"), approval)
    with pytest.raises(Exception) as caught:
        await drawing.confirm_draw(outsider, draw_id)
    assert getattr(caught.value, "status_code", None) == 404
    assert (await Draw.select(Draw.status).where(Draw.id == draw_id).first())["status"] == "pending"


async def test_confirmation_after_the_window_is_refused(world, approval):
    draw_id = await drawing.prepare_draw(await actor(world, "agency"), approval)
    await Draw.update({Draw.confirm_by: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}).where(Draw.id == draw_id)
    with pytest.raises(PanelError) as caught:
        await drawing.confirm_draw(await actor(world, "supervisor"), draw_id)
    assert "已超过确认时限" in caught.value.errors["draw"]
    assert (await Draw.select(Draw.status).where(Draw.id == draw_id).first())["status"] == "cancelled"
    assert await PanelSeat.count() == 0


async def test_replay_matches_byte_for_byte_and_catches_a_changed_record(world, approval, signed_in):
    draw_id = await drawn(world, approval)
    auditor = await signed_in("auditor")
    replay = (await auditor.get(f"/api/panels/draws/{draw_id}/replay")).json()
    assert replay["ok"] is True and replay["panels_equal"] is True and replay["input_ok"] is True
    assert replay["replayed_panels"] == replay["recorded_panels"]
    page = await auditor.get(f"/panels/draws/{draw_id}/replay")
    assert "逐字节一致" in page.text
    # Someone edits the stored result: the replay says so.
    record = await Draw.select(Draw.output).where(Draw.id == draw_id).output(load_json=True).first()
    output = record["output"]
    output["panels"][0]["members"] = list(reversed(output["panels"][0]["members"]))
    await Draw.update({Draw.output: output}).where(Draw.id == draw_id)
    replay = (await auditor.get(f"/api/panels/draws/{draw_id}/replay")).json()
    assert replay["ok"] is False and replay["panels_equal"] is False and replay["input_ok"] is True
    assert (await (await signed_in("agency")).get(f"/api/panels/draws/{draw_id}/replay")).status_code == 403


async def test_a_quota_the_pool_cannot_fill_names_the_specialty_and_shortfall(world, approval):
    await set_panel(world, approval, require="safety.chemical:2, training:2", accept="safety")
    with pytest.raises(PanelError) as caught:
        await drawing.prepare_draw(await actor(world, "agency"), approval)
    message = caught.value.errors["draw"]
    assert "宣传培训" in message and "需要 2 人" in message and "缺 2 人" in message, message
    assert await Draw.count() == 0
    refused = await AuditRecord.select(AuditRecord.new_values).where(AuditRecord.action == "panel.draw_refused").first()
    assert "宣传培训" in refused["new_values"]


async def test_names_are_sealed_from_agency_staff_until_the_review_opens(world, approval, signed_in):
    await drawn(world, approval)
    first = members(await seats(approval))[0]
    from app.roster.tables import Expert

    name = (await Expert.select(Expert.name).where(Expert.id == first["expert"]).first())["name"]
    staff, supervisor, auditor = await signed_in("agency"), await signed_in("supervisor"), await signed_in("auditor")
    assert name not in (await staff.get(f"/reviews/{approval}/panel")).text
    api = (await staff.get(f"/api/reviews/{approval}/panel")).json()
    assert api["names_visible"] is False and api["invited"] == 5 and all(s["name"] == "" for s in api["seats"])
    assert name not in (await staff.get(f"/panels/draws/{(await Draw.select(Draw.id).first())['id']}")).text
    assert name in (await supervisor.get(f"/reviews/{approval}/panel")).text
    assert name in (await auditor.get(f"/reviews/{approval}/panel")).text
    # Another agency's staff do not even learn the review exists.
    other = await signed_in("agency2")
    assert (await other.get(f"/reviews/{approval}/panel")).status_code == 404
