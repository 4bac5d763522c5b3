"""Sign-in accounts for seats of people outside the roster: 采购人代表 and names imported from the
财政 library (席位登录账户).

A roster expert's account is kept on the expert (roster page, app/roster/accounts.py); these
people have no roster row, so their seat carries the account in `PanelSeat.user`. The 经办人
creates one (role 评审专家, a generated initial password shown once) or links an existing
评审专家 account, and may unlink it; the member check (app/panels/members.py) reads the seat at
the moment of each request, so a change applies at once. Every change is audited on the seat.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from litestar.exceptions import NotFoundException

from app.accounts.passwords import password_problems
from app.accounts.services import AccountError, create_user
from app.accounts.tables import Role, User
from app.audit import services as audit
from app.db import write_tx
from app.panels.members import double_seat
from app.panels.seats import PanelError
from app.panels.tables import ROLE_LABELS, PanelSeat, SeatState
from app.reviews.services import get_review
from app.reviews.state import Change, ensure_may_change
from app.reviews.tables import Review, ReviewStatus

#: Accounts change while the panel is being formed or is scoring; afterwards the record stands.
CHANGEABLE = (ReviewStatus.DRAFT.value, ReviewStatus.OPEN.value)
#: Letters and digits a person can read out over the phone: no 0/O/o, 1/l/I (≈ 81 bits in 14 characters).
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0Oo1lI")


def initial_password() -> str:
    """A random initial password that passes the password policy (shown once, never stored in clear)."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(14))
        if not password_problems(candidate):
            return candidate


async def _seat(actor: Any, review_id: int, seat_id: int) -> tuple[Review, dict[str, Any]]:
    """The seat on this review (404 otherwise, or for another agency's review), checked for an account change."""
    review = await get_review(actor, review_id)
    seat = await PanelSeat.select().where((PanelSeat.id == seat_id) & (PanelSeat.review == review.id)).first()
    if seat is None:
        raise NotFoundException("席位不存在")
    who = seat["name"] or f"席位 {seat['id']}"
    if seat["expert"] is not None:
        raise PanelError({"account": "该席位是专家库中的专家：请在专家库该专家的详情页开通或关联登录账户"})
    if seat["state"] != SeatState.ACCEPTED.value:
        raise PanelError({"account": f"{ROLE_LABELS[seat['role']]}“{who}”的席位已不在小组中，不能开通账户"})
    if review.status not in CHANGEABLE:
        raise PanelError({"account": "评审已结束，席位的登录账户不能再更改"}, 409)
    return review, seat


async def _username(user_id: int | None) -> str:
    if user_id is None:
        return ""
    row = await User.select(User.username).where(User.id == user_id).first()
    return row["username"] if row else str(user_id)


async def _claim(actor: Any, review: Review, seat: dict[str, Any], user_id: int, username: str,
                 action: str) -> None:
    """Set the seat's account inside the caller's write transaction, re-checking the seat first."""
    await ensure_may_change(review.id, Change.PANEL)
    if clash := await double_seat(user_id, seat_id=seat["id"]):
        raise PanelError({"account": f"账户“{username}”已在评审“{clash}”中有席位，同一人不能占两个席位"})
    updated = await PanelSeat.update({PanelSeat.user: user_id, PanelSeat.version: PanelSeat.version + 1}).where(
        (PanelSeat.id == seat["id"]) & PanelSeat.user.is_null() & PanelSeat.expert.is_null()).returning(PanelSeat.id)
    if not updated:
        raise PanelError({"account": "该席位已有登录账户（可能刚被他人开通），请刷新页面后先解除关联"}, 409)
    await audit.record(actor=actor, action=action, object_type="panel_seat", object_id=seat["id"],
                       agency_id=review.agency, old={"user_id": None},
                       new={"user_id": user_id, "username": username, "review_id": review.id,
                            "name": seat["name"], "role": seat["role"]})


def _refuse_if_linked(seat: dict[str, Any], username: str) -> None:
    if seat["user"] is not None:
        raise PanelError({"account": f"该席位已关联登录账户“{username}”，请先解除关联"})


async def create_seat_account(actor: Any, review_id: int, seat_id: int, username: str) -> dict[str, str]:
    """开通登录账户 — a new 评审专家 account for this seat; returns username and the initial password."""
    review, seat = await _seat(actor, review_id, seat_id)
    _refuse_if_linked(seat, await _username(seat["user"]))
    username = username.strip()
    if not username:
        raise PanelError({"account_username": "请填写要开通的用户名（字母、数字、下划线或点）"})
    password = initial_password()
    async with write_tx():
        try:
            user = await create_user(username=username, display_name=seat["name"] or username,
                                     role=Role.EXPERT.value, password=password, actor=actor)
        except AccountError as exc:
            raise PanelError({"account_username": "；".join(exc.errors.values())}) from None
        await _claim(actor, review, seat, user.id, user.username, "panel.seat_account_created")
    return {"username": user.username, "password": password, "name": seat["name"]}


async def link_seat_account(actor: Any, review_id: int, seat_id: int, username: str) -> str:
    """关联已有账户 — an active 评审专家 account; returns its username."""
    review, seat = await _seat(actor, review_id, seat_id)
    _refuse_if_linked(seat, await _username(seat["user"]))
    username = username.strip()
    if not username:
        raise PanelError({"account_link": "请填写要关联的评审专家账户用户名"})
    async with write_tx():
        user = await User.select(User.id, User.username, User.role, User.is_active).where(
            User.username == username).first()
        if user is None:
            raise PanelError({"account_link": f"账户“{username}”不存在"})
        if user["role"] != Role.EXPERT.value:
            raise PanelError({"account_link": f"账户“{username}”不是评审专家账户，不能用于评审席位"})
        if not user["is_active"]:
            raise PanelError({"account_link": f"账户“{username}”已停用，请先由管理员启用"})
        await _claim(actor, review, seat, user["id"], user["username"], "panel.seat_account_linked")
    return user["username"]


async def unlink_seat_account(actor: Any, review_id: int, seat_id: int) -> str:
    """解除关联 — the account stays; it no longer acts for this seat. Returns the old username."""
    review, seat = await _seat(actor, review_id, seat_id)
    if seat["user"] is None:
        raise PanelError({"account": "该席位尚未关联登录账户"})
    username = await _username(seat["user"])
    async with write_tx():
        await ensure_may_change(review.id, Change.PANEL)
        updated = await PanelSeat.update({PanelSeat.user: None, PanelSeat.version: PanelSeat.version + 1}).where(
            (PanelSeat.id == seat["id"]) & (PanelSeat.user == seat["user"])).returning(PanelSeat.id)
        if not updated:
            raise PanelError({"account": "该席位的账户关联已被他人修改，请刷新页面"}, 409)
        await audit.record(actor=actor, action="panel.seat_account_unlinked", object_type="panel_seat",
                           object_id=seat["id"], agency_id=review.agency,
                           old={"user_id": seat["user"], "username": username},
                           new={"user_id": None, "review_id": review.id})
    return username
