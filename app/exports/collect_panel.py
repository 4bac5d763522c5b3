"""The panel part of a review bundle: the confirmed draws exactly as solved, replacements with
their reasons, and the sitting panel with its 回避声明/承诺书 times."""

from __future__ import annotations

from typing import Any

from app.audit.tables import AuditRecord
from app.panels.queries import seats_of
from app.panels.tables import ACTIVE_STATES, Draw, DrawPurpose, DrawStatus, Invitation, SeatRole, SeatState
from app.roster.tables import Expert, Specialty
from app.scoresheets.access import SCORING_ROLES, expert_key
from app.scoresheets.tables import Declaration

PURPOSES = {DrawPurpose.INITIAL.value: "首次抽取", DrawPurpose.REDRAW.value: "补抽"}


def _role(seat: dict[str, Any]) -> str:
    if seat["role"] == SeatRole.PURCHASER_REP.value:
        return "采购人代表"
    return "组长" if seat["is_leader"] else "成员"


def _source(seat: dict[str, Any]) -> str:
    # verify compares the members that came from a draw (source "draw") with the draws and their
    # replacements; a 补抽 seat and an alternate who moved in came from a draw too.
    if seat["draw"] is not None:
        return "draw"
    return {"import": "财政专家库抽取（导入名单）", "manual": "采购人代表"}.get(seat["source"], "登记")


async def _specialty_names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Specialty.select(Specialty.code, Specialty.name)}


async def sitting_panel(review_id: int) -> list[dict[str, Any]]:
    """The accepted scoring seats as the bundle's panel rows, in seat order."""
    seats = [s for s in await seats_of(review_id)
             if s["role"] in SCORING_ROLES and s["state"] == SeatState.ACCEPTED.value]
    seats.sort(key=lambda s: (s["seat_no"], s["id"]))
    declarations = {d["seat"]: d for d in await Declaration.select().where(Declaration.review == review_id)}
    labels = await _specialty_names()
    panel = []
    for seat in seats:
        key = expert_key(seat)
        declared = declarations.get(seat["id"])
        panel.append({
            "expert": key, "name": seat["expert_name"] or seat["name"] or key,
            "org": seat["expert_org"] or seat["org"], "role": _role(seat), "source": _source(seat),
            "specialties": [labels.get(c, c) for c in (seat["expert_specialties"] or [])
                            ] if isinstance(seat["expert_specialties"], list) else [],
            # Online, signing the 回避声明 is the member's sign-in; the 承诺书 is signed with it.
            "checked_in_at": declared["signed_at"] if declared else None,
            "pledge_signed_at": declared["signed_at"] if declared and declared["pledge"] else None,
            "seat": seat["id"],
        })
    return panel


