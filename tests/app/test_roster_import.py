"""Excel import (dry run, all-or-nothing commit, bad files) and export, on the pages and the API."""
# ruff: noqa: F811  (fixtures imported from roster_fixtures are used as parameters)

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from app.audit.tables import AuditRecord
from app.roster.tables import Expert
from app.roster.xlsx import HEADERS
from tests.app.helpers import csrf
from tests.app.roster_fixtures import add_expert, as_role, id_number, people, row, workbook  # noqa: F401

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def upload(client, url: str, content: bytes, name: str = "专家.xlsx", **data):
    token = await csrf(client)
    return await client.post(url, files={"file": (name, content, XLSX)}, data={"_csrf_token": token, **data},
                             headers={"x-csrftoken": token}, follow_redirects=False)


def nth_id(k: int) -> str:
    return id_number(year=1960 + k % 30, seq=k % 1000, region=f"53{k // 1000:04d}")


def clean_rows(n: int, start: int = 100) -> list[list]:
    return [row(name=f"专家{i}", id_number=nth_id(start + i)) for i in range(n)]


async def test_template_download_has_the_columns_and_a_chinese_file_name(as_role):
    client = await as_role("agency")
    response = await client.get("/roster/import/template.xlsx")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "专家库导入模板.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["专家名单"][1]] == list(HEADERS)
    notes = [r[2] for r in book["填写说明"].iter_rows(values_only=True)]
    assert "安全生产/危险化学品" in notes


async def test_dry_run_then_commit_from_the_page(as_role):
    client = await as_role("agency")
    content = workbook(clean_rows(5))
    checked = await upload(client, "/roster/import", content, action="check")
    assert checked.status_code == 200 and "检查通过" in checked.text and "共 5 行" in checked.text
    assert await Expert.count() == 2  # the two experts of the fixture: the dry run wrote nothing
    token = re.search(r'name="token" value="([0-9a-f]{64})"', checked.text).group(1)
    committed = await upload(client, "/roster/import", b"", action="commit", token=token, filename="专家.xlsx")
    assert committed.status_code == 303
    assert await Expert.count() == 7
    record = await AuditRecord.objects().where(AuditRecord.action == "roster.imported").first()
    assert '"count":5' in record.new_values
    again = await upload(client, "/roster/import", b"", action="commit", token=token)
    assert again.status_code == 400 and "找不到已检查的文件" in again.text


async def test_every_bad_row_is_reported_and_nothing_is_written(as_role, people):
    client = await as_role("agency")
    rows = clean_rows(3)
    rows.append(row(name="校验错", id_number="530102197505170012"))                      # row 5
    rows.append(row(name="专业错", id_number=id_number(seq=201), specialties="火箭科学"))  # row 6
    rows.append(row(name="无单位", id_number=id_number(seq=203), employer=""))          # row 7
    rows.append(row(name="重复", id_number=nth_id(100)))               # row 8, same as row 2
    rows.append(row(name="已在库", id_number=id_number(seq=11)))                          # row 9, in the roster
    rows.append(row(name="超龄", id_number=id_number(year=1950, seq=205)))               # row 10
    response = await upload(client, "/api/experts/import/dry-run", workbook(rows))
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["total"] == 9 and body["bad_rows"] == 6
    problems = {(p["row"], p["column"]): p["message"] for p in body["problems"]}
    assert problems[(5, "身份证号码")] == "身份证号码校验位不正确"
    assert problems[(6, "专业")] == "未知专业“火箭科学”"
    assert problems[(7, "工作单位")] == "工作单位不能为空"
    assert problems[(8, "身份证号码")] == "与第 2 行的身份证号码重复"
    assert problems[(9, "身份证号码")].startswith("身份证号码已在专家库中（专家“赵专家”")
    assert "超过 70 周岁上限" in problems[(10, "身份证号码")]
    committed = await upload(client, "/api/experts/import", workbook(rows))
    assert committed.status_code == 400 and committed.json()["imported"] == 0
    assert await Expert.count() == 2
    page = await upload(client, "/roster/import", workbook(rows), action="check")
    assert page.status_code == 400 and "第 7 行" in page.text and "未写入任何数据" in page.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("专家.csv", b"a,b\n1,2\n", "不支持CSV文件"),
        ("专家.xls", b"\xd0\xcf\x11\xe0", "不支持旧版 Excel（.xls）文件"),
        ("专家.xlsx", b"not a zip at all", "文件不是有效的 .xlsx 工作簿"),
        ("专家.xlsx", b"", "上传的文件是空的"),
        ("专家.xlsx", workbook([], headers=[]), "工作簿是空的"),
        ("专家.xlsx", workbook([]), "工作簿中没有数据行"),
        ("专家.xlsx", workbook([[*row(), "多余"]], headers=[*HEADERS, "籍贯"]), "多出列：籍贯"),
        ("专家.xlsx", workbook([row()[1:]], headers=HEADERS[1:]), "缺少列：姓名"),
    ],
)
async def test_bad_files_get_a_clear_message(as_role, name, content, message):
    client = await as_role("agency")
    response = await upload(client, "/api/experts/import/dry-run", content, name=name)
    assert response.status_code == 400
    assert message in response.json()["file_error"]
    assert await Expert.count() == 2


@pytest.fixture(scope="module")
def ten_thousand() -> bytes:
    rows = clean_rows(10_000, start=0)
    rows[1233][1] = "530102197505170012"  # bad checksum → row 1235
    rows[7001][11] = "天文学"               # unknown specialty → row 7003
    rows[9998][4] = ""                     # missing employer → row 10000
    return workbook(rows)


async def test_ten_thousand_rows_with_a_few_bad_ones(as_role, ten_thousand):
    client = await as_role("agency")
    response = await upload(client, "/api/experts/import", ten_thousand)
    assert response.status_code == 400
    body = response.json()
    assert body["total"] == 10_000 and body["bad_rows"] == 3
    assert [(p["row"], p["column"]) for p in body["problems"]] == [(1235, "身份证号码"), (7003, "专业"),
                                                                   (10000, "工作单位")]
    assert await Expert.count() == 2


async def test_api_commit_writes_all_rows(as_role):
    client = await as_role("admin")
    response = await upload(client, "/api/experts/import", workbook(clean_rows(20)))
    assert response.status_code == 201 and response.json()["imported"] == 20
    names = {e["name"] for e in (await client.get("/api/experts?q=专家1")).json()["items"]}
    assert {"专家1", "专家10", "专家19"} <= names


async def test_export_of_the_filtered_list(as_role):
    await add_expert(name="导出甲", id_number=id_number(seq=301), region="红河州", specialties=["法律"])
    await add_expert(name="导出乙", id_number=id_number(seq=303), region="昆明市")
    client = await as_role("supervisor")
    response = await client.get("/roster/export.xlsx?region=红河州")
    assert response.status_code == 200 and response.headers["content-type"].startswith(XLSX)
    assert "filename*=UTF-8''%E4%B8%93%E5%AE%B6%E5%90%8D%E5%8D%95-" in response.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "姓名") and [r[1] for r in rows[1:]] == ["导出甲"]
    assert rows[1][4] == "530102********" + id_number(seq=301)[-4:]  # masked for a supervisor
    assert rows[1][14] == "法律"
    api = await client.get("/api/experts/export.xlsx?q=导出")
    assert len(list(load_workbook(io.BytesIO(api.content)).active.iter_rows())) == 3
