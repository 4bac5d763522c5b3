"""The draw (抽取): prepare (经办人) → confirm (监督人, signed in on their own session) → replay (审计).

1. Prepare: the 回避-filtered pool (app/conflicts `eligible_pool`) becomes the assignment/
   input; the input and pool hashes are fixed and published on the draw record; no seed yet.
   A quota the pool cannot fill is refused here, naming the specialty and the shortfall.
2. Confirm: only a 监督人 of the same agency, signed in, within the confirmation window. The
   seed comes from `secrets` at that moment, so nobody knows it while the input can change
   (commit, then reveal). Solve, create the seats, send the invitations.
3. Replay: re-run `assignment.solve(input, seed)` and compare the panels byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any, NoReturn

import anyio.to_thread
from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.db import write_tx
from app.panels import mail
from app.panels.context import conflicts_of, panel_context
from app.panels.queries import active_members, has_confirmed_draw, seats_of, standby_alternates, vacant_seat_numbers
from app.panels.seats import PanelError, end_seat, invite, now_utc
from app.panels.tables import Draw, DrawPurpose, DrawStatus, Invitation, PanelSeat, SeatRole, SeatState
from app.reviews.composition import check_composition
from app.reviews.services import get_review
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import PanelSource, Project, Review
from app.roster.tables import Specialty

#: How long a prepared draw waits for the supervisor's confirmation.
CONFIRM_WINDOW = dt.timedelta(minutes=30)


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def with_ancestors(codes: list[str]) -> list[str]:
    """safety.chemical also counts as safety: a seat that accepts 安全生产 accepts its sub-fields."""
    found = set()
    for code in codes:
        parts = code.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(found)


def shortfall(require: dict[str, int], members: list[list[str]]) -> dict[str, int]:
    """Quotas the remaining members no longer cover (each member counts for one quota)."""
    free = [set(with_ancestors(m)) for m in members]
    short = {}
    for code, count in sorted(require.items(), key=lambda kv: sum(kv[0] in f for f in free)):
        covering = [f for f in free if code in f][:count]
        for f in covering:
            free.remove(f)
        if count - len(covering) > 0:
            short[code] = count - len(covering)
    return short


def panel_spec(review: Review, *, size: int, require: dict[str, int], exclude_orgs: set[str]) -> dict[str, Any]:
    """One review's panel in the assignment/ input; a single draw and a season plan build it alike."""
    panel: dict[str, Any] = {"id": f"review-{review.id}", "size": size, "require": dict(sorted(require.items())),
                             "alternates": review.alternates, "exclude_orgs": sorted(o for o in exclude_orgs if o)}
    accept = sorted(set(_load(review.accept) or []) | set(require))
    if accept:
        panel["accept"] = accept
    regions = _load(review.regions) or []
    if regions:
        panel["regions"] = sorted(regions)
    return panel


def build_input(*, review: Review, pool: list[dict[str, Any]], used: set[int], size: int,
                require: dict[str, int], exclude_orgs: set[str]) -> dict[str, Any]:
    """The assignment/ input for one panel (docs/assignment.md): pure, so it can be tested alone."""
    experts = [{"id": e["id"], "org": e["org"], "region": e["region"],
                "specialties": with_ancestors(e["specialties"] or []), "available": bool(e.get("available", True))}
               for e in sorted(pool, key=lambda e: e["id"]) if e["id"] not in used]
    panel = panel_spec(review, size=size, require=require, exclude_orgs=exclude_orgs)
    return {"mode": "draw", "rules": {"max_per_org": review.max_per_org}, "experts": experts, "panels": [panel],
            "conflicts": []}


def pool_hash(experts: list[dict[str, Any]]) -> str:
    from assignment import canonical_json

    return hashlib.sha256(canonical_json(experts)).hexdigest()


async def _labels() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Specialty.select(Specialty.code, Specialty.name)}


async def explain(errors: list[dict[str, Any]]) -> str:
    """assignment/'s errors as one Chinese sentence naming the short specialty and by how many."""
    labels = await _labels()
    parts = []
    for e in errors:
        zh = str(e.get("message", "")).split(" / ")[0]
        if e.get("code") == "infeasible" and e.get("needed") is not None and e.get("available") is not None:
            short = int(e["needed"]) - int(e["available"])
            what = f"专业“{labels.get(e['specialty'], e['specialty'])}”" if e.get("specialty") else "符合条件的专家"
            parts.append(f"{what}可抽取 {e['available']} 人，需要 {e['needed']} 人，缺 {short} 人（{zh}）")
        else:
            parts.append(zh or str(e.get("code")))
    return "；".join(parts)


