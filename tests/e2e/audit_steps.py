"""The auditor's part: find a review, download every document and the bundle, re-verify it."""

from __future__ import annotations

import io
import json
import zipfile

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.e2e.people import Person


def download_everything(auditor: Person, project_name: str, review_title: str) -> dict[str, bytes]:
    """Search by project, open the review's files, download each .xlsx and PDF, the bundle and the .zip."""
    auditor.goto("/exports/")
    auditor.fill("项目", project_name)
    auditor.click("查找")
    auditor.sees(review_title)
    auditor.page.get_by_role("row").filter(has_text=review_title).get_by_role("link", name="文件下载").click()
    auditor.page.wait_for_load_state()
    auditor.sees(review_title, "评审包 SHA-256")
    auditor.shot("auditor-review-files")
    files: dict[str, bytes] = {}
    files_page = auditor.page.url
    hrefs = [str(a.get_attribute("href")) for a in auditor.page.locator("table.grid tbody a[download]").all()]
    assert len(hrefs) >= 14, hrefs
    for href in hrefs:
        # A fresh page for each file: Chromium holds back a tab's further downloads once one
        # page has started many in a row ("download multiple files"), which a person would answer.
        auditor.goto(files_page)
        with auditor.page.expect_download(timeout=120_000) as info:
            auditor.page.locator(f"a[href='{href}']").first.click()
        download = info.value
        with open(download.path(), "rb") as handle:
            files[download.suggested_filename] = handle.read()
    return files


def check_documents(files: dict[str, bytes], *, must_read: list[str]) -> None:
    """Every .xlsx opens and every PDF has text; `must_read` appear in the report PDF text."""
    pdf_text = ""
    xlsx, pdf = 0, 0
    for name, content in files.items():
        if name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(content), read_only=True)
            assert book.sheetnames, name
            xlsx += 1
        elif name.endswith(".pdf"):
            reader = PdfReader(io.BytesIO(content))
            text = "".join(page.extract_text() or "" for page in reader.pages)
            assert text.strip(), name
            pdf_text += text
            pdf += 1
        elif name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                assert archive.testzip() is None
                assert any(n.endswith(".json") for n in archive.namelist()), archive.namelist()
    assert xlsx >= 6 and pdf >= 6, sorted(files)
    compact = "".join(pdf_text.split())
    for text in must_read:
        assert "".join(text.split()) in compact, text


def bundle_of(files: dict[str, bytes]) -> tuple[str, dict]:
    name = next(n for n in files if n.endswith(".json"))
    return name, json.loads(files[name])


def tamper_one_score(bundle: dict) -> dict:
    """The same bundle with one submitted score changed by a point."""
    changed = json.loads(json.dumps(bundle))
    score = changed["scoring"]["input"]["scores"][0]
    score["value"] = str(float(score["value"]) + 1)
    return changed
