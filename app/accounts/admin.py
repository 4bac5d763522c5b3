"""用户与机构管理 — what an administrator changes on people: edit, disable, reset, rename.

Every change is checked inside the write transaction that makes it and is audited with the
old and new values (never a password or its hash).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from app.accounts.passwords import hash_password, password_problems
from app.accounts.services import AccountError
from app.accounts.tables import AGENCY_ROLES, ROLE_LABELS, Agency, Role, User
from app.audit import services as audit
from app.db import write_tx

_ALPHABET = string.ascii_letters + string.digits
# Ambiguous characters make a password read out over the phone go wrong.
_READABLE = "".join(c for c in _ALPHABET if c not in "0O1lI")


def temporary_password() -> str:
    """A random temporary password (shown once to the administrator, never stored in clear)."""
    while True:
        candidate = "".join(secrets.choice(_READABLE) for _ in range(10)) + "-" + secrets.choice("23456789")
        if not password_problems(candidate):
            return candidate


async def _user(user_id: int) -> User:
    user = await User.objects().where(User.id == user_id).first()
    if user is None:
        raise AccountError({"user": f"用户 {user_id} 不存在"})
    return user


async def _seats_held(user_id: int) -> list[str]:
    """Where this account is someone's sign-in: roster experts and seats outside the roster."""
    # Lazy imports: accounts does not depend on other areas at import time.
    from app.panels.tables import PanelSeat
    from app.roster.tables import Expert

    held = [f"专家库专家“{r['name']}”" for r in await Expert.select(Expert.name).where(Expert.user == user_id)]
    seats = await PanelSeat.select(PanelSeat.id).where(PanelSeat.user == user_id)
    held += [f"评审席位 #{r['id']}" for r in seats]
    return held


async def update_user(actor: Any, user_id: int, *, display_name: str, email: str, role: str,
                      agency_id: int | None) -> User:
    """编辑用户 — name, email, role, agency.

    Staff (经办人/监督人) must belong to an agency. An account that is a roster expert's or a
    seat's sign-in keeps the role 评审专家 until it is unlinked there, so seats never point at
    an account that cannot score.
    """
    display_name, email = display_name.strip(), email.strip()
    errors: dict[str, str] = {}
    if not display_name or len(display_name) > 50:
        errors["display_name"] = "姓名不能为空，且不超过 50 个字符"
    if len(email) > 100 or (email and "@" not in email):
        errors["email"] = "电子邮箱格式不正确"
    if role not in ROLE_LABELS:
        errors["role"] = f"未知角色：{role}"
    elif role in AGENCY_ROLES and agency_id is None:
        errors["agency"] = "经办人和监督人必须属于一个机构"
    if errors:
        raise AccountError(errors)
    async with write_tx():
        user = await _user(user_id)
        if user.id == getattr(actor, "id", None) and role != user.role:
            raise AccountError({"role": "不能修改自己的角色"})
        if user.role == Role.EXPERT.value and role != Role.EXPERT.value and (held := await _seats_held(user.id)):
            raise AccountError({"role": f"该账户是{'、'.join(held)}的登录账户，须先在专家库或评审小组页面解除关联，"
                                        "才能改为其他角色"})
        if agency_id is not None and not await Agency.exists().where(Agency.id == agency_id):
            raise AccountError({"agency": f"机构 {agency_id} 不存在"})
        old = {"display_name": user.display_name, "email": user.email, "role": user.role, "agency_id": user.agency}
        new = {"display_name": display_name, "email": email, "role": role, "agency_id": agency_id}
        if old == new:
            return user
        await User.update({User.display_name: display_name, User.email: email, User.role: role,
                           User.agency: agency_id}).where(User.id == user.id)
        changed = {k for k in new if new[k] != old[k]}
        await audit.record(actor=actor, action="user.updated", object_type="user", object_id=user.id,
                           agency_id=agency_id, old={k: old[k] for k in changed}, new={k: new[k] for k in changed})
    return await _user(user_id)


