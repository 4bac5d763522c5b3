"""Lockout that cannot be raced, and password re-checks that count toward it (issue 12, findings 3 and 4)."""

from __future__ import annotations

import asyncio
import datetime as dt

from app.accounts.lockout import recheck_password
from app.accounts.services import authenticate
from app.accounts.tables import User
from app.audit.tables import AuditRecord
from app.scoresheets.tables import Signature
from tests.app.helpers import PASSWORD, post_form, sign_in
from tests.app.test_scoresheets_fixtures import (
    CODES,
    CONSULTATION_BIDS,
    CONSULTATION_CRITERIA,
    CONSULTATION_SCORES,
    form_values,
    make_panel,
    open_and_declare,
    submit,
)

WRONG = "Wrong-Passw0rd!"


async def _user(username: str) -> User:
    return await User.objects().where(User.username == username).first()


async def test_25_concurrent_wrong_passwords_lock_after_5(world):
    # 25 guesses at once from 25 addresses: the database hands out exactly 5 tries.
    results = await asyncio.gather(*[authenticate("expert1", WRONG, ip=f"10.0.0.{i}") for i in range(25)])
    counted = [r.message for r in results if "用户名或密码错误" in r.message or "已锁定 15 分钟" in r.message]
    refused = [r.message for r in results if "已被锁定" in r.message]
    assert len(counted) == 5 and len(refused) == 20
    assert all(r.user is None for r in results)
    user = await _user("expert1")
    assert user.locked_until is not None and user.locked_until > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=14)
    failures = await AuditRecord.count().where(AuditRecord.action == "account.sign_in_failed")
    locks = await AuditRecord.count().where(AuditRecord.action == "account.locked")
    assert (failures, locks) == (4, 1)
    # The right password is refused while locked: no guess after the fifth is ever checked.
    late = await authenticate("expert1", PASSWORD, ip="10.0.1.1")
    assert late.user is None and "已被锁定" in late.message


async def test_change_password_rechecks_count_and_lock(signed_in, world):
    client = await signed_in("agency")
    for i in range(4):
        response = await post_form(client, "/account/password", {"current": WRONG, "new": "New-Passw0rd!x",
                                                                  "repeat": "New-Passw0rd!x"})
        assert response.status_code == 400 and f"再错 {4 - i} 次" in response.text, response.text
    fifth = await post_form(client, "/account/password", {"current": WRONG, "new": "New-Passw0rd!x",
                                                          "repeat": "New-Passw0rd!x"})
    assert fifth.status_code == 400 and "已被锁定" in fifth.text
    # Now even the right current password is refused, and so is signing in elsewhere.
    right = await post_form(client, "/account/password", {"current": PASSWORD, "new": "New-Passw0rd!x",
                                                          "repeat": "New-Passw0rd!x"})
    assert right.status_code == 400 and "已被锁定" in right.text
    user = await _user("agency1")
    assert user.locked_until is not None
    assert await AuditRecord.count().where(AuditRecord.action == "account.password_recheck_failed") == 4
    assert await AuditRecord.exists().where(AuditRecord.action == "account.locked")
    assert not await AuditRecord.exists().where(AuditRecord.action == "account.password_changed")


async def test_recheck_and_sign_in_share_one_counter(client, world):
    expert = await _user("expert1")
    for _ in range(3):
        assert (await sign_in(client, "expert1", WRONG)).status_code == 400
    message = await recheck_password(expert, WRONG, wrong="密码不正确", purpose="test")
    assert message == "密码不正确（再错 1 次账户将被锁定）"
    last = await recheck_password(expert, WRONG, wrong="密码不正确", purpose="test")
    assert last is not None and "已被锁定" in last
    refused = await sign_in(client, "expert1", PASSWORD)
    assert refused.status_code == 400 and "已被锁定" in refused.text


async def test_right_recheck_gives_the_tries_back(world):
    expert = await _user("expert1")
    for _ in range(4):
        assert await recheck_password(expert, WRONG, wrong="x", purpose="test")
    assert await recheck_password(expert, PASSWORD, wrong="x", purpose="test") is None
    assert (await _user("expert1")).failed_logins == 0


async def test_sheet_submission_and_signing_count_toward_lockout(world, signed_in):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    client = await signed_in("ex1")
    sheet_id = await open_and_declare(client, panel)
    values = form_values(panel, CONSULTATION_SCORES[1], CODES)
    for i in range(4):
        response = await submit(client, sheet_id, values, password=WRONG)
        assert response.status_code == 400 and f"再错 {4 - i} 次" in response.text, response.text
    fifth = await submit(client, sheet_id, values, password=WRONG)
    assert fifth.status_code == 400 and "已被锁定" in fifth.text
    # Locked: the right password no longer signs the sheet.
    right = await submit(client, sheet_id, values, password=PASSWORD)
    assert right.status_code == 400 and "已被锁定" in right.text
    sign = await post_form(client, f"/scoring/reviews/{panel.review_id}/signature",
                           {"agree": "yes", "password": PASSWORD})
    assert sign.status_code == 400 and not await Signature.exists().where(Signature.review == panel.review_id)
    assert (await _user("ex1")).locked_until is not None
    rechecks = await AuditRecord.select(AuditRecord.new_values).where(
        AuditRecord.action == "account.password_recheck_failed")
    assert len(rechecks) == 4 and all("scoresheet.submit" in r["new_values"] for r in rechecks)
