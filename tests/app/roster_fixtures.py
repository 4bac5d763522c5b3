"""Fixtures for roster and 回避 tests: a few users made cheaply, specialties, and valid experts.

Users are inserted with one Argon2 hash computed once per run: hashing per user costs ~60 ms
and these tests need only a handful of people.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import Workbook

from app.accounts.passwords import hash_password
from app.accounts.tables import Agency, User
from app.audit.services import SYSTEM
from app.roster.idcard import check_digit
from app.roster.services import create_expert
from app.roster.specialties import ensure_defaults
from app.roster.tables import Expert
from app.roster.xlsx import HEADERS
from app.server import create_app
from tests.app.helpers import PASSWORD, sign_in

ROLES = ("admin", "agency", "supervisor", "auditor", "expert", "expert2")


@functools.cache
def _hash() -> str:
    return hash_password(PASSWORD)


def id_number(year: int = 1975, seq: int = 1, region: str = "530102", month: int = 5, day: int = 17) -> str:
    """A valid 居民身份证号码 (odd sequence → 男)."""
    first17 = f"{region}{year:04d}{month:02d}{day:02d}{seq:03d}"
    return first17 + check_digit(first17)


def expert_data(**over: Any) -> dict[str, Any]:
    data = {"name": "张三", "id_number": id_number(), "phone": "13812345678", "email": "zs@example.cn",
            "employer": "昆明理工大学", "title": "教授", "level": "高级", "years_in_field": "20", "region": "昆明市",
            "county": "五华区", "specialties": ["安全生产/危险化学品", "法律"], "status": "在库", "notes": ""}
    data.update(over)
    return data


async def add_expert(**over: Any) -> int:
    return await create_expert(SYSTEM, expert_data(**over))


@pytest.fixture
async def people() -> dict[str, int]:
    """One user per role (expert and expert2 are linked to their own experts), plus the specialty tree."""
    await ensure_defaults(SYSTEM)
    agency = Agency(name="昆明市社会保险局", region="昆明市")
    await agency.save()
    ids = {}
    for role in ROLES:
        user = User(username=f"{role}1", display_name=f"测试{role}", role=role.rstrip("2"), password_hash=_hash(),
                    agency=agency.id if role in ("agency", "supervisor") else None)
        await user.save()
        ids[role] = user.id
    ids["expert_record"] = await add_expert(name="赵专家", id_number=id_number(seq=11))
    ids["expert2_record"] = await add_expert(name="钱专家", id_number=id_number(seq=13))
    await Expert.update({Expert.user: ids["expert"]}).where(Expert.id == ids["expert_record"])
    await Expert.update({Expert.user: ids["expert2"]}).where(Expert.id == ids["expert2_record"])
    ids["agency_id"] = agency.id
    return ids


@pytest.fixture
async def as_role(people: dict[str, int]) -> AsyncIterator[Callable[[str], Any]]:
    """Factory: `await as_role("agency")` gives a client signed in as that role (one app per client)."""
    opened: list[AsyncTestClient] = []

    async def make(role: str) -> AsyncTestClient:
        client = AsyncTestClient(app=create_app())
        await client.__aenter__()
        opened.append(client)
        response = await sign_in(client, f"{role}1")
        assert response.status_code == 303, response.text
        return client

    yield make
    for client in opened:
        await client.__aexit__(None, None, None)


def workbook(rows: list[list[Any]], headers: tuple[str, ...] | list[str] = HEADERS) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "专家名单"
    ws.append(list(headers))
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**over: Any) -> list[Any]:
    """One template row (values in HEADERS order)."""
    data = expert_data(**over)
    data["specialties"] = "、".join(data["specialties"]) if isinstance(data["specialties"], list) else data[
        "specialties"]
    keys = ("name", "id_number", "phone", "email", "employer", "employer_credit_code", "title", "level",
            "years_in_field", "region", "county", "specialties", "status", "notes")
    return [data.get(k, "") for k in keys]


TODAY = dt.date.today()
