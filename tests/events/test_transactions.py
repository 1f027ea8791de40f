"""An event commits with its change: a rolled-back request leaves none, a committed one does,
and the relay's channel hears of committed events only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select, text

from inkwell.core.errors import Conflict
from inkwell.core.state import AppState
from inkwell.events.envelope import CloudEvent, EventData
from inkwell.events.outbox import Outbox
from inkwell.models.event import OUTBOX_CHANNEL, OutboxEvent
from inkwell.models.post import Post
from tests.events.support import checked
from tests.factories import create_user, signed_in_headers

POSTS = "/api/v1/posts"
NEW_POST = {"title": "Rolled back?", "content_raw": "x"}


async def _counts(state: AppState) -> tuple[int, int]:
    """Posts and outbox rows, as another connection sees them (committed only)."""
    async with state.sessionmaker() as session:
        posts = await session.scalar(select(func.count()).select_from(Post))
        events = await session.scalar(select(func.count()).select_from(OutboxEvent))
    return posts or 0, events or 0


@pytest.fixture
async def headers(committing_state: AppState) -> dict[str, str]:
    async with committing_state.sessionmaker() as session:
        user = await create_user(session, username="committer")
    return await signed_in_headers(committing_state, user)


def refuse_after_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every recorded event end its request with a 409, after the row was written."""
    record = Outbox.record

    async def record_then_refuse(self: Outbox, *changes: EventData) -> list[CloudEvent]:
        await record(self, *changes)
        raise Conflict("refused after the event was written")

    monkeypatch.setattr(Outbox, "record", record_then_refuse)


async def test_an_error_after_the_change_leaves_no_event(
    committing_state: AppState,
    committing_client: httpx.AsyncClient,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refuse_after_recording(monkeypatch)
    refused = await committing_client.post(POSTS, json=NEW_POST, headers=headers)
    assert refused.status_code == 409, refused.text
    assert await _counts(committing_state) == (0, 0)


async def test_a_failing_statement_after_the_change_leaves_no_event(
    committing_state: AppState,
    committing_client: httpx.AsyncClient,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = Outbox.record

    async def record_then_fail(self: Outbox, *changes: EventData) -> list[CloudEvent]:
        events = await record(self, *changes)
        await self.session.execute(text("SELECT 1 / 0"))
        return events

    monkeypatch.setattr(Outbox, "record", record_then_fail)
    failed = await committing_client.post(POSTS, json=NEW_POST, headers=headers)
    assert failed.status_code == 500, failed.text
    assert await _counts(committing_state) == (0, 0)


async def test_a_committed_change_leaves_its_event(
    committing_state: AppState, committing_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    created = await committing_client.post(POSTS, json=NEW_POST, headers=headers)
    assert created.status_code == 201, created.text
    async with committing_state.sessionmaker() as session:
        (row,) = await session.scalars(select(OutboxEvent))
    event, _ = checked(row)
    assert (event.type, event.subject) == ("inkwell.post.created.v1", created.json()["id"])
    assert row.attempts == 0
    assert row.next_attempt_at <= row.created_at


@pytest.fixture
async def notifications(database_url: str) -> AsyncIterator[asyncio.Queue[str]]:
    """What the outbox channel receives while the test runs."""
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: heard.put_nowait(args[3]))
    yield heard
    await listener.close()


async def test_the_channel_hears_of_committed_events_only(
    committing_client: httpx.AsyncClient,
    headers: dict[str, str],
    notifications: asyncio.Queue[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with monkeypatch.context() as patched:
        refuse_after_recording(patched)
        refused = await committing_client.post(POSTS, json=NEW_POST, headers=headers)
        assert refused.status_code == 409, refused.text
    await asyncio.sleep(0.2)
    assert notifications.empty()
    created = await committing_client.post(POSTS, json=NEW_POST, headers=headers)
    assert created.status_code == 201, created.text
    assert await asyncio.wait_for(notifications.get(), timeout=5) == ""
    await asyncio.sleep(0.2)
    assert notifications.empty()  # one notification per transaction, not per row
