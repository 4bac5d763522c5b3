"""Rows for online-scoring tests, inserted directly (no draw): a project, an open review, its
rubric and bids, and a panel of experts with accounts and accepted seats."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.accounts.services import create_user
from app.panels.tables import PanelSeat
from app.reviews.tables import Bid, Criterion, Project, Review
from app.roster.tables import Expert
from app.settings import ROOT
from tests.app.helpers import PASSWORD, World, csrf

SURNAMES = "张王李赵陈刘杨黄"


@dataclass
class Panel:
    review_id: int
    project_id: int
    criteria: dict[str, int]
    bids: dict[str, int]
    experts: list[str]
    """usernames, in seat order"""
    seats: dict[str, int]
    expert_ids: dict[str, int]
    alternates: dict[str, int] = field(default_factory=dict)


_counter = {"n": 0}


async def _expert(username: str, name: str, *, region: str = "昆明市") -> tuple[int, int]:
    user = await create_user(username=username, display_name=name, role="expert", password=PASSWORD)
    _counter["n"] += 1
    expert = Expert(name=name, name_initials="x", gender="M", birth_year=1975,
                    id_number=f"53010119750101{_counter['n']:04d}", employer=f"{name}工作单位", title="高级工程师",
                    level="高级", region=region, user=user.id)
    await expert.save()
    return user.id, expert.id


async def make_panel(world: World, *, kind: str, criteria: list[tuple[str, str, str, str, bool]],
                     bids: list[tuple[str, str | None]], experts: int = 3, prefix: str = "ex",
                     alternates: int = 0, category: str = "services", price_weight: str | None = "0.3000",
                     status: str = "open") -> Panel:
    """criteria: (code, name, max, kind, veto); bids: (code, final quote or None)."""
    project = Project(agency=world.agency_id, code="GS-2026-01", name="危化企业工伤预防培训项目",
                      budget=Decimal("120000.00"), purchaser_name="昆明市社会保险局")
    await project.save()
    review = Review(project=project.id, agency=world.agency_id, kind=kind, title=f"{kind} 评审", status=status,
                    category=category if kind == "consultation" else "",
                    price_weight=Decimal(price_weight) if kind == "consultation" and price_weight else None,
                    panel_size=experts)
    await review.save()
    crit_ids = {}
    for i, (code, name, maximum, ckind, veto) in enumerate(criteria, 1):
        row = Criterion(review=review.id, position=i, name=name, max_points=Decimal(maximum), kind=ckind, veto=veto,
                        group="technical" if code.startswith("T") else "business", guidance=f"{name}的评分细则")
        await row.save()
        crit_ids[code] = row.id
    bid_ids = {}
    for i, (code, quote) in enumerate(bids, 1):
        row = Bid(review=review.id, position=i, supplier_name=f"{code}供应商有限公司",
                  title="" if kind == "consultation" else f"项目{code}",
                  final_quote=Decimal(quote) if quote else None)
        await row.save()
        bid_ids[code] = row.id
    names, seats, expert_ids = [], {}, {}
    for i in range(1, experts + 1):
        username = f"{prefix}{i}"
        _, expert_id = await _expert(username, f"{SURNAMES[i - 1]}专家{prefix}{i}")
        seat = PanelSeat(review=review.id, expert=expert_id, role="member", state="accepted",
                         seat_no=i, drawn_role="member", drawn_order=i)
        await seat.save()
        names.append(username)
        seats[username] = seat.id
        expert_ids[username] = expert_id
    alts = {}
    for j in range(1, alternates + 1):
        username = f"{prefix}alt{j}"
        _, expert_id = await _expert(username, f"候补{prefix}{j}")
        seat = PanelSeat(review=review.id, expert=expert_id, role="alternate", state="standby",
                         seat_no=0, drawn_role="alternate", drawn_order=j)
        await seat.save()
        alts[username] = seat.id
        expert_ids[username] = expert_id
    return Panel(review.id, project.id, crit_ids, bid_ids, names, seats, expert_ids, alts)


CONSULTATION_CRITERIA = [
    ("T1", "服务方案", "40", "subjective", False),
    ("T2", "项目团队", "20", "subjective", False),
    ("S1", "服务承诺", "10", "objective", False),
]
#: Criterion codes in rubric order, as score forms expect them.
CODES = [code for code, *_ in CONSULTATION_CRITERIA]
CONSULTATION_BIDS = [("A", "80000.00"), ("B", "100000.00"), ("C", "90000.00")]
# expert → bid → (T1, T2, S1); S1 is objective, the same for everyone. ex3 scores B far below the others.
CONSULTATION_SCORES = {
    1: {"A": ("30", "15", "6"), "B": ("36", "17", "8"), "C": ("32", "16", "7")},
    2: {"A": ("31", "14", "6"), "B": ("35.5", "18", "8"), "C": ("30", "15", "7")},
    3: {"A": ("29", "15", "6"), "B": ("26", "12", "8"), "C": ("38", "18", "7")},
}


def form_values(panel: Panel, table: dict[str, tuple[str, ...]], codes: list[str]) -> dict[str, str]:
    """Form fields v-<bid>-<criterion> for one expert's scores."""
    data = {}
    for bid, values in table.items():
        for code, value in zip(codes, values, strict=True):
            data[f"v-{panel.bids[bid]}-{panel.criteria[code]}"] = value
    return data


async def open_and_declare(client: Any, panel: Panel) -> int:
    """Sign the declaration and 承诺书; the sheet id."""
    token = await csrf(client)
    response = await client.post(f"/scoring/reviews/{panel.review_id}/declaration",
                                 data={"conflict": "no", "pledge": "yes", "_csrf_token": token},
                                 follow_redirects=False)
    assert response.status_code == 303, response.text
    response = await client.get(f"/scoring/reviews/{panel.review_id}/sheet", follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def submit(client: Any, sheet_id: int, values: dict[str, str], *, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    sheet = (await client.get(f"/api/scoring/sheets/{sheet_id}")).json()
    token = await csrf(client)
    return await client.post(f"/scoring/sheets/{sheet_id}", data={
        **values, "version": str(sheet["version"]), "action": "submit", "password": password,
        "_csrf_token": token}, follow_redirects=False)


async def post(client: Any, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = await csrf(client)
    return await client.post(url, data={**data, "_csrf_token": token}, follow_redirects=False)


def run_scoring_cli(data: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    """`python -m scoring evaluate` in its own process on the stored input."""
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)