def _root_draw(seat: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> int | None:
    """The draw whose member list holds this seat's place: follow moved-in alternates back."""
    while seat["drawn_role"] != SeatRole.MEMBER.value and seat["replaces"] in by_id:
        seat = by_id[seat["replaces"]]
    return seat["draw"]


def replacements(seats: list[dict[str, Any]], enders: dict[int, str]) -> dict[int, list[dict[str, Any]]]:
    """draw id → [{panel, expert, replacement, reason, at, by}] in time order; `enders` maps a
    seat id to whoever ended it (from the audit trail: the seat has no such column).

    A member seat that ended is a replacement; its successor counts only when it is an alternate
    who moved in (a seat filled by a 补抽 is that draw's own member, so the record says 未递补).
    """
    by_id = {s["id"]: s for s in seats}
    out: dict[int, list[dict[str, Any]]] = {}
    ended = [s for s in seats if s["role"] == SeatRole.MEMBER.value and s["state"] not in ACTIVE_STATES
             and s["draw"] is not None]
    for seat in sorted(ended, key=lambda s: (s["updated_at"], s["id"])):
        successor = by_id.get(seat["replaced_by"]) if seat["replaced_by"] else None
        moved_in = successor is not None and successor["drawn_role"] == SeatRole.ALTERNATE.value
        root = _root_draw(seat, by_id)
        out.setdefault(root, []).append({
            "panel": f"review-{seat['review']}", "expert": seat["expert"],
            "replacement": successor["expert"] if moved_in else None,
            "reason": seat["end_reason"] or seat["state"], "at": seat["updated_at"],
            "by": enders.get(seat["id"], ""), "seat": seat["id"], "state": seat["state"],
        })
    return out


def _codes(draw_input: dict[str, Any]) -> set[str]:
    codes = {str(c) for e in draw_input.get("experts", []) for c in e.get("specialties", [])}
    for panel in draw_input.get("panels", []):
        codes |= {str(c) for c in (panel.get("require") or {})} | {str(c) for c in panel.get("accept") or []}
    return codes


async def _names(ids: set[int]) -> dict[str, str]:
    if not ids:
        return {}
    rows = await Expert.select(Expert.id, Expert.name).where(Expert.id.is_in(sorted(ids)))
    return {str(r["id"]): r["name"] for r in rows}


def _conditions(draw: dict[str, Any]) -> str:
    excluded = draw["excluded"] or {}
    return (f"第 {draw['number']} 次抽取（{PURPOSES.get(draw['purpose'], draw['purpose'])}）；"
            f"经回避筛选后专家库 {draw['pool_size']} 人，回避排除 {len(excluded)} 人；"
            f"专家库快照哈希（SHA-256）{draw['pool_sha256']}")


async def _enders(seats: list[dict[str, Any]]) -> dict[int, str]:
    ended = [str(s["id"]) for s in seats if s["state"] not in ACTIVE_STATES]
    if not ended:
        return {}
    actions = [f"panel.seat_{state}" for state in (SeatState.DECLINED.value, SeatState.EXPIRED.value,
                                                   SeatState.RECUSED.value, SeatState.REMOVED.value)]
    rows = await AuditRecord.select(AuditRecord.object_id, AuditRecord.actor).where(
        (AuditRecord.object_type == "panel_seat") & AuditRecord.object_id.is_in(ended)
        & AuditRecord.action.is_in(actions)).order_by(AuditRecord.seq)
    return {int(r["object_id"]): r["actor"] for r in rows}


async def draws_of_review(review_id: int) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
    """(confirmed draws for the bundle, audit objects {type: ids} of the panel area)."""
    from app.exports.collect import users_named
    from app.plans.inputs import with_plan_input

    rows = await (Draw.select().where(Draw.review == review_id).order_by(Draw.id).output(load_json=True))
    seats = await seats_of(review_id)
    invitations = await Invitation.select(Invitation.id).where(Invitation.review == review_id)
    users = await users_named({r["operator"] for r in rows} | {r["supervisor"] for r in rows})
    swaps = replacements(seats, await _enders(seats))
    labels = await _specialty_names()
    draws = []
    plans: dict[int, Any] = {}
    for row in rows:
        if row["status"] != DrawStatus.CONFIRMED.value:
            continue  # a cancelled or expired draw produced nothing; its audit records remain
        row = await with_plan_input(row, plans)  # a season plan's draw: the plan's input, as solved
        drawn = {e for p in row["output"].get("panels", []) for e in (*p["members"], *p["alternates"])}
        draws.append({
            "id": row["id"], "input": row["input"], "seed": row["seed"], "output": row["output"],
            "operator": users.get(row["operator"], ""), "supervisor": users.get(row["supervisor"], ""),
            "confirmed_at": row["confirmed_at"], "conditions": _conditions(row),
            "replacements": swaps.get(row["id"], []),
            "number": row["number"], "purpose": row["purpose"], "pool_size": row["pool_size"],
            "pool_sha256": row["pool_sha256"], "excluded": row["excluded"] or {},
            "names": await _names({int(e) for e in drawn if str(e).isdigit()}),
            # the documents print specialties by name, in the tree as it stood at export time
            "specialty_names": {c: labels[c] for c in sorted(_codes(row["input"])) if c in labels},
        })
    objects = {"panel_draw": [r["id"] for r in rows], "panel_seat": [s["id"] for s in seats],
               "panel_invitation": [i["id"] for i in invitations]}
    return draws, objects
