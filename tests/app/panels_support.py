"""Shared set-up for the reviews/panels tests: a small roster inserted directly (no argon2), a
project with reviews, and the users of the `world` fixture as service actors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.accounts.tables import User
from app.panels import drawing
from app.panels.tables import PanelSeat
from app.reviews import services
from app.reviews.tables import Review
from app.roster.tables import Expert, Specialty

SPECIALTIES = [("safety", "安全生产", ""), ("safety.chemical", "危险化学品", "safety"),
               ("occupational_health", "职业卫生", ""), ("training", "宣传培训", "")]


async def actor(world: Any, role: str) -> User:
    return await User.objects().where(User.id == world.users[role]).first()


async def add_experts(specs: list[list[str]], *, start: int = 0, employer: str | None = None,
                      region: str = "昆明市", email: bool = True) -> list[int]:
    """One expert per entry of `specs` (their specialty codes), each at a different employer."""
    if not await Specialty.exists():
        await Specialty.insert(*[Specialty(code=c, name=n, parent_code=p) for c, n, p in SPECIALTIES])
    rows = []
    for i, codes in enumerate(specs, start=start):
        rows.append(Expert(
            name=f"专家{i:03d}", name_initials=f"zj{i}", gender="男", birth_year=1975,
            id_number=f"530102197501{(i % 28) + 1:02d}{i:04d}", email=f"e{i}@example.cn" if email else "",
            employer=employer or f"单位{i:03d}", title="高级工程师", level="高级", years_in_field=15, region=region,
            specialties=codes, status="active"))
    await Expert.insert(*rows)
    found = await Expert.select(Expert.id).where(Expert.name.is_in([r.name for r in rows])).order_by(Expert.id)
    return [r["id"] for r in found]


async def project_with_reviews(world: Any, *, budget: str = "300000") -> tuple[int, int, int]:
    """A project with an approval review (5 experts, 2 alternates) and a 磋商 review; returns ids."""
    staff = await actor(world, "agency")
    project = await services.create_project(staff, services.ProjectInput(
        name="2026年危险化学品企业工伤预防培训项目", code="GS-2026-01", key_industry="危险化学品", budget=budget,
        purchaser_name="昆明市社会保险局", purchaser_credit_code=""))
    approval = await services.create_review(staff, project.id, kind="approval")
    consultation = await services.create_review(staff, project.id, kind="consultation")
    return project.id, approval.id, consultation.id


async def set_panel(world: Any, review_id: int, **fields: str) -> Review:
    staff = await actor(world, "agency")
    review = await services.get_review(staff, review_id)
    form = services.SettingsInput(
        version=str(review.version), title=review.title, panel_size=str(review.panel_size),
        purchaser_reps=str(review.purchaser_reps), alternates=str(review.alternates), max_per_org="1",
        invitation_hours="24", panel_source=review.panel_source, category=review.category or "",
        price_weight="30" if review.kind == "consultation" else "")
    for key, value in fields.items():
        setattr(form, key, value)
    updated, _ = await services.update_settings(staff, review_id, form)
    return updated


async def drawn(world: Any, review_id: int) -> int:
    """Prepare (经办人) and confirm (监督人) a draw; returns the draw id."""
    draw_id = await drawing.prepare_draw(await actor(world, "agency"), review_id)
    await drawing.confirm_draw(await actor(world, "supervisor"), draw_id)
    return draw_id


async def drawn_approval_review(world: Any) -> int:
    """An approval review with a confirmed draw: one 危险化学品 seat, the rest 安全/职业卫生."""
    await add_experts([["safety.chemical"]] * 10 + [["occupational_health"]] * 10)
    _, approval_id, _ = await project_with_reviews(world)
    await set_panel(world, approval_id, require="safety.chemical:1", accept="safety, occupational_health")
    await drawn(world, approval_id)
    return approval_id


async def seats(review_id: int) -> list[dict[str, Any]]:
    return await PanelSeat.select().where(PanelSeat.review == review_id).order_by(PanelSeat.id)


def members(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((s for s in rows if s["role"] == "member" and s["state"] in ("invited", "accepted")),
                  key=lambda s: s["seat_no"])


def alternates(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted((s for s in rows if s["role"] == "alternate" and s["state"] == "standby"),
                  key=lambda s: (s["draw"], s["drawn_order"]))


__all__ = ["Decimal", "actor", "add_experts", "alternates", "drawn", "members", "project_with_reviews", "seats",
           "set_panel"]