async def _refuse(actor: Any, review: Review, message: str, field: str = "draw") -> NoReturn:
    async with write_tx():
        await audit.record(actor=actor, action="panel.draw_refused", object_type="review", object_id=review.id,
                           agency_id=review.agency, new={"message": message})
    raise PanelError({field: message})


async def prepare_draw(actor: Any, review_id: int) -> int:
    """准备抽取 — fix the input and its hashes; the supervisor's confirmation draws the seed."""
    from assignment import AssignmentError, input_sha256, solve

    review = await get_review(actor, review_id)
    await precheck(review, Change.DRAW)
    project = await Project.objects().where(Project.id == review.project).first()
    if review.panel_source == PanelSource.FINANCE_SYSTEM.value:
        await _refuse(actor, review, "本评审的专家由财政政府采购评审专家库抽取，请导入抽取名单；"
                                     "如经主管预算单位同意自行选定，请先在评审设置中记录同意文件")
    if review.panel_source == PanelSource.SELF_SELECTED.value and not review.self_selection_approval.strip():
        await _refuse(actor, review, "自行选定专家须先记录主管预算单位的同意文件")
    composition = check_composition(kind=review.kind, panel_source=review.panel_source, panel_size=review.panel_size,
                                    purchaser_reps=review.purchaser_reps, budget=project.budget,
                                    require=_load(review.require))
    if not composition.ok:
        await _refuse(actor, review, "小组组成不符合规定：" + "；".join(composition.errors.values()))
    if await Draw.exists().where((Draw.review == review.id) & (Draw.status == DrawStatus.PENDING.value)):
        await _refuse(actor, review, "已有一次抽取在等待监督人确认，请先确认或取消")
    seats = await seats_of(review.id)
    require = _load(review.require) or {}
    exclude = {project.purchaser_name}
    if await has_confirmed_draw(review.id):
        purpose, vacant = DrawPurpose.REDRAW.value, vacant_seat_numbers(seats)
        if not vacant:
            await _refuse(actor, review, "小组没有空缺席位，无需补抽")
        if standby_alternates(seats):
            await _refuse(actor, review, "仍有候补专家待命，空缺应按顺序递补，候补用完后才能补抽")
        members = active_members(seats)
        require = shortfall(require, [_load(m["expert_specialties"]) or [] for m in members if m["expert"]])
        orgs = [m["org"] for m in members if m["org"]]
        exclude |= {o for o in orgs if orgs.count(o) >= review.max_per_org}
        size = len(vacant)
    else:
        purpose = DrawPurpose.INITIAL.value
        size = review.panel_size - review.purchaser_reps
    context = await panel_context(review)
    exclude |= {b.name for b in context.bidders}
    from app.conflicts.services import eligible_pool

    pool, excluded = await eligible_pool(context)
    used = {s["expert"] for s in seats if s["expert"] is not None}
    data = build_input(review=review, pool=pool, used=used, size=size, require=require, exclude_orgs=exclude)
    wanted = size + review.alternates
    if len(data["experts"]) < wanted:
        await _refuse(actor, review, f"回避筛查后可抽取的专家共 {len(data['experts'])} 人，需要评审专家 {size} 人"
                                     f"和候补 {review.alternates} 人，缺 {wanted - len(data['experts'])} 人")
    try:
        # Feasibility only: for one panel it does not depend on the seed; the result is discarded.
        # Solving is CPU work (0.1 s for 3,000 experts): off the event loop, like the draw itself.
        await anyio.to_thread.run_sync(lambda: solve(data, seed=0))
    except AssignmentError as exc:
        await _refuse(actor, review, "无法按要求抽取：" + await explain(exc.errors))
    now = now_utc()
    async with write_tx():
        await ensure_may_change(review.id, Change.DRAW)
        number = await Draw.count().where(Draw.review == review.id) + 1
        draw = Draw(review=review.id, agency=review.agency, number=number, purpose=purpose, input=data,
                    input_sha256=input_sha256(data), pool_sha256=pool_hash(data["experts"]),
                    pool_size=len(data["experts"]), seats_filled=size,
                    excluded={str(k): [{"code": c.code, "reason": c.reason} for c in v] for k, v in excluded.items()},
                    operator=actor.id, created_at=now, confirm_by=now + CONFIRM_WINDOW)
        await draw.save()
        await audit.record(actor=actor, action="panel.draw_prepared", object_type="panel_draw", object_id=draw.id,
                           agency_id=review.agency,
                           new={"review_id": review.id, "number": number, "purpose": purpose, "size": size,
                                "alternates": review.alternates, "input_sha256": draw.input_sha256,
                                "pool_sha256": draw.pool_sha256, "pool_size": draw.pool_size,
                                "excluded_for_conflict": len(excluded)})
    return draw.id


