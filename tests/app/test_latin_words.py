"""No English on Chinese pages and documents: every page, as every permitted role, and every document
of a finished, published review, read for Latin-script words.

The pages come from the route table (as in test_pages_html.py), so a page added later is read too;
the world is the one that test builds through the scoring pages (a published 磋商, a drawn 立项评审).
A Latin word passes only when it is
- in ALLOWED (units, product and standard names, each with its reason),
- something a person typed (user names, names, titles, codes, organisations: the TYPED columns of
  this world are taken out of the text before it is read), or
- a hash or id token (hexadecimal ≥ 16 characters, or letters-and-digits mixed) — they appear only
  in their own labelled fields (内容哈希, 评审包 SHA-256, 专家编号).
English stays in the API, the bundle (JSON) and the code; /api routes and downloads of JSON are
not read.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

import openpyxl
from pypdf import PdfReader

from app.exports.services import DOCUMENTS
from app.web.formatting import chinese_part
from tests.app.perm_common import PUBLIC
from tests.app.test_pages_html import DOWNLOADS, MEMBER, NOT_200, Site, page_routes, site  # noqa: F401
from tests.app.test_permissions import TABLE

# Latin words a Chinese reader is expected to meet, each for a reason.
ALLOWED = {
    "Pingshen",  # the product's name, beside 评审
    "PDF", "Excel", "JSON", "xlsx", "pdf", "json", "zip", "csv",  # file formats and extensions people download
    "SHA",  # SHA-256, the named hash standard printed beside every hash
    "Kendall", "W",  # Kendall W (肯德尔和谐系数), the agreement statistic's standard name
    "ICC",  # intra-class correlation, the statistic's standard name
    "ID",  # as in 身份证 ID numbers typed by people (masked)
    "testclient",  # the test client's address in sign-in records (a real request records an IP)
    "zs",  # the roster search's example of what a person types there: pinyin initials (张三 → zs)
}
URL = re.compile(r"https?://\S+")  # an address (the invitation link in a mail) is not a word
USER_TEXT_PATTERNS = (re.compile(r"^[A-Z]$"),)  # single letters: the X of an ID number, a bid's letter
# Columns people type (names, titles, codes, comments): their text is theirs, in whatever script.
TYPED = {
    "accounts.tables.User": ("username", "display_name"),
    "accounts.tables.Agency": ("name",),
    "roster.tables.Expert": ("name", "employer", "title", "email"),
    "reviews.tables.Project": ("code", "name", "purchaser_name"),
    "reviews.tables.Review": ("title", "location"),
    "reviews.tables.Bid": ("supplier_name", "title", "legal_rep"),
    "reviews.tables.Criterion": ("name", "guidance"),
    "panels.tables.PanelSeat": ("name", "org"),
}


async def typed_text() -> list[str]:
    """Every value of a typed column in this world, longest first (so a name goes before its part)."""
    import importlib

    values: set[str] = set()
    for dotted, columns in TYPED.items():
        module, name = dotted.rsplit(".", 1)
        table = getattr(importlib.import_module(f"app.{module}"), name)
        present = [c for c in columns if hasattr(table, c)]
        for row in await table.select(*[getattr(table, c) for c in present]):
            values |= {str(v) for v in row.values() if v}
    return sorted(values, key=len, reverse=True)


def without(text: str, typed: list[str]) -> str:
    for value in typed:
        text = text.replace(value, " ")
    return text
WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.'-]*[0-9A-Za-z]|[A-Za-z]")
HEX = re.compile(r"^[0-9a-f]{16,}$")
SKIP_TAGS = {"script", "style", "code"}  # <code> holds hashes and ids, each under its own label
READ_ATTRS = ("aria-label", "placeholder", "alt")  # not title: a tooltip shows a code on demand, like a full hash


class _Text(HTMLParser):
    """What a person reads on a page: text outside scripts, plus titles, labels and placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        self.parts += [v for k, v in attrs if k in READ_ATTRS and v]
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"}:
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def latin_words(text: str) -> set[str]:
    found = set()
    for token in WORD.findall(text):
        if HEX.match(token.lower()):
            continue  # a hash, printed under its own label
        for word in re.split(r"[_.'-]", token):
            if not re.search(r"[A-Za-z]", word) or re.search(r"\d", word):
                continue  # numbers, and ids mixing letters and digits (3fa9…, 29T16, xp1) are not words
            if word in ALLOWED or any(p.match(word) for p in USER_TEXT_PATTERNS):
                continue
            found.add(word)
    return found


def where(text: str, word: str) -> str:
    at = text.find(word)
    return text[max(0, at - 30):at + 30].replace("\n", " ")


def xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    cells += [ws.title for ws in book.worksheets]
    cells += [ws.oddFooter.center.text or "" for ws in book.worksheets]
    return "\n".join(cells)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def roles_of(key: str) -> list[str | None]:
    rule = TABLE[key]
    if rule == PUBLIC:
        return [None]
    return [MEMBER if role == "expert" else role for role in sorted(rule)]


async def test_no_latin_words_on_any_page_as_any_permitted_role(site: Site, signed_in: Any, client: Any) -> None:  # noqa: F811
    clients: dict[str | None, Any] = {None: client}
    typed = await typed_text()
    leaks: dict[str, set[str]] = {}
    read = 0
    for key in page_routes():
        if key in DOWNLOADS:
            continue
        path = key.split(" ", 1)[1]
        url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: site.params.get(m.group(1), "1"), path)
        for who in roles_of(key):
            if who not in clients:
                clients[who] = await signed_in(who)
            response = await clients[who].get(url, follow_redirects=True)
            if response.status_code != NOT_200.get(key, 200) or "text/html" not in response.headers["content-type"]:
                continue  # a role that may reach the route but has no such object here (404 page is read below)
            read += 1
            text = URL.sub(" ", without(page_text(response.text), typed))
            for word in latin_words(text):
                leaks.setdefault(word, set()).add(f"{key} as {who}: …{where(text, word)}…")
    assert read >= 60  # pages × roles actually read (about 90 when written)
    assert not leaks, "\n".join(f"{w}: {len(p)} × e.g. {sorted(p)[0]}" for w, p in sorted(leaks.items()))


async def test_no_latin_words_in_any_document_of_a_published_review(site: Site, signed_in: Any) -> None:  # noqa: F811
    auditor = await signed_in("auditor")
    typed = await typed_text()
    review_id = site.params["review_id"]
    leaks: dict[str, list[str]] = {}
    for doc in DOCUMENTS:
        for fmt, read in (("xlsx", xlsx_text), ("pdf", pdf_text)):
            response = await auditor.get(f"/exports/reviews/{review_id}/documents/{doc.slug}/{fmt}")
            assert response.status_code == 200, (doc.slug, fmt)
            text = without(read(response.content), typed)
            assert "+00:00" not in text and not re.search(r"\d{2}:\d{2}:\d{2}\.\d", text), (doc.slug, fmt)
            for word in latin_words(text):
                leaks.setdefault(word, []).append(f"{doc.title}.{fmt}: …{where(text, word)}…")
    assert not leaks, "\n".join(f"{w}: {len(p)} × e.g. {p[0]}" for w, p in sorted(leaks.items()))


def test_the_reader_finds_what_it_should() -> None:
    """The word finder is what the two tests above rely on: it must see English and pass the rest."""
    assert latin_words("评审状态 published · 抽取方式 draw") == {"published", "draw"}
    assert latin_words("回避原因 employer_is_purchaser") == {"employer", "is", "purchaser"}
    assert latin_words("评审包 SHA-256 3fa9c0d1e2f3a4b5c6d7 · Pingshen · 评审组 review-6") == {"review"}
    assert latin_words("账号 xp1 · 2026-11-29T08:32:31Z · 3fa9c0d1e2f3a4b5c6d7e8") == set()
    assert without("项目 GS-2026-01 危化", ["GS-2026-01"]) == "项目   危化"
    assert latin_words(chinese_part("只有 1 名专家评分 / only one expert scored")) == set()
    assert "Kendall" not in latin_words("一致性（Kendall W）")


def test_the_formatting_layers_copies_of_code_tables_match_their_sources() -> None:
    """formatting.py reads no tables, so it copies a few small code tables: they must stay equal."""
    from app.accounts.tables import ROLE_LABELS
    from app.reviews.tables import CATEGORY_LABELS, SOURCE_LABELS, STATUS_LABELS
    from app.roster.specialties import DEFAULT_SPECIALTIES, SpecialtyTree
    from app.web import formatting

    assert formatting.ACCOUNT_ROLES == ROLE_LABELS
    assert formatting.CATEGORIES == CATEGORY_LABELS and formatting.PANEL_SOURCES == SOURCE_LABELS
    assert {k: formatting.REVIEW_STATUSES[k] for k in STATUS_LABELS} == STATUS_LABELS
    tree = SpecialtyTree([{"code": c, "name": n, "parent_code": p} for c, n, p in DEFAULT_SPECIALTIES])
    assert formatting.SPECIALTIES == {c: tree.label(c) for c, _, _ in DEFAULT_SPECIALTIES}
