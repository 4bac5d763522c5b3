"""The administrator's agency page: where an empty installation starts."""

from __future__ import annotations

from app.accounts.tables import Agency
from app.audit.tables import AuditRecord
from tests.app.helpers import post_form


async def test_admin_creates_an_agency_and_sees_it_listed(signed_in) -> None:  # type: ignore[no-untyped-def]
    admin = await signed_in("admin")
    response = await post_form(admin, "/admin/agencies/", {"name": "曲靖市社会保险局", "region": "曲靖市"})
    assert response.status_code == 303 and response.headers["location"] == "/admin/agencies"
    row = await Agency.objects().where(Agency.name == "曲靖市社会保险局").first()
    assert row is not None and row.region == "曲靖市"
    audit = await AuditRecord.select().where(AuditRecord.action == "agency.created").where(
        AuditRecord.object_id == str(row.id))
    assert len(audit) == 1
    page = await admin.get("/admin/agencies/")
    assert page.status_code == 200 and "曲靖市社会保险局" in page.text
    assert page.headers["content-type"].startswith("text/html")


async def test_a_bad_agency_form_is_a_page_with_the_reason(signed_in) -> None:  # type: ignore[no-untyped-def]
    admin = await signed_in("admin")
    before = await Agency.count()
    empty = await post_form(admin, "/admin/agencies/", {"name": " ", "region": "曲靖市"})
    assert empty.status_code == 400 and empty.headers["content-type"].startswith("text/html")
    assert "机构名称不能为空" in empty.text and 'value="曲靖市"' in empty.text
    twice = await post_form(admin, "/admin/agencies/", {"name": "昆明市社会保险局", "region": "昆明市"})
    assert twice.status_code == 400 and "已存在" in twice.text
    assert await Agency.count() == before
