"""The notifications consumer as the job worker runs it: committed changes, read through the
outbox consumers' cursor, become notifications once."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select, text

from inkwell.core.state import AppState
from inkwell.events.consumer import OutboxConsumers
from inkwell.models.notification import Notification, NotificationKind
from inkwell.notifications.consumer import CONSUMER_NAME, notifications_consumer
from tests.conftest import api_client
from tests.factories import create_post, create_user, signed_in_headers

# Other transactions on the server (any database) hold the consumers' horizon back a while.
WITHIN_SECONDS = 60
# The consumer's cursor at the last row, so it starts past what earlier tests committed.
_START_AT_THE_END = """
INSERT INTO outbox_consumers (name, xact_id, position)
SELECT :name, xact_id, position FROM outbox_events ORDER BY xact_id DESC, position DESC LIMIT 1
ON CONFLICT (name) DO UPDATE SET xact_id = excluded.xact_id, position = excluded.position
"""


async def _start_at_the_end(state: AppState) -> None:
    async with state.sessionmaker() as session:
        await session.execute(text(_START_AT_THE_END), {"name": CONSUMER_NAME})
        await session.commit()


async def _kinds(state: AppState) -> list[NotificationKind]:
    async with state.sessionmaker() as session:
        return list(await session.scalars(select(Notification.kind).order_by(Notification.kind)))


async def test_committed_changes_become_notifications_once(committing_state: AppState) -> None:
    committed = committing_state
    async with committed.sessionmaker() as session:
        alice = await create_user(session, username="alice")
        bob = await create_user(session, username="bob")
        post = await create_post(session, alice)
    await _start_at_the_end(committed)
    headers = await signed_in_headers(committed, bob)
    async with api_client(committed) as client:
        liked = await client.put(f"/api/v1/posts/{post.id}/like", headers=headers)
        followed = await client.put("/api/v1/users/alice/follow", headers=headers)
        assert (liked.status_code, followed.status_code) == (200, 200)

    consumers = OutboxConsumers(
        committed.settings, committed.sessionmaker, [notifications_consumer(committed.settings)]
    )
    deadline = time.monotonic() + WITHIN_SECONDS
    while len(await _kinds(committed)) < 2 and time.monotonic() < deadline:
        await consumers.drain()
        await asyncio.sleep(0.1)
    assert await _kinds(committed) == [NotificationKind.LIKE, NotificationKind.FOLLOW]
    assert await consumers.drain() == 0  # each event is handed over once
    async with committed.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Notification))
        assert count == 2
