"""Messages from templates, sent to a real SMTP server or written to the data folder."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import aiosmtplib
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.mail.message import Message, compose, render
from inkwell.mail.repository import MailRepository
from inkwell.mail.service import MailQueue
from inkwell.mail.transport import Mailer
from inkwell.models.mail import OutgoingMail
from tests.mail.support import Inbox, free_port, parts

SENT_AT = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _hostile_message() -> Message:
    return render(
        "account/verify_email",
        to="ann@example.com",
        subject="Confirm your e-mail address",
        username='<b>ann</b> & "co"',
        link="https://app.example.com/verify-email#token=abc_DEF-123",
        hours=48,
    )


def _mime(message: Message) -> bytes:
    mime = compose(
        message, sender="Inkwell <no-reply@example.com>", message_id="<1@x>", date=SENT_AT
    )
    return mime.as_bytes()


def test_templates_escape_html_and_keep_the_text_as_written() -> None:
    message = _hostile_message()
    assert '<b>ann</b> & "co"' in message.text
    assert "&lt;b&gt;ann&lt;/b&gt; &amp; &#34;co&#34;" in message.html
    assert "<b>ann</b>" not in message.html
    for body in (message.text, message.html):
        assert "https://app.example.com/verify-email#token=abc_DEF-123" in body


async def test_smtp_delivers_both_parts_and_the_headers(settings: Settings, inbox: Inbox) -> None:
    smtp = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_tls": "none"}
    )
    sent = compose(
        _hostile_message(),
        sender="Inkwell <no-reply@example.com>",
        message_id="<one@example.com>",
        date=SENT_AT,
    )
    await Mailer(smtp).send(sent)

    [received] = inbox.messages
    assert inbox.envelopes == [("no-reply@example.com", ["ann@example.com"])]
    assert received["From"] == "Inkwell <no-reply@example.com>"
    assert received["To"] == "ann@example.com"
    assert received["Subject"] == "Confirm your e-mail address"
    assert received["Message-ID"] == "<one@example.com>"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Date"].datetime == SENT_AT
    assert received.get_content_type() == "multipart/alternative"
    text, html = parts(received)
    assert "#token=abc_DEF-123" in text
    assert 'href="https://app.example.com/verify-email#token=abc_DEF-123"' in html


async def test_an_unreachable_smtp_server_raises(settings: Settings) -> None:
    nowhere = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_tls": "none"}
    )
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await Mailer(nowhere).send(
            compose(_hostile_message(), sender="a@b.c", message_id="<2@x>", date=SENT_AT)
        )


async def test_without_an_smtp_host_mail_is_written_to_the_data_folder(
    settings: Settings, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    local = settings.model_copy(update={"data_dir": tmp_path, "smtp_host": None})
    mailer = Mailer(local)
    with caplog.at_level(logging.INFO, logger="inkwell.mail"):
        await mailer.send(
            compose(_hostile_message(), sender="a@b.c", message_id="<3@x.y>", date=SENT_AT)
        )

    [written] = list(mailer.folder.glob("*.eml"))
    assert mailer.folder == local.data_dir / "mail"
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == "<3@x.y>"
    assert str(written) in caplog.text
    assert "#token=" not in caplog.text  # the path is logged, not the link


def test_mail_is_delivered_only_with_an_smtp_host_unless_told(settings: Settings) -> None:
    assert not settings.delivers_mail
    assert settings.model_copy(update={"smtp_host": "mail.example.com"}).delivers_mail
    assert settings.model_copy(update={"mail_delivered": True}).delivers_mail
    told = {"smtp_host": "mail.example.com", "mail_delivered": False}
    assert not settings.model_copy(update=told).delivers_mail


async def test_pruning_deletes_messages_never_sent_past_their_retention(
    session: AsyncSession, settings: Settings
) -> None:
    queue = MailQueue(session, settings)
    old = await queue.defer(Message(to="a@example.com", subject="Old", text="t", html="<p>t</p>"))
    new = await queue.defer(Message(to="b@example.com", subject="New", text="t", html="<p>t</p>"))
    now = datetime.now(UTC)
    await session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == old)
        .values(created_at=now - timedelta(days=8))
    )

    assert await MailRepository(session).prune(now - timedelta(days=7)) == 1
    assert list(await session.scalars(select(OutgoingMail.id))) == [new]