async def get_draw(user: Any, draw_id: int) -> tuple[Review, dict[str, Any]]:
    draw = await Draw.select().where(Draw.id == draw_id).output(load_json=True).first()
    if draw is None:
        raise NotFoundException("抽取记录不存在")
    review = await get_review(user, draw["review"])
    from app.plans.inputs import with_plan_input  # a season plan's draw keeps its input on the plan

    return review, await with_plan_input(draw)


async def cancel_draw(actor: Any, draw_id: int, reason: str) -> None:
    review, draw = await get_draw(actor, draw_id)
    await precheck(review, Change.DRAW)
    reason = reason.strip()[:300] or "经办人取消"
    if draw["status"] != DrawStatus.PENDING.value:
        raise PanelError({"draw": "只有待确认的抽取可以取消"})
    async with write_tx():
        await ensure_may_change(review.id, Change.DRAW)
        await Draw.update({Draw.status: DrawStatus.CANCELLED.value, Draw.cancelled_at: now_utc(),
                           Draw.cancel_reason: reason}).where(Draw.id == draw_id)
        await audit.record(actor=actor, action="panel.draw_cancelled", object_type="panel_draw", object_id=draw_id,
                           agency_id=review.agency, new={"reason": reason})


async def confirm_draw(actor: Any, draw_id: int) -> dict[str, Any]:
    """监督人确认并抽取 — the seed is drawn now, by the supervisor's own signed-in request."""
    from assignment import AssignmentError, solve

    review, draw = await get_draw(actor, draw_id)
    if actor.role != "supervisor":
        raise PanelError({"draw": "抽取须由本机构监督人登录后确认"}, status_code=403)
    await precheck(review, Change.DRAW)
    if draw["status"] != DrawStatus.PENDING.value:
        raise PanelError({"draw": "该抽取不在待确认状态"})
    now = now_utc()
    if draw["confirm_by"] is not None and now > draw["confirm_by"]:
        async with write_tx():
            await Draw.update({Draw.status: DrawStatus.CANCELLED.value, Draw.cancelled_at: now,
                               Draw.cancel_reason: "监督人未在确认时限内确认"}).where(Draw.id == draw_id)
            await audit.record(actor=actor, action="panel.draw_expired", object_type="panel_draw", object_id=draw_id,
                               agency_id=review.agency, new={"confirm_by": str(draw["confirm_by"])})
        raise PanelError({"draw": "已超过确认时限（30 分钟），本次抽取作废，请经办人重新准备"})
    seed = secrets.randbits(63)
    try:
        output = await anyio.to_thread.run_sync(solve, draw["input"], seed)  # CPU: off the event loop
    except AssignmentError as exc:  # the input was checked at preparation; this is a defect, not bad input
        raise PanelError({"draw": "抽取失败：" + await explain(exc.errors)}) from None
    if output["input_sha256"] != draw["input_sha256"]:
        raise PanelError({"draw": "抽取输入与记录的哈希不一致，已拒绝"})
    panel = output["panels"][0]
    orgs = {e["id"]: e["org"] or "" for e in draw["input"]["experts"]}
    conflicts = await conflicts_of(review, [*panel["members"], *panel["alternates"]])
    async with write_tx():
        await ensure_may_change(review.id, Change.DRAW)
        claimed = await Draw.update({
            Draw.status: DrawStatus.CONFIRMED.value, Draw.seed: seed, Draw.output: output,
            Draw.supervisor: actor.id, Draw.confirmed_at: now}).where(
            (Draw.id == draw_id) & (Draw.status == DrawStatus.PENDING.value)).returning(Draw.id)
        if not claimed:
            raise PanelError({"draw": "该抽取已被处理"})
        seats = await seats_of(review.id)
        redraw = draw["purpose"] == DrawPurpose.REDRAW.value
        numbers = vacant_seat_numbers(seats) if redraw else list(range(1, len(panel["members"]) + 1))
        if len(numbers) < len(panel["members"]):
            raise PanelError({"draw": "空缺席位已变化，请取消后重新准备补抽"})
        vacated = {s["seat_no"]: s["id"] for s in seats if redraw and s["seat_no"] in numbers
                   and s["role"] == SeatRole.MEMBER.value and s["replaced_by"] is None}
        source = "redraw" if redraw else "draw"
        created: list[tuple[int, int, str]] = []
        for order, (expert_id, seat_no) in enumerate(zip(panel["members"], numbers, strict=False), start=1):
            seat = PanelSeat(review=review.id, draw=draw_id, expert=expert_id, org=orgs.get(expert_id, ""),
                             role=SeatRole.MEMBER.value, state=SeatState.INVITED.value, seat_no=seat_no,
                             drawn_role=SeatRole.MEMBER.value, drawn_order=order, source=source,
                             replaces=vacated.get(seat_no))
            await seat.save()
            if seat_no in vacated:
                await PanelSeat.update({PanelSeat.replaced_by: seat.id}).where(PanelSeat.id == vacated[seat_no])
            created.append((seat.id, expert_id, SeatRole.MEMBER.value))
        for order, expert_id in enumerate(panel["alternates"], start=1):
            seat = PanelSeat(review=review.id, draw=draw_id, expert=expert_id, org=orgs.get(expert_id, ""),
                             role=SeatRole.ALTERNATE.value, state=SeatState.STANDBY.value, seat_no=0,
                             drawn_role=SeatRole.ALTERNATE.value, drawn_order=order, source=source)
            await seat.save()
            created.append((seat.id, expert_id, SeatRole.ALTERNATE.value))
        await audit.record(actor=actor, action="panel.draw_confirmed", object_type="panel_draw", object_id=draw_id,
                           agency_id=review.agency,
                           new={"review_id": review.id, "seed": seed, "input_sha256": draw["input_sha256"],
                                "pool_sha256": draw["pool_sha256"], "members": panel["members"],
                                "alternates": panel["alternates"], "operator_id": draw["operator"]})
        # Bids registered after preparation: a drawn expert with a 回避 leaves at once, in order.
        for seat_id, expert_id, _role in sorted(created, key=lambda c: c[2] == SeatRole.MEMBER.value):
            if expert_id in conflicts:
                fresh = await PanelSeat.select().where(PanelSeat.id == seat_id).first()
                if fresh["state"] in (SeatState.INVITED.value, SeatState.STANDBY.value):
                    reason = "回避：" + "；".join(c.reason for c in conflicts[expert_id])
                    await end_seat(actor, review, fresh, SeatState.RECUSED.value, reason, now)
        invited = {r["seat"] for r in await Invitation.select(Invitation.seat).where(Invitation.review == review.id)}
        for seat_id, expert_id, role in created:
            fresh = await PanelSeat.select(PanelSeat.state).where(PanelSeat.id == seat_id).first()
            if role == SeatRole.MEMBER.value and fresh["state"] == SeatState.INVITED.value and seat_id not in invited:
                await invite(review, seat_id, expert_id, now)
    await mail.deliver_pending()
    return {"seed": seed, "members": len(panel["members"]), "alternates": len(panel["alternates"])}


