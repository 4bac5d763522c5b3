"""Accounts: sign-in with lockout, user creation, password changes."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from app.accounts.lockout import SUCCESS_CHANGES, check_password, locked_message, recheck_password
from app.accounts.passwords import hash_password, password_problems, verify_password
from app.accounts.tables import AGENCY_ROLES, Agency, Role, User
from app.audit import services as audit
from app.db import write_tx
from app.settings import get_settings

log = logging.getLogger("pingshen.security")


class AccountError(ValueError):
    """A user-facing problem with account data; `errors` maps field → Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    message: str = ""


WRONG_CREDENTIALS = "用户名或密码错误"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def authenticate(username: str, password: str, *, ip: str = "", now: dt.datetime | None = None) -> SignInResult:
    """Check a sign-in against the account's allowance of tries (see `lockout`)."""
    settings = get_settings()
    now = now or _now()
    username = username.strip()
    user = await User.objects().where(User.username == username).first() if username else None
    if user is None or not user.is_active or not await _agency_active(user):
        verify_password(None, password)  # same cost as a real check
        log.warning("sign-in refused: unknown or inactive user %r from %s", username, ip)
        return SignInResult(None, WRONG_CREDENTIALS)
    attempt = await check_password(user, password, purpose="sign_in", ip=ip, now=now, settle=False)
    if not attempt.checked:
        return SignInResult(None, locked_message(attempt.locked_until or now, now))
    if not attempt.ok:
        if attempt.locked_until is not None:
            return SignInResult(
                None, f"连续 {settings.lockout_attempts} 次登录失败，账户已锁定 {settings.lockout_minutes} 分钟"
            )
        return SignInResult(None, f"{WRONG_CREDENTIALS}（再失败 {attempt.left} 次账户将被锁定）")
    async with write_tx():
        await User.update({**SUCCESS_CHANGES, User.last_login: now}).where(User.id == user.id)
        await audit.record(actor=user, action="account.signed_in", object_type="user", object_id=user.id,
                           new={"ip": ip}, now=now)
    await _recheck_conflicts_at_sign_in(user)
    return SignInResult(user)


async def _agency_active(user: User) -> bool:
    """停用机构的人员不能登录 — staff of a stopped agency are refused like a disabled account."""
    if user.agency is None:
        return True
    return await Agency.exists().where((Agency.id == user.agency) & Agency.is_active.eq(True))


async def _recheck_conflicts_at_sign_in(user: User) -> None:
    """An expert signing in gets their open seats re-checked for 回避; never blocks the sign-in."""
    if user.role != Role.EXPERT.value:
        return
    try:
        from app.conflicts.recheck import recheck_expert_at_sign_in  # lazy: accounts imports no other area

        await recheck_expert_at_sign_in(user)
    except Exception:
        log.exception("回避 re-check at sign-in failed for %s; sign-in continues", user.username)


async def sign_out(user: User) -> None:
    await audit.record(actor=user, action="account.signed_out", object_type="user", object_id=user.id)


async def create_agency(name: str, region: str, *, actor: object = None) -> Agency:
    name, region = name.strip(), region.strip()
    errors = {}
    if not name:
        errors["name"] = "机构名称不能为空"
    if not region:
        errors["region"] = "所属州（市）不能为空"
    if errors:
        raise AccountError(errors)
    async with write_tx():
        if await Agency.exists().where(Agency.name == name):
            raise AccountError({"name": f"机构“{name}”已存在"})
        agency = Agency(name=name, region=region)
        await agency.save()
        await audit.record(actor=actor, action="agency.created", object_type="agency", object_id=agency.id,
                           new={"name": name, "region": region})
    return agency


async def create_user(
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    agency_id: int | None = None,
    email: str = "",
    actor: object = None,
) -> User:
    """Validate and create a user; every problem is reported at once, keyed by field."""
    username, display_name = username.strip(), display_name.strip()
    errors: dict[str, str] = {}
    if not username or len(username) > 50 or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "用户名须为 1–50 位字母、数字、下划线或点"
    if not display_name or len(display_name) > 50:
        errors["display_name"] = "姓名不能为空，且不超过 50 个字符"
    if role not in {r.value for r in Role}:
        errors["role"] = f"未知角色：{role}"
    elif role in AGENCY_ROLES and agency_id is None:
        errors["agency"] = "经办人和监督人必须属于一个机构"
    if problems := password_problems(password, username):
        errors["password"] = "；".join(problems)
    if errors:
        raise AccountError(errors)
    async with write_tx():
        if await User.exists().where(User.username == username):
            raise AccountError({"username": f"用户名“{username}”已被使用"})
        if agency_id is not None and not await Agency.exists().where(Agency.id == agency_id):
            raise AccountError({"agency": f"机构 {agency_id} 不存在"})
        user = User(
            username=username, display_name=display_name, role=role, agency=agency_id,
            password_hash=hash_password(password), email=email.strip(),
        )
        await user.save()
        await audit.record(
            actor=actor, action="user.created", object_type="user", object_id=user.id, agency_id=agency_id,
            new={"username": username, "display_name": display_name, "role": role, "agency_id": agency_id},
        )
    return user


async def change_password(user: User, current: str, new: str, repeat: str) -> None:
    errors: dict[str, str] = {}
    if refusal := await recheck_password(user, current, wrong="当前密码不正确", purpose="change_password"):
        errors["current"] = refusal
    if new != repeat:
        errors["repeat"] = "两次输入的新密码不一致"
    if problems := password_problems(new, user.username):
        errors["new"] = "；".join(problems)
    if errors:
        raise AccountError(errors)
    async with write_tx():
        await User.update({User.password_hash: hash_password(new), User.must_change_password: False}).where(
            User.id == user.id)
        await audit.record(actor=user, action="account.password_changed", object_type="user", object_id=user.id)


async def list_users() -> list[dict]:
    return (
        await User.select(
            User.id, User.username, User.display_name, User.role, User.agency.name.as_alias("agency_name"),
            User.agency.is_active.as_alias("agency_active"),
            User.is_active, User.locked_until, User.last_login,
        ).order_by(User.role).order_by(User.username)
    )


async def list_agencies() -> list[dict]:
    return await Agency.select().order_by(Agency.region).order_by(Agency.name)
