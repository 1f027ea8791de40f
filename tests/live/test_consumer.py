"""The live consumer numbers a committed comment at once, even while an older transaction
(here in the same database; any database of the server did the same) is still running."""

from __future__ import annotations

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