async def set_user_active(actor: Any, user_id: int, active: bool) -> User:
    """停用 / 启用. A disabled account cannot sign in, and its open sessions stop at the next request."""
    async with write_tx():
        user = await _user(user_id)
        if not active and user.id == getattr(actor, "id", None):
            raise AccountError({"user": "不能停用自己的账户"})
        if user.is_active == active:
            raise AccountError({"user": f"账户“{user.username}”已经是{'启用' if active else '停用'}状态"})
        await User.update({User.is_active: active}).where(User.id == user.id)
        await audit.record(actor=actor, action="user.enabled" if active else "user.disabled", object_type="user",
                           object_id=user.id, agency_id=user.agency,
                           old={"is_active": user.is_active}, new={"is_active": active})
    return user


async def reset_password(actor: Any, user_id: int) -> tuple[User, str]:
    """重置密码 — a temporary password shown once; the next sign-in must change it.

    Also lifts a lockout (连续登录失败锁定): the administrator has just checked who is asking.
    """
    password = temporary_password()
    async with write_tx():
        user = await _user(user_id)
        if user.id == getattr(actor, "id", None):
            raise AccountError({"user": "不能重置自己的密码，请在“修改密码”页面修改"})
        await User.update({User.password_hash: hash_password(password), User.must_change_password: True,
                           User.failed_logins: 0, User.locked_until: None}).where(User.id == user.id)
        await audit.record(actor=actor, action="user.password_reset", object_type="user", object_id=user.id,
                           agency_id=user.agency,
                           old={"locked_until": user.locked_until.isoformat() if user.locked_until else None},
                           new={"must_change_password": True, "locked_until": None})
    return user, password


async def rename_agency(actor: Any, agency_id: int, name: str, region: str) -> Agency:
    """机构改名 — records keep pointing at the same agency; only its name changes."""
    name, region = name.strip(), region.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = "机构名称不能为空，且不超过 100 个字符"
    if not region or len(region) > 50:
        errors["region"] = "所属州（市）不能为空，且不超过 50 个字符"
    if errors:
        raise AccountError(errors)
    async with write_tx():
        agency = await Agency.objects().where(Agency.id == agency_id).first()
        if agency is None:
            raise AccountError({"agency": f"机构 {agency_id} 不存在"})
        if await Agency.exists().where((Agency.name == name) & (Agency.id != agency_id)):
            raise AccountError({"name": f"机构“{name}”已存在"})
        if (agency.name, agency.region) == (name, region):
            return agency
        await Agency.update({Agency.name: name, Agency.region: region}).where(Agency.id == agency_id)
        await audit.record(actor=actor, action="agency.renamed", object_type="agency", object_id=agency_id,
                           agency_id=agency_id, old={"name": agency.name, "region": agency.region},
                           new={"name": name, "region": region})
    return agency


async def set_agency_active(actor: Any, agency_id: int, active: bool) -> Agency:
    """停用 / 启用机构. Its staff cannot sign in or act while it is stopped; every record stays."""
    async with write_tx():
        agency = await Agency.objects().where(Agency.id == agency_id).first()
        if agency is None:
            raise AccountError({"agency": f"机构 {agency_id} 不存在"})
        if agency.is_active == active:
            raise AccountError({"agency": f"机构“{agency.name}”已经是{'启用' if active else '停用'}状态"})
        await Agency.update({Agency.is_active: active}).where(Agency.id == agency_id)
        await audit.record(actor=actor, action="agency.enabled" if active else "agency.disabled",
                           object_type="agency", object_id=agency_id, agency_id=agency_id,
                           old={"is_active": agency.is_active}, new={"is_active": active})
    return agency


async def agency_is_active(agency_id: int | None) -> bool:
    if agency_id is None:
        return True
    row = await Agency.select(Agency.is_active).where(Agency.id == agency_id).first()
    return bool(row and row["is_active"])
