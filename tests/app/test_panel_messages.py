"""What the panel page says when an import of 财政 names is refused: each message once, by its field."""

from __future__ import annotations

from app.panels.tables import PanelSeat
from tests.app.helpers import post_form
from tests.app.panels_support import project_with_reviews, set_panel


async def test_an_import_without_its_reference_says_so_once(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    _, _, review_id = await project_with_reviews(world)
    await set_panel(world, review_id, title="竞争性磋商（导入名单）")
    agency = await signed_in("agency")
    refused = await post_form(agency, f"/reviews/{review_id}/panel/import",
                              {"names": "张财政,云南大学\n李财政,昆明理工大学", "reference": " "})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/html")
    assert refused.text.count("请填写财政系统的抽取记录编号") == 1
    assert await PanelSeat.count().where(PanelSeat.review == review_id) == 0