async def replay_draw(actor: Any, draw_id: int) -> dict[str, Any]:
    """复核抽取 — re-run the recorded input with the recorded seed; compare the panels byte for byte."""
    from assignment import canonical_json, input_sha256, solve

    review, draw = await get_draw(actor, draw_id)
    if draw["status"] != DrawStatus.CONFIRMED.value:
        raise PanelError({"draw": "只有已确认的抽取可以复核"})
    recomputed = input_sha256(draw["input"])
    replayed = await anyio.to_thread.run_sync(solve, draw["input"], draw["seed"])
    recorded_bytes = canonical_json(draw["output"]["panels"])
    # A season plan's draw records only its own review's panel of the plan (app/plans): compare that one.
    ids = {str(p["id"]) for p in draw["output"]["panels"]}
    replayed["panels"] = [p for p in replayed["panels"] if not draw["output"].get("plan_id") or str(p["id"]) in ids]
    replayed_bytes = canonical_json(replayed["panels"])
    result = {
        "draw_id": draw_id, "seed": draw["seed"],
        "input_sha256_recorded": draw["input_sha256"], "input_sha256_recomputed": recomputed,
        "input_ok": recomputed == draw["input_sha256"],
        "pool_ok": pool_hash(draw["input"]["experts"]) == draw["pool_sha256"],
        "panels_equal": recorded_bytes == replayed_bytes,
        "recorded_panels": draw["output"]["panels"], "replayed_panels": replayed["panels"],
    }
    result["ok"] = result["input_ok"] and result["pool_ok"] and result["panels_equal"]
    async with write_tx():
        await audit.record(actor=actor, action="panel.draw_replayed", object_type="panel_draw", object_id=draw_id,
                           agency_id=review.agency,
                           new={"ok": result["ok"], "input_ok": result["input_ok"], "pool_ok": result["pool_ok"],
                                "panels_equal": result["panels_equal"]})
    return result


async def draws_of(review_id: int) -> list[dict[str, Any]]:
    return await Draw.select(
        Draw.id, Draw.number, Draw.purpose, Draw.status, Draw.input_sha256, Draw.pool_sha256, Draw.pool_size,
        Draw.seed, Draw.created_at, Draw.confirm_by, Draw.confirmed_at, Draw.seats_filled, Draw.cancel_reason,
        Draw.operator.display_name.as_alias("operator_name"), Draw.supervisor.display_name.as_alias("supervisor_name"),
    ).where(Draw.review == review_id).order_by(Draw.id)
