"""The send_email job in a real worker: a registration's mail reaches a real SMTP server, a
refused message is sent again (the same message), one refused for good is not, a message's
own headers travel with it, and a rolled-back request sends nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select, text

from inkwell.core.errors import Conflict
from inkwell.core.state import AppState
from inkwell.jobs.worker import InProcessWorker
from inkwell.mail.delivery import send_stored
from inkwell.mail.message import Message
from inkwell.mail.service import MailQueue
from inkwell.models.mail import OutgoingMail
from tests.conftest import api_client
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.mail.support import LINK_TOKEN, Inbox, parts

API = "/api/v1"


async def _eventually(check: Callable[[], Awaitable[bool] | bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        outcome = check()
        if outcome if isinstance(outcome, bool) else await outcome:
            return True
        await asyncio.sleep(0.05)
    return False


async def _stored(state: AppState) -> int:
    async with state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(OutgoingMail)) or 0)


async def _send_jobs(state: AppState) -> int:
    sql = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'inkwell:send_email'"
    async with state.sessionmaker() as session:
        return int(await session.scalar(text(sql)) or 0)


async def test_a_registration_mails_a_working_link_through_the_worker(
    mailing: AppState, inbox: Inbox
) -> None:
    account = {"email": "new@example.com", "username": "newbie", "password": DEFAULT_PASSWORD}
    async with api_client(mailing) as client:
        registered = await client.post(f"{API}/auth/register", json=account)
        assert registered.status_code == 202, registered.text
        worker = InProcessWorker(mailing.settings, mailing.sessionmaker)
        try:
            assert await _eventually(lambda: bool(inbox.to("new@example.com")), within=10)
        finally:
            await worker.stop()
        [message] = inbox.to("new@example.com")
        assert message["Subject"] == "Confirm your e-mail address"
        assert message["From"] == mailing.settings.smtp_from
        text_part, html_part = parts(message)
        token = LINK_TOKEN.search(text_part)
        assert token is not None
        assert f"#token={token.group(1)}" in html_part
        assert await _stored(mailing) == 0  # a sent message is not kept: it held a live link

        verified = await client.post(f"{API}/auth/verify-email", json={"token": token.group(1)})
        assert verified.status_code == 204, verified.text


async def test_a_refused_message_is_sent_again_with_the_same_id(
    mailing: AppState, inbox: Inbox
) -> None:
    inbox.refuse = 1
    async with mailing.sessionmaker() as session:
        queue = MailQueue(session, mailing.settings)
        await queue.defer(
            Message(to="ann@example.com", subject="Hello", text="Hi", html="<p>Hi</p>")
        )
        await session.commit()
    async with mailing.sessionmaker() as session:
        stored_id = await session.scalar(select(OutgoingMail.message_id))
    worker = InProcessWorker(mailing.settings, mailing.sessionmaker)
    try:
        assert await _eventually(lambda: bool(inbox.messages), within=15)
    finally:
        await worker.stop()
    assert inbox.tries == 2
    [message] = inbox.messages
    assert message["Message-ID"] == stored_id
    assert await _stored(mailing) == 0


async def test_a_rolled_back_request_sends_nothing(
    mailing: AppState, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    defer = MailQueue.defer

    async def defer_then_refuse(self: MailQueue, message: Message) -> object:
        await defer(self, message)
        raise Conflict("refused after the message was queued")

    monkeypatch.setattr(MailQueue, "defer", defer_then_refuse)
    account = {"email": "ann@example.com", "username": "ann", "password": DEFAULT_PASSWORD}
    async with api_client(mailing) as client:
        refused = await client.post(f"{API}/auth/register", json=account)
    assert refused.status_code == 409, refused.text
    assert (await _stored(mailing), await _send_jobs(mailing)) == (0, 0)
    worker = InProcessWorker(mailing.settings, mailing.sessionmaker)
    await asyncio.sleep(1.5)
    await worker.stop()
    assert inbox.tries == 0


async def test_a_password_reset_is_mailed_by_the_worker(mailing: AppState, inbox: Inbox) -> None:
    async with mailing.sessionmaker() as session:
        await create_user(session, username="ann", email="ann@example.com")
    async with api_client(mailing) as client:
        for email in ("ann@example.com", "nobody@example.com"):
            asked = await client.post(f"{API}/auth/password-reset", json={"email": email})
            assert asked.status_code == 202, asked.text
    worker = InProcessWorker(mailing.settings, mailing.sessionmaker)
    try:
        assert await _eventually(lambda: bool(inbox.messages), within=10)
        await asyncio.sleep(0.5)  # time for a second message, which must not come
    finally:
        await worker.stop()
    [message] = inbox.messages
    assert (message["To"], message["Subject"]) == ("ann@example.com", "Reset your password")
    assert LINK_TOKEN.search(parts(message)[0]) is not None


async def _queue(state: AppState, message: Message) -> OutgoingMail:
    async with state.sessionmaker() as session:
        mail_id = await MailQueue(session, state.settings).defer(message)
        await session.commit()
        stored = await session.get(OutgoingMail, mail_id)
        assert stored is not None
        return stored


async def test_a_message_refused_for_good_is_kept_as_failed_and_not_tried_again(
    mailing: AppState, inbox: Inbox
) -> None:
    inbox.reject = True
    hello = Message(to="gone@example.com", subject="Hello", text="Hi", html="<p>Hi</p>")
    stored = await _queue(mailing, hello)
    # The job's own call: no exception, so procrastinate does not retry it.
    assert await send_stored(mailing.sessionmaker, mailing.settings, stored.id) is False
    assert await send_stored(mailing.sessionmaker, mailing.settings, stored.id) is False
    assert inbox.tries == 1
    async with mailing.sessionmaker() as session:
        failed = await session.get(OutgoingMail, stored.id)
        assert failed is not None
        assert failed.failed_at is not None
        assert failed.attempts == 1
        assert "550" in (failed.last_error or "")


async def test_a_messages_own_headers_reach_the_server(mailing: AppState, inbox: Inbox) -> None:
    headers = {
        "List-Unsubscribe": "<https://blog.example.com/unsubscribe?token=abc>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    hello = Message(
        to="ann@example.com", subject="Hello", text="Hi", html="<p>Hi</p>", headers=headers
    )
    stored = await _queue(mailing, hello)
    assert await send_stored(mailing.sessionmaker, mailing.settings, stored.id) is True
    [message] = inbox.to("ann@example.com")
    assert {name: message[name] for name in headers} == headers
