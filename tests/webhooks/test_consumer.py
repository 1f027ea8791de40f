"""The webhooks' outbox consumer: committed events only, each once, filtered by type, none
skipped when transactions commit out of position order; and the worker end to end."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress

import httpx
import pytest
from sqlalchemy import func, select, text

from inkwell.core.errors import Conflict
from inkwell.core.state import AppState
from inkwell.events.catalogue import BookmarkAdded, UserFollowed
from inkwell.events.consumer import OutboxConsumers, consume_batch
from inkwell.events.envelope import CloudEvent, EventData
from inkwell.events.outbox import Outbox
from inkwell.jobs.worker import InProcessWorker
from inkwell.models.user import Role
from inkwell.models.webhook import WebhookDelivery, WebhookEndpoint
from inkwell.webhooks.consumer import WEBHOOKS
from tests.factories import auth_headers, create_user
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import delivery_jobs

# Other transactions on the server (any database) hold the horizon back for a while at most.
WITHIN_SECONDS = 60


async def _eventually(check: Callable[[], Awaitable[bool]]) -> bool:
    deadline = time.monotonic() + WITHIN_SECONDS
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


async def _endpoint(state: AppState, types: list[str], *, enabled: bool = True) -> uuid.UUID:
    async with state.sessionmaker() as session:
        endpoint = WebhookEndpoint(
            url="https://93.184.215.14/hook",
            event_types=types,
            secret="whsec_AAAA",
            enabled=enabled,
        )
        session.add(endpoint)
        await session.commit()
        endpoint_id: uuid.UUID = endpoint.id
        return endpoint_id


async def _deliveries(state: AppState) -> set[tuple[uuid.UUID, str]]:
    async with state.sessionmaker() as session:
        rows = await session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.event_type)
        )
        return {(row[0], row[1]) for row in rows}


async def _delivered(state: AppState, count: int) -> bool:
    await OutboxConsumers(state.settings, state.sessionmaker, [WEBHOOKS]).drain()
    return len(await _deliveries(state)) == count


BOOKMARKED = BookmarkAdded.event_type()
FOLLOWED = UserFollowed.event_type()


def _events() -> tuple[BookmarkAdded, UserFollowed]:
    one, two = uuid.uuid4(), uuid.uuid4()
    return BookmarkAdded(post_id=one, user_id=two), UserFollowed(follower_id=one, followee_id=two)


async def test_each_committed_event_reaches_the_enabled_endpoints_that_take_its_type(
    committed: AppState,
) -> None:
    bookmarks = await _endpoint(committed, [BOOKMARKED])
    every = await _endpoint(committed, ["*"])
    follows = await _endpoint(committed, [FOLLOWED, BOOKMARKED])
    await _endpoint(committed, ["*"], enabled=False)
    async with committed.sessionmaker() as session:
        await Outbox(session, committed.settings).record(*_events())
        await session.commit()

    assert await _eventually(lambda: _delivered(committed, 5))
    assert await _deliveries(committed) == {
        (bookmarks, BOOKMARKED),
        (every, BOOKMARKED),
        (every, FOLLOWED),
        (follows, BOOKMARKED),
        (follows, FOLLOWED),
    }
    async with committed.sessionmaker() as session:
        ids = list(await session.scalars(select(WebhookDelivery.id)))
        for delivery_id in ids:
            assert [n for n, _ in await delivery_jobs(session, delivery_id)] == [1]
    consumers = OutboxConsumers(committed.settings, committed.sessionmaker, [WEBHOOKS])
    assert await consumers.drain() == 0  # each event is handed over once


async def test_a_rolled_back_change_delivers_nothing(committed: AppState) -> None:
    await _endpoint(committed, ["*"])
    async with committed.sessionmaker() as session:
        await Outbox(session, committed.settings).record(*_events())
        await session.rollback()
    async with committed.sessionmaker() as session:
        await Outbox(session, committed.settings).record(_events()[0])
        await session.commit()

    assert await _eventually(lambda: _delivered(committed, 1))
    assert await _deliveries(committed) == {(await _only_endpoint(committed), BOOKMARKED)}


async def test_a_request_that_fails_after_its_change_delivers_nothing(
    committed: AppState, committed_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _endpoint(committed, ["*"])
    async with committed.sessionmaker() as session:
        author = await create_user(session, username="writer")
    headers = await auth_headers(committed_client, author)
    record = Outbox.record

    async def record_then_refuse(self: Outbox, *changes: EventData) -> list[CloudEvent]:
        await record(self, *changes)
        raise Conflict("refused after the event was written")

    monkeypatch.setattr(Outbox, "record", record_then_refuse)
    post = {"title": "Never", "content_raw": "x", "status": "published"}
    refused = await committed_client.post("/api/v1/posts", json=post, headers=headers)
    assert refused.status_code == 409
    monkeypatch.undo()
    async with committed.sessionmaker() as session:
        await Outbox(session, committed.settings).record(_events()[0])
        await session.commit()

    assert await _eventually(lambda: _delivered(committed, 1))
    assert {kind for _, kind in await _deliveries(committed)} == {BOOKMARKED}


async def _only_endpoint(state: AppState) -> uuid.UUID:
    async with state.sessionmaker() as session:
        only: uuid.UUID = (await session.scalars(select(WebhookEndpoint.id))).one()
        return only


async def test_an_event_that_commits_after_a_later_position_is_not_skipped(
    committed: AppState,
) -> None:
    await _endpoint(committed, ["*"])
    consumers = OutboxConsumers(committed.settings, committed.sessionmaker, [WEBHOOKS])
    bookmark, follow = _events()
    async with committed.sessionmaker() as early, committed.sessionmaker() as late:
        await Outbox(early, committed.settings).record(bookmark)  # the lower position
        await Outbox(late, committed.settings).record(follow)
        await late.commit()
        await consumers.drain()
        assert await _deliveries(committed) == set()  # the earlier transaction still runs
        await early.commit()

    assert await _eventually(lambda: _delivered(committed, 2))
    assert {kind for _, kind in await _deliveries(committed)} == {BOOKMARKED, FOLLOWED}


async def test_the_worker_delivers_a_published_post_to_its_endpoint(
    committed: AppState, committed_client: httpx.AsyncClient, receiver: Receiver
) -> None:
    async with committed.sessionmaker() as session:
        admin = await create_user(session, username="root", role=Role.ADMIN)
        author = await create_user(session, username="writer")
    admin_headers = await auth_headers(committed_client, admin)
    created = await committed_client.post(
        "/api/v1/admin/webhooks",
        json={"url": receiver.url, "event_types": ["inkwell.post.published.v1"]},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    worker = InProcessWorker(committed.settings, committed.sessionmaker)
    try:
        post = await committed_client.post(
            "/api/v1/posts",
            json={"title": "Hello hooks", "content_raw": "x", "status": "published"},
            headers=await auth_headers(committed_client, author),
        )
        assert post.status_code == 201, post.text

        async def received() -> bool:
            return len(receiver.requests) >= 1

        assert await _eventually(received)
    finally:
        await worker.stop()
    [request] = receiver.requests  # post.created was not asked for
    event = request.verified(created.json()["secret"])
    assert isinstance(event, dict)
    assert event["type"] == "inkwell.post.published.v1"
    assert event["subject"] == post.json()["id"]
    log = await committed_client.get(
        f"/api/v1/admin/webhooks/{created.json()['id']}/deliveries", headers=admin_headers
    )
    [delivery] = log.json()["items"]
    assert delivery["status"] == "succeeded"
    assert delivery["event_id"] == event["id"]
    assert delivery["attempts"][0]["status_code"] == 200
    async with committed.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


async def test_the_consumers_start_again_after_an_error(
    committed: AppState, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = committed.settings.model_copy(
        update={
            "database_url": "postgresql+asyncpg://nobody@127.0.0.1:9/none",
            "outbox_consumer_poll_seconds": 0.05,
        }
    )
    consumers = OutboxConsumers(unreachable, committed.sessionmaker, [WEBHOOKS])
    with caplog.at_level(logging.ERROR, logger="inkwell.events.consumer"):
        task = asyncio.create_task(consumers.run_forever())
        await asyncio.sleep(0.5)
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    restarts = [r for r in caplog.records if "they start again" in r.getMessage()]
    assert len(restarts) >= 2


async def test_one_process_at_a_time_reads_for_a_consumer(committed: AppState) -> None:
    await _endpoint(committed, ["*"])
    await consume_batch(WEBHOOKS, committed.sessionmaker, 10)  # registers its cursor
    async with committed.sessionmaker() as session:
        await Outbox(session, committed.settings).record(_events()[0])
        await session.commit()
    async with committed.sessionmaker() as other_process:
        lock = "SELECT name FROM outbox_consumers WHERE name = 'webhooks' FOR UPDATE"
        assert (await other_process.execute(text(lock))).all() == [("webhooks",)]
        assert await consume_batch(WEBHOOKS, committed.sessionmaker, 10) == 0
    assert await _eventually(lambda: _delivered(committed, 1))
