"""Deferring a message: stored and queued in the caller's transaction, sent by a job."""

from __future__ import annotations

import uuid
from email.utils import make_msgid, parseaddr

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.queue import SEND_EMAIL, JobQueue
from inkwell.mail.message import Message
from inkwell.mail.repository import MailRepository
from inkwell.models.mail import OutgoingMail


def sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


class MailQueue:
    """Messages sent after the caller's transaction commits, and never when it rolls back."""

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.mail = MailRepository(session)
        self.jobs = JobQueue(session)
        self.settings = settings

    async def defer(self, message: Message) -> uuid.UUID:
        """Store the message and queue its `send_email` job, both in the session's transaction."""
        sender = self.settings.smtp_from
        mail = await self.mail.add(
            OutgoingMail(
                message_id=make_msgid(domain=sender_domain(sender)),
                sender=sender,
                recipient=message.to,
                subject=message.subject,
                text_body=message.text,
                html_body=message.html,
                headers=dict(message.headers),
            )
        )
        await self.jobs.defer(SEND_EMAIL, at=utcnow(), mail_id=str(mail.id))
        return mail.id
