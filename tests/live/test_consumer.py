"""The live consumer numbers a committed comment at once, even while an older transaction
(here in the same database; any database of the server did the same) is still running."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx
from sqlalchemy import text

from inkwell.core.state import AppState
from inkwell.live.bus import Deliver
from inkwell.live.consumer import LiveConsumer
from inkwell.live.messages import LiveMessage
from tests.live.conftest import World


class RecordingBus:
    def __init__(self) -> None:
        self.published: list[LiveMessage] = []

    async def publish(self, messages: Sequence[LiveMessage]) -> None:
        self.published.extend(messages)

    async def listen(self, deliver: Deliver) -> None:  # pragma: no cover - not listened to
        raise NotImplementedError

    async def close(self) -> None:
        return None


async def test_a_comment_is_published_while_an_older_transaction_runs(
    committing_state: AppState, committing_client: httpx.AsyncClient, world: World
) -> None:
    bus = RecordingBus()
    consumer = LiveConsumer(committing_state.settings, committing_state.sessionmaker, bus)
    await consumer.drain()
    bus.published.clear()
    async with committing_state.engine.connect() as older:
        await older.execute(text("SELECT pg_current_xact_id()"))  # holds the horizon back
        response = await committing_client.post(
            f"/api/v1/posts/{world.post.id}/comments",
            json={"content": "At once"},
            headers=world.bob.headers,
        )
        assert response.status_code == 201, response.text
        await consumer.drain()
        await older.rollback()

    assert [(m.channel, m.type) for m in bus.published] == [(world.channel, "comment.created")]
    assert bus.published[0].data["comment"]["id"] == response.json()["id"]


class GatedBus(RecordingBus):
    """A bus whose publications wait while its gate is shut: a process slow to send a batch."""

    def __init__(self, published: list[LiveMessage]) -> None:
        super().__init__()
        self.published = published
        self.entered, self.gate = asyncio.Event(), asyncio.Event()

    async def publish(self, messages: Sequence[LiveMessage]) -> None:
        self.entered.set()
        await self.gate.wait()
        self.published.extend(messages)


async def test_a_batch_numbered_later_is_not_published_before_an_earlier_one(
    committing_state: AppState, committing_client: httpx.AsyncClient, world: World
) -> None:
    """Two processes' live consumers: while one has committed a batch and is still sending
    it, the other neither numbers nor sends the next, so the bus carries numbers in order."""
    published: list[LiveMessage] = []
    slow_bus, other_bus = GatedBus(published), RecordingBus()
    other_bus.published = published
    slow = LiveConsumer(committing_state.settings, committing_state.sessionmaker, slow_bus)
    other = LiveConsumer(committing_state.settings, committing_state.sessionmaker, other_bus)
    slow_bus.gate.set()
    await slow.drain()
    slow_bus.gate.clear()
    published.clear()

    async def comment(text: str) -> None:
        response = await committing_client.post(
            f"/api/v1/posts/{world.post.id}/comments",
            json={"content": text},
            headers=world.bob.headers,
        )
        assert response.status_code == 201, response.text

    await comment("First")
    slow_bus.entered.clear()
    sending = asyncio.create_task(slow.drain())
    await asyncio.wait_for(slow_bus.entered.wait(), 10)  # numbered and committed, not yet sent
    await comment("Second")
    assert await other.drain() == 0  # the next batch waits for the first to be sent
    slow_bus.gate.set()
    await sending
    await other.drain()

    numbers = [message.seq for message in published if message.channel == world.channel]
    assert len(numbers) >= 2
    assert numbers == sorted(numbers)
