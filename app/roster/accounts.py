"""专家登录账户 — an expert record and the sign-in account of that expert (Expert.user).

Agency staff and administrators create an account for an expert (role 评审专家) or link an
existing unlinked expert account, and unlink it. One account per expert, one expert per account;
each change is audited on the expert (it shows in the expert's 修改记录).

The expert's panel seats follow the link at once: membership is resolved from Expert.user at
the moment of each check (app/panels/members.py), so linking, unlinking or re-linking during a
review moves the seats, sheets and signatures to the new account and shuts the old one out.
"""

from __future__ import annotations

from typing import Any

from app.accounts.passwords import password_problems
from app.accounts.services import AccountError, create_user
from app.accounts.tables import Role, User
from app.audit import services as audit
from app.db import write_tx
from app.roster.services import RosterError
from app.roster.tables import Expert


async def _expert(expert_id: int) -> dict[str, Any]:
    row = await Expert.select(Expert.id, Expert.name, Expert.email, Expert.user).where(Expert.id == expert_id).first()
    if row is None:
        raise RosterError({"expert": f"专家 {expert_id} 不存在"})
    return row


async def _username(user_id: int | None) -> str:
    if user_id is None:
        return ""
    row = await User.select(User.username).where(User.id == user_id).first()
    return row["username"] if row else str(user_id)


async def linked_account(expert_id: int) -> dict[str, Any] | None:
    """The account linked to this expert (username, status, last sign-in), or None."""
    row = await Expert.select(Expert.user).where(Expert.id == expert_id).first()
    if row is None or row["user"] is None:
        return None
    return await User.select(User.id, User.username, User.display_name, User.is_active, User.locked_until,
                             User.last_login).where(User.id == row["user"]).first()


async def unlinked_expert_accounts() -> list[dict[str, Any]]:
    """Active accounts of role 评审专家 that no expert record uses yet, for the link form."""
    taken = {r["user"] for r in await Expert.select(Expert.user).where(Expert.user.is_not_null())}
    rows = await User.select(User.id, User.username, User.display_name).where(
        (User.role == Role.EXPERT.value) & (User.is_active == True)).order_by(User.username)  # noqa: E712
    return [r for r in rows if r["id"] not in taken]


async def _claim(actor: Any, expert: dict[str, Any], user_id: int, username: str, action: str) -> None:
    """Set Expert.user inside the caller's write transaction, re-checking both sides first."""
    holder = await Expert.select(Expert.id, Expert.name).where(
        (Expert.user == user_id) & (Expert.id != expert["id"])).first()
    if holder is not None:
        raise RosterError({"username": f"账户“{username}”已关联专家“{holder['name']}”（编号 {holder['id']}），"
                                       "一个账户只能关联一名专家"})
    # A person outside the roster may already sit on a panel with this account (采购人代表,
    # imported name): linking it to an expert on the same panel would give one person two seats.
    from app.panels.members import double_seat

    if clash := await double_seat(user_id, expert_id=expert["id"]):
        raise RosterError({"username": f"账户“{username}”已在评审“{clash}”中另有席位，与该专家的席位重复，"
                                       "同一人不能占两个席位"})
    updated = await Expert.update({Expert.user: user_id}).where(
        (Expert.id == expert["id"]) & Expert.user.is_null()).returning(Expert.id)
    if not updated:
        current = await Expert.select(Expert.user).where(Expert.id == expert["id"]).first()
        raise RosterError({"username": f"该专家已关联登录账户“{await _username(current['user'])}”，"
                                       "一名专家只能有一个账户，请先解除关联"})
    await audit.record(actor=actor, action=action, object_type="expert", object_id=expert["id"],
                       old={"user_id": None}, new={"user_id": user_id, "username": username})


def _refuse_if_linked(expert: dict[str, Any], username: str) -> None:
    if expert["user"] is not None:
        raise RosterError({"username": f"该专家已关联登录账户“{username}”，一名专家只能有一个账户，请先解除关联"})


async def create_account(actor: Any, expert_id: int, *, username: str, password: str, repeat: str) -> int:
    """Create a 评审专家 account for the expert and link it; returns the user id. All or nothing."""
    expert = await _expert(expert_id)
    _refuse_if_linked(expert, await _username(expert["user"]))
    errors: dict[str, str] = {}
    if problems := password_problems(password, username.strip()):
        errors["password"] = "；".join(problems)
    if password != repeat:
        errors["repeat"] = "两次输入的密码不一致"
    if errors:
        raise RosterError(errors)
    async with write_tx():
        try:
            user = await create_user(username=username, display_name=expert["name"], role=Role.EXPERT.value,
                                     password=password, email=expert["email"] or "", actor=actor)
        except AccountError as exc:
            raise RosterError(exc.errors) from None
        await _claim(actor, expert, user.id, user.username, "expert.account_created")
    return user.id


async def link_account(actor: Any, expert_id: int, username: str) -> int:
    """Link an existing, unlinked account of role 评审专家 to the expert; returns the user id."""
    expert = await _expert(expert_id)
    _refuse_if_linked(expert, await _username(expert["user"]))
    username = username.strip()
    if not username:
        raise RosterError({"username": "请选择或填写要关联的账户用户名"})
    async with write_tx():
        user = await User.select(User.id, User.username, User.role, User.is_active).where(
            User.username == username).first()
        if user is None:
            raise RosterError({"username": f"账户“{username}”不存在"})
        if user["role"] != Role.EXPERT.value:
            raise RosterError({"username": f"账户“{username}”不是评审专家账户，不能关联到专家"})
        if not user["is_active"]:
            raise RosterError({"username": f"账户“{username}”已停用，请先由管理员启用"})
        await _claim(actor, expert, user["id"], user["username"], "expert.account_linked")
    return user["id"]


async def unlink_account(actor: Any, expert_id: int) -> None:
    """解除关联 — the account stays (and may be linked again); the expert has no sign-in until relinked."""
    expert = await _expert(expert_id)
    if expert["user"] is None:
        raise RosterError({"unlink": "该专家尚未关联登录账户"})
    async with write_tx():
        updated = await Expert.update({Expert.user: None}).where(
            (Expert.id == expert_id) & (Expert.user == expert["user"])).returning(Expert.id)
        if not updated:
            raise RosterError({"unlink": "该专家的账户关联已被他人修改，请刷新页面"})
        await audit.record(actor=actor, action="expert.account_unlinked", object_type="expert", object_id=expert_id,
                           old={"user_id": expert["user"], "username": await _username(expert["user"])},
                           new={"user_id": None})
