"""Exports that cannot run code (issue 12 finding 6): text that starts like a formula, typed into every
free-text field through the pages, comes out of every .xlsx export as text — never a formula cell —
and exactly as typed."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from app.exports.services import DOCUMENTS
from app.reviews.tables import Bid, Project, Review
from app.spreadsheet import FORMULA_STARTS, needs_text
from app.state.queue import run_pending
from tests.app.helpers import PASSWORD, post_form
from tests.app.roster_fixtures import id_number
from tests.app.test_scoresheets_fixtures import CONSULTATION_CRITERIA, make_panel, open_and_declare, post, submit

EMPLOYER = '=HYPERLINK("http://x","y")'
TITLE = "=1+1"
PAYLOADS = {
    "name": "=王五",
    "project": '=cmd|" /C calc"!A0',
    "suppliers": ["@SUM(1,1)供应商", "+1+1供应商", "-2+3供应商"],
    "comment": "=1+2 评语",
    "dissent": "-不同意：=A1",
    "note": "=排序理由",
    "new_employer": "+86 某单位",
    "new_title": "@职称",
}


def formula_cells(content: bytes) -> tuple[list[str], set[str]]:
    """(cells openpyxl would treat as formulas, every text value) of one workbook."""
    book = load_workbook(io.BytesIO(content))
    formulas, texts = [], set()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(f"{ws.title}!{cell.coordinate}={cell.value!r}")
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    return formulas, texts


def contains(texts: set[str], value: str) -> bool:
    return any(value in t for t in texts)


async def _new_expert_through_the_page(agency: Any) -> None:
    from app.audit.services import SYSTEM
    from app.roster.specialties import ensure_defaults

    await ensure_defaults(SYSTEM)
    form = {"specialties": ["safety.chemical"], "name": PAYLOADS["name"], "id_number": id_number(seq=77),
            "phone": "13812345678", "email": "ww@example.cn", "employer": PAYLOADS["new_employer"],
            "employer_credit_code": "",
            "title": PAYLOADS["new_title"], "level": "高级", "years_in_field": "20", "region": "昆明市",
            "county": "五华区", "status": "在库", "notes": "=备注"}
    response = await post_form(agency, "/roster/experts/new", form)
    assert response.status_code == 303, response.text[-800:]


async def _finished_review_typed_through_pages(world: Any, signed_in: Any) -> tuple[int, list[str]]:
    """A 磋商 review whose project name, suppliers, an expert's employer and title, comments, a dissent
    and a ranking note were all typed into the pages; scored, signed and published."""
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=[], prefix="fx",
                             status="draft")
    agency = await signed_in("agency")
    experts = {name: await signed_in(name) for name in panel.experts}
    # The expert's own profile page (the reported attack).
    profile = await experts["fx1"].get("/me/profile")
    version = profile.text.split('name="version" value="')[1].split('"')[0]
    response = await post_form(experts["fx1"], "/me/profile", {
        "version": version, "phone": "13800000001", "email": "fx1@example.cn", "employer": EMPLOYER,
        "employer_credit_code": "", "title": TITLE, "level": "高级", "years_in_field": "20", "county": "五华区"})
    assert response.status_code == 303, response.text[-800:]
    # The project through the projects page, then this review is moved onto it.
    response = await post_form(agency, "/projects/", {"name": PAYLOADS["project"], "budget": "120000",
                                                      "purchaser_name": "昆明市社会保险局"})
    assert response.status_code == 303, response.text[-800:]
    project = await Project.select(Project.id).where(Project.name == PAYLOADS["project"]).first()
    await Review.update({Review.project: project["id"]}).where(Review.id == panel.review_id)
    # Suppliers through the review page.
    for i, name in enumerate(PAYLOADS["suppliers"]):
        response = await post_form(agency, f"/reviews/{panel.review_id}/bids",
                                   {"supplier_name": name, "final_quote": str(80000 + 10000 * i)})
        assert response.status_code == 303, response.text[-800:]
    bids = [b["id"] for b in await Bid.select(Bid.id).where(Bid.review == panel.review_id).order_by(Bid.position)]
    assert (await post_form(agency, f"/reviews/{panel.review_id}/open")).status_code == 303
    criteria = list(panel.criteria.values())
    for n, name in enumerate(panel.experts):
        sheet_id = await open_and_declare(experts[name], panel)
        values = {}
        for b in bids:
            for c, top in zip(criteria, ("30", "15", "8"), strict=True):
                values[f"v-{b}-{c}"] = top if c != panel.criteria["S1"] else "8"
                if c == panel.criteria["T1"]:
                    values[f"v-{b}-{c}"] = str(20 + n + bids.index(b))
                values[f"m-{b}-{c}"] = PAYLOADS["comment"]
        response = await submit(experts[name], sheet_id, values)
        assert response.status_code == 303, response.text[-800:]
    response = await post(agency, f"/scoring/reviews/{panel.review_id}/ranking-notes",
                          {"bid_id": str(bids[0]), "note": PAYLOADS["note"], "version": "0"})
    assert response.status_code == 303, response.text[-800:]
    for i, name in enumerate(panel.experts):
        form = {"agree": "no", "dissent": PAYLOADS["dissent"], "password": PASSWORD} if i == 0 else {
            "agree": "yes", "password": PASSWORD}
        response = await post(experts[name], f"/scoring/reviews/{panel.review_id}/signature", form)
        assert response.status_code == 303, response.text[-800:]
    assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 303
    return panel.review_id, [EMPLOYER, TITLE, PAYLOADS["project"], *PAYLOADS["suppliers"], PAYLOADS["comment"],
                             PAYLOADS["dissent"], PAYLOADS["note"]]


async def test_no_export_has_a_formula_cell_and_the_text_is_kept(world, signed_in):
    review_id, typed = await _finished_review_typed_through_pages(world, signed_in)
    agency = await signed_in("agency")
    await _new_expert_through_the_page(agency)
    seen: set[str] = set()
    problems = []

    async def check(label: str, content: bytes) -> set[str]:
        formulas, texts = formula_cells(content)
        if formulas:
            problems.append(f"{label}: {formulas[:5]}")
        seen.update(texts)
        return texts

    for doc in DOCUMENTS:
        response = await agency.get(f"/exports/reviews/{review_id}/documents/{doc.slug}/xlsx")
        assert response.status_code == 200, (doc.slug, response.text[-500:])
        await check(doc.title, response.content)
    roster = await agency.get("/roster/export.xlsx")
    assert roster.status_code == 200
    roster_texts = await check("roster export", roster.content)
    api_roster = await agency.get("/api/experts/export.xlsx")
    assert api_roster.status_code == 200
    await check("roster export (API)", api_roster.content)
    await Review.update({Review.title: "=HYPERLINK(\"http://x\",\"评审\")"}).where(Review.id == review_id)
    started = await post_form(agency, "/exports/season", {"date_from": "", "date_to": ""})
    assert started.status_code == 303, started.text[-500:]
    job_id = started.headers["location"].split("job=")[1]
    assert await run_pending() == 1  # the job queue's runner (a server process runs it in the background)
    job = (await agency.get(f"/api/exports/season/{job_id}")).json()
    assert job["state"] == "done", job
    archive = zipfile.ZipFile(io.BytesIO((await agency.get(f"/exports/season/{job_id}/download")).content))
    index = archive.read("清单.csv").decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://x"",""评审"")' in index  # the CSV index: Excel's text marker in front
    workbooks = [n for n in archive.namelist() if n.endswith(".xlsx")]
    assert len(workbooks) == len(DOCUMENTS)
    for name in workbooks:
        await check(f"season {name}", archive.read(name))

    assert not problems, "\n".join(problems)
    for value in typed:  # every typed value reached some export, exactly as typed
        assert contains(seen, value), value
    for value in (PAYLOADS["name"], PAYLOADS["new_employer"], PAYLOADS["new_title"], EMPLOYER, TITLE):
        assert value in roster_texts, value
    sign_in = await agency.get(f"/exports/reviews/{review_id}/documents/sign-in/xlsx")
    _, sign_in_texts = formula_cells(sign_in.content)
    assert contains(sign_in_texts, EMPLOYER)


def test_the_cell_helper_covers_every_formula_start():
    from openpyxl import Workbook

    from app import spreadsheet

    book = Workbook(write_only=True)
    ws = book.create_sheet("t")
    values = [f"{start}1+1" for start in FORMULA_STARTS] + ["1+1", "普通文字", "", None, 12]
    ws.append(spreadsheet.row(ws, values))
    buffer = io.BytesIO()
    book.save(buffer)
    cells = next(iter(load_workbook(buffer).worksheets[0].iter_rows()))
    assert [c.data_type for c in cells[:len(FORMULA_STARTS)]] == ["s"] * len(FORMULA_STARTS)
    # Kept as typed; XML itself reads a carriage return back as a line feed (no formula either way).
    risky = values[:len(FORMULA_STARTS)]
    assert [c.value for c in cells[:len(FORMULA_STARTS)]] == [v.replace("\r", "\n") for v in risky]
    assert all(c.quotePrefix for c in cells[:len(FORMULA_STARTS)])
    assert [needs_text(v) for v in values] == [True] * len(FORMULA_STARTS) + [False] * 5
