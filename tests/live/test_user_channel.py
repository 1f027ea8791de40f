"""`user:me`: a signed-in subscriber's own notifications and unread count, as the
notifications' consumer makes them from committed events, over WebSocket and SSE; refused to
anonymous clients; nobody receives another user's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import httpx
import pytest
from sqlalchemy import text

from inkwell.core.state import AppState
from inkwell.events.consumer import OutboxConsumers
from inkwell.jobs.worker import live_publisher
from inkwell.live.bus import open_bus
from inkwell.notifications.consumer import CONSUMER_NAME, notifications_consumer
from inkwell.notifications.records import LiveNotice
from tests.live.conftest import World
from tests.live.support import WAIT_SECONDS, open_socket, receive, subscribe, ticket
from tests.live.test_sse import events

Serve = Callable[..., str]
Consume = Callable[[], Awaitable[int]]


@pytest.fixture
async def consume(committing_state: AppState) -> AsyncIterator[Consume]:
    """Run the notifications' consumer as the job worker does, publishing on the bus."""
    state = committing_state
    bus = open_bus(state.settings, state.sessionmaker)
    consumer = notifications_consumer(state.settings, live_publisher(bus))
    consumers = OutboxConsumers(state.settings, state.sessionmaker, [consumer])
    yield consumers.drain
    await bus.close()


async def _comment(base: str, world: World) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post(
            f"/api/v1/posts/{world.post.id}/comments",
            json={"content": "For Alice"},
            headers=world.bob.headers,
        )
    assert response.status_code == 201, response.text
    comment_id: str = response.json()["id"]
    return comment_id


async def _follow(base: str, world: World) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.put(
            f"/api/v1/users/{world.bob.user.username}/follow", headers=world.alice.headers
        )
    assert response.status_code in {200, 201, 204}, response.text


async def _ticket(base: str, headers: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        return await ticket(http, headers)


async def test_a_subscriber_receives_its_own_notifications_and_unread_count(
    serve: Serve, world: World, consume: Consume
) -> None:
    base = serve()
    alice_ticket, bob_ticket = (
        await _ticket(base, world.alice.headers),
        await _ticket(base, world.bob.headers),
    )
    async with (
        open_socket(base, ticket=alice_ticket) as alice,
        open_socket(base, ticket=bob_ticket) as bob,
    ):
        subscribed = await subscribe(alice, "user:me")
        assert subscribed == {"type": "subscribed", "channel": "user:me", "seq": 0}
        assert (await subscribe(bob, "user:me"))["channel"] == "user:me"
        comment_id = await _comment(base, world)
        await consume()
        received = await receive(alice)
        await _follow(base, world)
        await consume()
        bobs = await receive(bob)

    assert received["channel"] == "user:me"
    assert (received["type"], received["seq"]) == ("notification", 1)
    assert received["data"]["unread_count"] == 1
    notification = received["data"]["notification"]
    assert notification["kind"] == "comment"
    assert notification["comment"]["id"] == comment_id
    assert notification["actors"][0]["username"] == world.bob.user.username
    # Bob's first message is his own (a follower), not Alice's comment notification.
    assert bobs["data"]["notification"]["kind"] == "follow"
    assert (bobs["channel"], bobs["seq"], bobs["data"]["unread_count"]) == ("user:me", 1, 1)


async def test_anonymous_clients_and_other_users_channels_are_refused(
    serve: Serve, world: World
) -> None:
    base = serve()
    async with open_socket(base) as anonymous:
        refused = await subscribe(anonymous, "user:me")
    async with open_socket(base, ticket=await _ticket(base, world.bob.headers)) as bob:
        other = await subscribe(bob, f"user:{world.alice.user.id}")
    async with httpx.AsyncClient(base_url=base) as http:
        stream = await http.get("/api/v1/live/sse", params={"channels": "user:me"})
        others = await http.get(
            "/api/v1/live/sse",
            params={"channels": f"user:{world.alice.user.id}"},
            headers=world.bob.headers,
        )

    assert (refused["type"], refused["code"]) == ("error", "sign_in_required")
    assert (other["type"], other["code"]) == ("error", "channel_not_found")
    assert (stream.status_code, stream.json()["code"]) == (401, "sign_in_required")
    assert others.status_code == 422


async def test_a_stream_carries_the_user_s_notifications(
    serve: Serve, world: World, consume: Consume
) -> None:
    base = serve()
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(WAIT_SECONDS)) as http:
        params = {"channels": "user:me"}
        headers = world.alice.headers
        async with http.stream("GET", "/api/v1/live/sse", params=params, headers=headers) as sse:
            stream = events(sse)
            subscribed = await anext(stream)
            await _comment(base, world)
            await consume()
            arrived = await anext(stream)

    assert subscribed["data"] == {"type": "subscribed", "channel": "user:me", "seq": 0}
    assert (arrived["event"], arrived["id"]) == ("notification", "user:me:1")
    assert arrived["data"]["data"]["notification"]["kind"] == "comment"
    assert arrived["data"]["data"]["unread_count"] == 1


async def test_an_event_read_again_sends_nothing_new(
    serve: Serve, world: World, committing_state: AppState
) -> None:
    base = serve()
    sent: list[LiveNotice] = []

    async def record(notices: Sequence[LiveNotice]) -> None:
        sent.extend(notices)

    state = committing_state
    consumers = OutboxConsumers(
        state.settings, state.sessionmaker, [notifications_consumer(state.settings, record)]
    )
    await _comment(base, world)
    await consumers.drain()
    async with state.engine.begin() as connection:  # read every event again
        await connection.execute(
            text("UPDATE outbox_consumers SET xact_id = 0, position = 0 WHERE name = :name"),
            {"name": CONSUMER_NAME},
        )
        await connection.execute(text("DELETE FROM outbox_consumer_ahead"))
    await consumers.drain()

    assert [(notice.channel, notice.seq) for notice in sent] == [(f"user:{world.alice.user.id}", 1)]
