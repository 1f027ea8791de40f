"""Sending a stored message: one try, outside any transaction, then its outcome recorded."""

from __future__ import annotations

import logging
import uuid

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.mail.message import Message, compose
from inkwell.mail.repository import MailRepository
from inkwell.mail.transport import Mailer
from inkwell.models.mail import OutgoingMail

log = logging.getLogger("inkwell.mail")
ERROR_CHARS = 500


def _message(mail: OutgoingMail) -> Message:
    return Message(
        to=mail.recipient,
        subject=mail.subject,
        text=mail.text_body,
        html=mail.html_body,
        headers=mail.headers,
    )


def refused_for_good(error: Exception) -> bool:
    """Did the receiving server refuse this message permanently (5xx for the recipient or
    the content)? Trying again would be refused again. A 5xx for the sender or the login is
    the operator's to fix, so those are retried like temporary failures."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(r.code >= 500 for r in error.recipients)
    if isinstance(error, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return error.code >= 500
    return False


async def send_stored(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, mail_id: uuid.UUID
) -> bool:
    """Send a stored message and delete it; False when it is gone (sent already) or was
    refused for good.

    A temporary failure is recorded on the row and raised again, so the job is retried
    later; a retry sends the same message (same Message-ID and Date). A permanent refusal
    (5xx) is recorded (`failed_at`) and not raised: the message is kept until pruning and
    never tried again.
    """
    async with unit_of_work(sessionmaker) as session:
        mail = await MailRepository(session).get(mail_id)
    if mail is None or mail.failed_at is not None:
        return False
    message = compose(
        _message(mail), sender=mail.sender, message_id=mail.message_id, date=mail.created_at
    )
    try:
        await Mailer(settings).send(message)
    except Exception as error:
        permanent = refused_for_good(error)
        async with unit_of_work(sessionmaker) as session:
            await MailRepository(session).record_failure(
                mail_id, repr(error)[:ERROR_CHARS], permanent=permanent
            )
        if permanent:
            log.warning("mail %s refused for good, not tried again: %r", mail_id, error)
            return False
        log.warning("mail %s not sent (try %s): %r", mail_id, mail.attempts + 1, error)
        raise
    async with unit_of_work(sessionmaker) as session:
        await MailRepository(session).delete(mail_id)
    return True
