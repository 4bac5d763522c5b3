"""The roster's bulk paths: an export writes every matching row (not one page of the list),
and a large workbook is parsed off the event loop so other people's requests are served
while it is checked."""
# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.roster.config import rules
from tests.app.roster_fixtures import as_role, people, workbook  # noqa: F401  (fixtures)
from tests.app.test_roster_import import clean_rows, upload

ROWS = 130  # more than two pages of the list


async def test_the_export_writes_every_matching_row_not_one_page(as_role):
    assert ROWS > 2 * rules().page_size
    client = await as_role("agency")
    imported = await upload(client, "/api/experts/import", workbook(clean_rows(ROWS)))
    assert imported.status_code == 201 and imported.json()["imported"] == ROWS
    listed = (await client.get("/api/experts")).json()
    assert listed["total"] == ROWS + 2 and len(listed["items"]) == rules().page_size  # the list still pages
    for url, expected in [("/roster/export.xlsx", ROWS + 2),  # + the fixture's two experts
                          ("/roster/export.xlsx?q=专家", ROWS + 2),  # the fixture's are 赵专家 and 钱专家
                          ("/api/experts/export.xlsx?q=专家1", 1 + 10 + 30),  # 专家1, 专家10–19, 专家100–129
                          ("/api/experts/export.xlsx", ROWS + 2)]:
        response = await client.get(url)
        assert response.status_code == 200, url
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
        assert len(rows) == expected, url
        assert len({r[0] for r in rows}) == expected  # distinct experts, no page repeated
