"""The audit trail as a person reads it: Chinese action names, changes as a table, short hashes
with the full value on demand, pages of 50, filters by object, actor, action and date."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

from app.audit import services as audit
from app.audit.labels import ACTION_LABELS, change_rows
from app.audit.tables import AuditRecord
from app.settings import ROOT


def _literal_actions() -> set[str]:
    found: set[str] = set()
    for path in Path(ROOT, "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'"([a-z_]+\.[a-z_]+)" if ', text))
        found |= set(re.findall(r' else "([a-z_]+\.[a-z_]+)"', text))
    return found


def test_every_recorded_action_has_a_chinese_label() -> None:
    actions = _literal_actions()
    assert len(actions) > 60  # the pattern still finds the app's actions
    missing = sorted(a for a in actions if a not in ACTION_LABELS)
    assert missing == [], "add these to app/audit/labels.py ACTION_LABELS"
    assert all(not re.search(r"[A-Za-z]", label) for label in ACTION_LABELS.values())
    # Actions built from a state or kind.
    assert ACTION_LABELS["panel.seat_declined"] == "席位已谢绝"
    assert ACTION_LABELS["expert.relatives_added"] == "申报近亲属"


def test_changes_are_rows_of_field_old_new() -> None:
    rows = change_rows('{"is_active":true,"name":"旧名"}', '{"is_active":false,"name":"新名","region":"昆明市"}')
    assert rows == [
        {"field": "启用", "code": "is_active", "old": "是", "new": "否"},
        {"field": "名称", "code": "name", "old": "旧名", "new": "新名"},
        {"field": "州（市）", "code": "region", "old": "", "new": "昆明市"},
    ]


async def test_the_trail_page_is_readable_paginated_and_filtered(signed_in, world) -> None:  # type: ignore[no-untyped-def]
    base = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 Beijing
    for i in range(60):
        await audit.record(actor=None, action="agency.renamed", object_type="agency", object_id=world.agency_id,
                           old={"name": f"名{i}"}, new={"name": f"名{i + 1}"}, now=base + dt.timedelta(hours=i))
    auditor = await signed_in("auditor")
    first = await auditor.get("/audit/?action=agency.renamed")
    text = html.unescape(first.text)
    assert first.status_code == 200 and "共 60 条记录，第 1 / 2 页" in text
    body = text[text.index("<tbody>"):text.rindex("</tbody>")]
    assert body.count("<td class=\"nowrap\">2026-") == 50
    assert "机构改名" in body and "agency.renamed" not in re.sub(r'title="[^"]*"', "", body)
    assert "<th scope=\"row\" title=\"name\">名称</th><td>名59</td><td>名60</td>" in body
    assert '{"name"' not in body  # no raw JSON
    newest = (await AuditRecord.select(AuditRecord.hash).where(AuditRecord.action == "agency.renamed").order_by(
        AuditRecord.seq, ascending=False).first())["hash"]
    assert f"<summary><code>{newest[:10]}…</code></summary><code class=\"full\">{newest}</code>" in body
    second = html.unescape((await auditor.get("/audit/?action=agency.renamed&page=2")).text)
    assert "第 2 / 2 页" in second and "名1</td><td>名2" in second
    # By Beijing date: 2026-11-20 holds hours 0..13 (02:00–15:00 UTC), 14 records.
    one_day = "/audit/?action=agency.renamed&date_from=2026-11-20&date_to=2026-11-20"
    day = html.unescape((await auditor.get(one_day)).text)
    assert "共 14 条记录" in day
    by_object = html.unescape((await auditor.get(f"/audit/?object_type=agency&object_id={world.other_agency_id}")).text)
    assert "共 1 条记录" in by_object and "新建机构" in by_object
    by_actor = html.unescape((await auditor.get("/audit/?actor=agency2")).text)
    assert "共 0 条记录" in by_actor or "登录" in by_actor
    bad = await auditor.get("/audit/?date_from=2026-13-01")
    assert bad.status_code == 400 and "日期“2026-13-01”无效" in html.unescape(bad.text)
