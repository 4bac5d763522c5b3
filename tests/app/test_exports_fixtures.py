"""A finished 磋商 review for the export tests, made through the real scoring pages.

The panel comes from `make_panel` (the online-scoring fixtures); its three members are then
recorded as the result of a real `assignment.solve` draw over exactly those experts, so the
bundle carries a draw that `pingshen verify` can replay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import assignment
from app.audit import services as audit
from app.db import write_tx
from app.panels.tables import Draw, PanelSeat
from app.roster.tables import Expert
from app.settings import ROOT
from tests.app.helpers import PASSWORD, World
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    Panel,
    form_values,
    make_panel,
    open_and_declare,
    post,
    submit,
)


async def record_draw(world: World, panel: Panel) -> int:
    """A confirmed draw whose pool is exactly the seated experts, attached to their seats."""
    experts = await Expert.select(Expert.id, Expert.employer, Expert.region).where(
        Expert.id.is_in([panel.expert_ids[n] for n in panel.experts])).order_by(Expert.id)
    pool = [{"id": e["id"], "org": e["employer"], "region": e["region"], "specialties": [], "available": True}
            for e in experts]
    data = {"mode": "draw", "rules": {"max_per_org": 1}, "experts": pool, "conflicts": [],
            "panels": [{"id": f"review-{panel.review_id}", "size": len(pool), "require": {}, "alternates": 0,
                        "exclude_orgs": []}]}
    seed = 20261123
    output = assignment.solve(data, seed)
    pool_sha = hashlib.sha256(assignment.canonical_json(pool)).hexdigest()
    async with write_tx():
        draw = Draw(review=panel.review_id, agency=world.agency_id, status="confirmed", input=data,
                    input_sha256=output["input_sha256"], pool_sha256=pool_sha, pool_size=len(pool), seed=seed,
                    output=output, operator=world.users["agency"], supervisor=world.users["supervisor"],
                    confirmed_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC), seats_filled=len(pool))
        await draw.save()
        await PanelSeat.update({PanelSeat.draw: draw.id}).where(
            PanelSeat.id.is_in([panel.seats[n] for n in panel.experts]))
        await audit.record(actor=None, action="panel.draw_confirmed", object_type="panel_draw", object_id=draw.id,
                           agency_id=world.agency_id, new={"seed": seed, "members": output["panels"][0]["members"]})
    return draw.id


async def finished_consultation(world: World, signed_in: Any, *, publish: bool = True) -> Panel:
    """Scored by three members, signed by all, and (by default) published by the agency."""
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS,
                             prefix="xp")
    await record_draw(world, panel)
    clients = {name: await signed_in(name) for name in panel.experts}
    for i, name in enumerate(panel.experts, 1):
        sheet_id = await open_and_declare(clients[name], panel)
        response = await submit(clients[name], sheet_id, form_values(panel, CONSULTATION_SCORES[i], CODES))
        assert response.status_code == 303, response.text
    for i, name in enumerate(panel.experts):
        data = {"agree": "yes", "password": PASSWORD} if i else {
            "agree": "no", "dissent": "对B供应商服务方案评分有保留意见", "password": PASSWORD}
        response = await post(clients[name], f"/scoring/reviews/{panel.review_id}/signature", data)
        assert response.status_code == 303, response.text
    if publish:
        agency = await signed_in("agency")
        assert (await post(agency, f"/scoring/reviews/{panel.review_id}/publish", {})).status_code == 303
    return panel


def run_verify(raw: dict[str, Any], tmp_path: Path, name: str = "bundle.json") -> subprocess.CompletedProcess:
    """`pingshen verify` in its own process, as an auditor runs it."""
    path = tmp_path / name
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    command = Path(sys.executable).parent / "pingshen"
    return subprocess.run([str(command), "verify", str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)


__all__ = ["CODES", "finished_consultation", "record_draw", "run_verify"]
