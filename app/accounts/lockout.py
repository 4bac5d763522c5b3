"""连续登录失败锁定 — one allowance of password tries per account, for sign-in and every re-check.

A try is *taken* from the allowance before the password is checked, by one atomic
`UPDATE … SET failed_logins = failed_logins + 1 WHERE failed_logins < N AND not locked
RETURNING failed_logins`. Two requests can therefore never both see "4 failures so far": the
database hands out tries 1…N exactly once each, and the request that takes the last one
locks the account in the same transaction, before it has even checked the password. So
however many guesses arrive at once, from however many addresses or worker processes, at
most N are checked; the rest are refused without touching Argon2.

The verdict then settles the try: a right password gives the allowance back (counter to 0,
and lifts the lock this very try set), a wrong one is written to the audit trail. A process
that dies between the two leaves the try counted — never an extra guess.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from app.accounts.passwords import verify_password
from app.accounts.tables import User
from app.audit import services as audit
from app.db import engine, write_tx
from app.settings import get_settings

log = logging.getLogger("pingshen.security")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Attempt:
    """The outcome of one password check against the allowance."""

    ok: bool
    checked: bool = True
    """False when the account was locked and the password was not even looked at."""
    locked_until: dt.datetime | None = None
    """Set when the account is (now) locked: refused without a check, or this try was the last."""
    failures: int = 0
    """Tries used so far, counting this one (0 after a success)."""

    @property
    def left(self) -> int:
        return max(0, get_settings().lockout_attempts - self.failures)


def locked_message(until: dt.datetime, now: dt.datetime | None = None) -> str:
    minutes = max(1, int((until - (now or now_utc())).total_seconds() // 60) + 1)
    return f"账户因连续密码错误已被锁定，请约 {minutes} 分钟后再试，或联系管理员"


# A right password gives every try back and lifts a lock that a concurrent last try set: the
# same end state as if this check had come last.
SUCCESS_CHANGES = {User.failed_logins: 0, User.locked_until: None}


async def _take_try(user_id: int, now: dt.datetime) -> int | None:
    """Take one try; the number taken, or None when the account is locked or has none left."""
    settings = get_settings()
    async with write_tx():
        rows = await User.update({User.failed_logins: User.failed_logins + 1}).where(
            (User.id == user_id)
            & (User.failed_logins < settings.lockout_attempts)
            & (User.locked_until.is_null() | (User.locked_until <= now))
        ).returning(User.failed_logins)
        if not rows:
            return None
        taken = int(rows[0]["failed_logins"])
        if taken >= settings.lockout_attempts:
            # The last try locks at once: nobody may start another check while this one runs.
            await User.update({User.failed_logins: 0,
                               User.locked_until: now + dt.timedelta(minutes=settings.lockout_minutes)}).where(
                User.id == user_id)
    return taken


async def check_password(user: User, password: str, *, purpose: str, ip: str = "",
                         now: dt.datetime | None = None, settle: bool = True) -> Attempt:
    """Check `user`'s password against the shared allowance; failures and locks are audited.

    On success the allowance is given back here, or — `settle=False` — by the caller in its
    own write transaction with `SUCCESS_CHANGES` (sign-in does, to save a transaction).

    Must not run inside a write transaction: the count has to commit even when the caller
    then refuses (and rolls back) whatever the password was guarding.
    """
    if engine().transaction_exists():
        raise RuntimeError("check_password must run outside a transaction, or failed tries would roll back")
    settings = get_settings()
    now = now or now_utc()
    taken = await _take_try(user.id, now)
    if taken is None:
        row = await User.select(User.locked_until).where(User.id == user.id).first()
        until = row["locked_until"] if row and row["locked_until"] else now + dt.timedelta(minutes=1)
        log.warning("%s refused: %s is locked (from %s)", purpose, user.username, ip)
        return Attempt(False, checked=False, locked_until=until, failures=settings.lockout_attempts)
    last = taken >= settings.lockout_attempts
    if verify_password(user.password_hash, password):
        if settle:
            async with write_tx():
                await User.update(SUCCESS_CHANGES).where(User.id == user.id)
        return Attempt(True)
    async with write_tx():
        await audit.record(
            actor=user,
            action="account.locked" if last else ("account.sign_in_failed" if purpose == "sign_in"
                                                  else "account.password_recheck_failed"),
            object_type="user", object_id=user.id,
            old={"failed_logins": taken - 1}, new={"failed_logins": taken, "purpose": purpose, "ip": ip},
            now=now,
        )
    log.warning("%s: wrong password for %s from %s (%d in a row)", purpose, user.username, ip, taken)
    until = now + dt.timedelta(minutes=settings.lockout_minutes) if last else None
    return Attempt(False, locked_until=until, failures=taken)


async def recheck_password(user: object, password: str, *, wrong: str, purpose: str, ip: str = "") -> str | None:
    """再次输入密码确认 — for changing the password, submitting and signing score sheets.

    None when the password is right; otherwise the Chinese message to show: `wrong` plus how
    many tries are left, or that the account is locked (then nothing was checked at all).
    Every wrong answer counts toward the same lockout as signing in.
    """
    account = await User.objects().where(User.id == getattr(user, "id", None)).first()
    if account is None:
        return wrong
    attempt = await check_password(account, password, purpose=purpose, ip=ip)
    if attempt.ok:
        return None
    if not attempt.checked:
        return locked_message(attempt.locked_until or now_utc())
    if attempt.locked_until is not None:
        return f"{wrong}；{locked_message(attempt.locked_until)}"
    return f"{wrong}（再错 {attempt.left} 次账户将被锁定）"
