"""Users of every role, an app client, and signing in the way a browser does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.accounts.services import create_agency, create_user
from app.server import create_app

PASSWORD = "Test-Passw0rd!"
ROLES = ("admin", "agency", "supervisor", "expert", "auditor")


@dataclass
class World:
    """The people and agencies every app test can rely on."""

    agency_id: int
    other_agency_id: int
    users: dict[str, int]


@pytest.fixture
async def world() -> World:
    home = await create_agency("昆明市社会保险局", "昆明市")
    other = await create_agency("大理州社会保险局", "大理州")
    users = {}
    for role in ROLES:
        agency = home.id if role in ("agency", "supervisor") else None
        user = await create_user(username=f"{role}1", display_name=f"测试{role}", role=role, password=PASSWORD,
                                 agency_id=agency)
        users[role] = user.id
    other_staff = await create_user(username="agency2", display_name="外机构经办", role="agency", password=PASSWORD,
                                    agency_id=other.id)
    users["agency2"] = other_staff.id
    return World(agency_id=home.id, other_agency_id=other.id, users=users)


@pytest.fixture
def app() -> Litestar:
    return create_app()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as c:
        yield c


async def csrf(client: AsyncTestClient) -> str:
    if "csrftoken" not in client.cookies:
        await client.get("/login")
    return client.cookies["csrftoken"]


async def sign_in(client: AsyncTestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = await csrf(client)
    return await client.post("/login", data={"username": username, "password": password, "_csrf_token": token},
                             follow_redirects=False)


async def post_form(client: AsyncTestClient, url: str, data: dict | None = None, **kw):  # type: ignore[no-untyped-def]
    token = await csrf(client)
    return await client.post(url, data={**(data or {}), "_csrf_token": token}, follow_redirects=False, **kw)


@pytest.fixture
async def signed_in(world: World):  # type: ignore[no-untyped-def]
    """Factory: `await signed_in("agency")` gives a client signed in as that role.

    Each client gets an app of its own: two test clients sharing one app hang at shutdown.
    """
    opened: list[AsyncTestClient] = []

    async def make(role: str) -> AsyncTestClient:
        c = AsyncTestClient(app=create_app())
        await c.__aenter__()
        opened.append(c)
        response = await sign_in(c, f"{role}1" if role in ROLES else role)
        assert response.status_code == 303, response.text
        return c

    yield make
    for c in opened:
        await c.__aexit__(None, None, None)


__all__ = ["PASSWORD", "ROLES", "World", "app", "client", "csrf", "post_form", "sign_in", "signed_in", "world"]
