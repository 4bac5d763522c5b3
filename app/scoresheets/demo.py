"""Demo for online scoring: three open reviews of the demo project whose panels are demo
accounts, so a new user can score, sign and publish in the browser right away.

The 磋商 panel is recorded as imported names (the legal draw happens in the 财政 system), with
one 采购人代表; the approval and acceptance panels are seated directly (the draw itself is
shown by the panels area's own demo review).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from app.accounts.services import create_user
from app.accounts.tables import User
from app.audit import services as audit
from app.audit.services import SYSTEM
from app.db import write_tx
from app.panels.tables import PanelSeat
from app.reviews import bids, rubrics, services
from app.reviews.tables import Project, Review, ReviewStatus
from app.roster.tables import Expert

DEMO_PROJECT_CODE = "KM-GS-2026-01"

REVIEWS: list[dict[str, Any]] = [
    {"kind": "consultation", "title": "培训服务竞争性磋商（在线评分演示）", "size": "3", "reps": "1",
     "source": "finance_system", "category": "gov_service", "price_weight": "30",
     "bids": [("云南安培安全咨询有限公司", "", "356000"), ("昆明滇安职业培训学校", "", "342500"),
              ("云南众安技术服务有限公司", "", "371800")]},
    {"kind": "approval", "title": "立项评审（在线评分演示）", "size": "3", "reps": "0", "source": "own_library",
     "bids": [("昆明市社会保险局", "危险化学品企业工伤预防培训", "")]},
    {"kind": "acceptance", "title": "评估验收（在线评分演示）", "size": "3", "reps": "0", "source": "own_library",
     "bids": [("昆明滇安职业培训学校", "危险化学品企业工伤预防培训（验收）", "")]},
]


async def _accounts(password: Callable[[], str]) -> tuple[list[int], int, list[str]]:
    """(expert user ids in seat order, 采购人代表 user id, account lines) — zhuanjia already exists."""
    lines: list[str] = []
    first = await User.objects().where(User.username == "zhuanjia").first()
    linked = await Expert.select(Expert.id, Expert.employer).where(Expert.user == first.id).first()
    taken = {linked["employer"]}
    users = [first.id]
    for username in ("zhuanjia2", "zhuanjia3"):
        candidates = await Expert.objects().where((Expert.status == "active") & Expert.user.is_null()).order_by(
            Expert.id).limit(50)
        expert = next(e for e in candidates if e.employer not in taken)
        taken.add(expert.employer)
        secret = password()
        user = await create_user(username=username, display_name=expert.name, role="expert", password=secret,
                                 actor=SYSTEM)
        async with write_tx():
            await Expert.update({Expert.user: user.id}).where(Expert.id == expert.id)
            await audit.record(actor=SYSTEM, action="expert.account_linked", object_type="expert",
                               object_id=expert.id, new={"user_id": user.id})
        users.append(user.id)
        lines.append(f"{'expert':<11} {username:<10} {secret}")
    secret = password()
    rep = await create_user(username="daibiao", display_name="孙代表（采购人代表）", role="expert", password=secret,
                            actor=SYSTEM)
    lines.append(f"{'expert':<11} {'daibiao':<10} {secret}")
    return users, rep.id, lines


async def _seat(review: Review, seat_no: int, user_id: int, *, rep: bool) -> None:
    # A roster expert's seat names the expert only (their linked account acts for it); the
    # 采购人代表 has no roster row, so the seat carries their account (app/panels/members.py).
    expert = None if rep else await Expert.select(Expert.id).where(Expert.user == user_id).first()
    await PanelSeat.insert(PanelSeat(
        review=review.id, expert=expert["id"] if expert else None, user=user_id if rep else None,
        name="孙代表" if rep else "", org="昆明市社会保险局" if rep else "",
        role="purchaser_rep" if rep else "member", state="accepted", seat_no=seat_no,
        source="manual" if rep else ("import" if review.kind == "consultation" else "draw")))


async def load_scoring_demo(echo: Callable[[str], None], password: Callable[[], str]) -> list[str]:
    """Create the open demo reviews; returns the new accounts' lines for demo-accounts.txt."""
    staff = await User.objects().where(User.username == "jingban").first()
    project = await Project.objects().where(Project.code == DEMO_PROJECT_CODE).first()
    if staff is None or project is None:
        return []
    users, rep, lines = await _accounts(password)
    templates = {t["kind"]: t["id"] for t in await rubrics.list_templates(staff)}
    for spec in REVIEWS:
        review = await services.create_review(staff, project.id, kind=spec["kind"], title=spec["title"])
        await services.update_settings(staff, review.id, services.SettingsInput(
            version=str(review.version), title=spec["title"], location="昆明市社会保险局 3 楼会议室",
            scheduled_at="2026-12-01T09:00", panel_size=spec["size"], purchaser_reps=spec["reps"], alternates="0",
            max_per_org="1", invitation_hours="24", panel_source=spec["source"], category=spec.get("category", ""),
            price_weight=spec.get("price_weight", "")))
        await rubrics.apply_template(staff, review.id, templates[spec["kind"]])
        for supplier, title, quote in spec["bids"]:
            await bids.add_bid(staff, review.id, bids.BidInput(supplier_name=supplier, title=title,
                                                               final_quote=quote))
        review = await Review.objects().where(Review.id == review.id).first()
        async with write_tx():
            members = users[:2] if spec["reps"] == "1" else users
            for i, user_id in enumerate(members, 1):
                await _seat(review, i, user_id, rep=False)
            if spec["reps"] == "1":
                await _seat(review, len(members) + 1, rep, rep=True)
            await Review.update({Review.status: ReviewStatus.OPEN.value, Review.opened_at: dt.datetime.now(dt.UTC),
                                 Review.version: Review.version + 1}).where(Review.id == review.id)
            await audit.record(actor=SYSTEM, action="review.opened", object_type="review", object_id=review.id,
                               agency_id=review.agency, old={"status": review.status},
                               new={"status": ReviewStatus.OPEN.value, "source": "demo"})
    echo("  在线评分演示：磋商、立项评审、评估验收各 1 个已开始评审（专家 zhuanjia、zhuanjia2、zhuanjia3，"
         "采购人代表 daibiao）：/scoring")
    return lines
