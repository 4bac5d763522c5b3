"""The demo loader behind `make run`: realistic data once, kept on the second run."""

from __future__ import annotations

from app.accounts.tables import Agency, User
from app.demo import load_demo
from app.roster.idcard import id_number_problem
from app.roster.tables import Expert
from app.settings import get_settings


async def test_demo_loads_once_and_prints_every_role():
    said: list[str] = []
    await load_demo(experts=40, echo=said.append)
    experts = await Expert.select(Expert.name, Expert.id_number, Expert.employer, Expert.specialties,
                                  Expert.region).output(load_json=True)
    assert len(experts) == 40
    assert all(id_number_problem(e["id_number"]) is None for e in experts)
    assert all(1 <= len(e["specialties"]) <= 3 and e["employer"] and e["region"] for e in experts)
    assert all("\u4e00" <= e["name"][0] <= "\u9fff" for e in experts)  # Chinese names
    roles = {u["role"] for u in await User.select(User.role)}
    assert roles == {"admin", "agency", "supervisor", "expert", "auditor"}
    accounts = (get_settings().data_dir / "demo-accounts.txt").read_text()
    for username in ("admin", "jingban", "jiandu", "zhuanjia", "shenji"):
        assert username in accounts and username in "\n".join(said)
    agencies, users = await Agency.count(), await User.count()

    again: list[str] = []
    await load_demo(experts=40, if_empty=True, echo=again.append)
    assert await Expert.count() == 40 and await Agency.count() == agencies and await User.count() == users
    assert any("jingban" in line for line in again)  # the passwords are shown again
