"""E-mail: every message goes to the outbox table first (inside the caller's transaction), and is
delivered by SMTP after the commit when SMTP is configured. Without SMTP (development) the
outbox page shows what would have been sent.

Environment: PINGSHEN_SMTP_HOST (empty = development outbox only), PINGSHEN_SMTP_PORT (587),
PINGSHEN_SMTP_USER, PINGSHEN_SMTP_PASSWORD, PINGSHEN_SMTP_FROM, PINGSHEN_SMTP_SECURITY
(starttls | ssl | none), PINGSHEN_BASE_URL (links in e-mails, e.g. https://pingshen.example.cn).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from app.db import write_tx
from app.panels.tables import OutboxMessage
from app.settings import get_settings

log = logging.getLogger("pingshen.mail")
REDACTED = "（邮件已发送；正文含一次性答复链接，不在系统中留存。）"
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    security: str
    base_url: str

    @property
    def enabled(self) -> bool:
        return bool(self.host)


def mail_settings() -> MailSettings:
    env = os.environ.get
    settings = get_settings()
    return MailSettings(
        host=env("PINGSHEN_SMTP_HOST", "").strip(), port=int(env("PINGSHEN_SMTP_PORT", "587")),
        user=env("PINGSHEN_SMTP_USER", ""), password=env("PINGSHEN_SMTP_PASSWORD", ""),
        sender=env("PINGSHEN_SMTP_FROM", "pingshen@localhost"),
        security=env("PINGSHEN_SMTP_SECURITY", "starttls").strip().lower(),
        base_url=env("PINGSHEN_BASE_URL", f"http://{settings.host}:{settings.port}").rstrip("/"),
    )


async def queue(*, to_address: str, to_name: str, subject: str, body: str, invitation_id: int | None = None) -> None:
    """Put one message in the outbox; call inside the write transaction of the change it reports."""
    await OutboxMessage.insert(OutboxMessage(
        to_address=to_address, to_name=to_name, subject=subject, body=body, invitation=invitation_id,
        error="" if to_address else "收件人没有登记电子邮箱"))


def _send(settings: MailSettings, message: EmailMessage) -> None:
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=20,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=20)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.user:
            client.login(settings.user, settings.password)
        client.send_message(message)


async def deliver_pending(settings: MailSettings | None = None) -> int:
    """Send what is waiting (outside any transaction: network calls never hold the write lock)."""
    settings = settings or mail_settings()
    if not settings.enabled:
        return 0
    rows: list[dict[str, Any]] = await OutboxMessage.select().where(
        OutboxMessage.sent_at.is_null() & (OutboxMessage.to_address != "")
        & (OutboxMessage.attempts < MAX_ATTEMPTS)).order_by(OutboxMessage.id)
    sent = 0
    for row in rows:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.sender, row["to_address"], row["subject"]
        message.set_content(row["body"])
        try:
            await asyncio.to_thread(_send, settings, message)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail %s to %s failed: %s", row["id"], row["to_address"], exc)
            async with write_tx():
                await OutboxMessage.update({OutboxMessage.attempts: row["attempts"] + 1,
                                            OutboxMessage.error: str(exc)[:300]}).where(OutboxMessage.id == row["id"])
            continue
        async with write_tx():
            await OutboxMessage.update({OutboxMessage.sent_at: dt.datetime.now(dt.UTC), OutboxMessage.body: REDACTED,
                                        OutboxMessage.attempts: row["attempts"] + 1, OutboxMessage.error: ""}).where(
                OutboxMessage.id == row["id"])
        sent += 1
    return sent


async def list_outbox(limit: int = 200) -> list[dict[str, Any]]:
    return await OutboxMessage.select().order_by(OutboxMessage.id, ascending=False).limit(limit)
