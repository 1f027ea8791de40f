"""Reading mail in tests: the messages waiting in `outgoing_mail`, the link tokens in them,
and a real SMTP server (aiosmtpd) that collects what it receives."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.models.mail import OutgoingMail
from inkwell.users.mailing import mail_password_reset

LINK_TOKEN = re.compile(r"#token=([A-Za-z0-9_-]+)")


async def queued_mail(session: AsyncSession, to: str) -> list[OutgoingMail]:
    """Messages to `to` not sent yet, oldest first."""
    rows = await session.scalars(
        select(OutgoingMail).where(OutgoingMail.recipient == to).order_by(OutgoingMail.id)
    )
    return list(rows)


async def link_token(session: AsyncSession, to: str) -> str:
    """The token of the newest link mailed to `to` (read from the stored message)."""
    for mail in reversed(await queued_mail(session, to)):
        found = LINK_TOKEN.search(mail.text_body)
        if found:
            return found.group(1)
    raise AssertionError(f"no link was mailed to {to}")


async def run_reset_jobs(session: AsyncSession, settings: Settings) -> int:
    """Do what the worker does with the queued password reset requests of the session's
    transaction (API tests roll back, so no worker sees them); how many mailed a link."""
    jobs = await session.execute(
        text(
            "DELETE FROM procrastinate_jobs WHERE task_name = 'inkwell:send_password_reset' "
            "RETURNING args->>'email' AS email"
        )
    )
    sent = 0
    for email in list(jobs.scalars()):
        sent += await mail_password_reset(session, settings, email=email)
    return sent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    """What an SMTP server received; `refuse` answers the next that many messages 451,
    `reject` every message 550."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: int = 0
    reject: bool = False  # answer every message 550 (refused for good)
    tries: int = 0

    async def handle_DATA(  # noqa: N802 (aiosmtpd's name)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        del server, session  # aiosmtpd passes them; the envelope has the message
        self.tries += 1
        if self.reject:
            return "550 5.1.1 no such mailbox"
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on a free local port, running in its own thread."""
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The text and the HTML part of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())
