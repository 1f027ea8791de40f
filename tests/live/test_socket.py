"""The WebSocket: tickets, Origin, visibility, resuming through REST, heartbeats, limits and
slow clients, against the app served by Uvicorn (PostgreSQL as the bus)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from websockets.exceptions import ConnectionClosed, InvalidStatus

from inkwell.core.state import AppState
from tests.live.conftest import ALLOWED_ORIGIN, World
from tests.live.support import (
    open_socket,
    raw_socket_that_never_reads,
    read_until_eof,
    receive,
    subscribe,
    ticket,
)

Serve = Callable[..., str]


async def comment(base: str, world: World, content: str, **extra: Any) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post(
            f"/api/v1/posts/{world.post.id}/comments",
            json={"content": content, **extra},
            headers=extra.pop("headers", world.bob.headers),
        )
    assert response.status_code == 201, response.text
    comment_id: str = response.json()["id"]
    return comment_id


async def test_resume_through_rest_misses_nothing(serve: Serve, world: World) -> None:
    base = serve()
    async with open_socket(base) as watcher:
        start = (await subscribe(watcher, world.channel))["seq"]
        async with open_socket(base) as leaving:
            await subscribe(leaving, world.channel)
            first = await comment(base, world, "One")
            second = await comment(base, world, "Two")
            assert [(await receive(leaving))["seq"] for _ in range(2)] == [start + 1, start + 2]
            assert [(await receive(watcher))["seq"] for _ in range(2)] == [start + 1, start + 2]
        # While away: a new comment, an edit, a moderator hides one.
        third = await comment(base, world, "Three")
        async with httpx.AsyncClient(base_url=base) as http:
            edited = await http.patch(
                f"/api/v1/comments/{first}",
                json={"content": "One, edited"},
                headers=world.bob.headers,
            )
            hidden = await http.post(f"/api/v1/comments/{second}/hide", headers=world.alice.headers)
            assert (edited.status_code, hidden.status_code) == (200, 200)
            assert [(await receive(watcher))["type"] for _ in range(3)] == [
                "comment.created",
                "comment.edited",
                "comment.removed",
            ]
            resumed = await http.get(
                f"/api/v1/posts/{world.post.id}/comments", params={"since": start + 2}
            )
        assert resumed.status_code == 200
        assert resumed.headers["Live-Seq"] == str(start + 5)
        items = resumed.json()["items"]
        assert [item["id"] for item in items] == [third, first, second]
        assert "One, edited" in items[1]["content_html"]
        assert (items[2]["status"], items[2]["content_html"], items[2]["author"]) == (
            "hidden",
            None,
            None,
        )
        async with open_socket(base) as back:
            assert (await subscribe(back, world.channel))["seq"] == start + 5
            fourth = await comment(base, world, "Four")
            message = await receive(back)
            assert (message["seq"], message["data"]["comment"]["id"]) == (start + 6, fourth)


async def test_since_is_checked_at_the_edge(serve: Serve, world: World) -> None:
    base = serve()
    async with httpx.AsyncClient(base_url=base) as http:
        path = f"/api/v1/posts/{world.post.id}/comments"
        assert (await http.get(path, params={"since": -1})).status_code == 422
        assert (await http.get(path, params={"since": "x"})).status_code == 422
        draft = await http.get(f"/api/v1/posts/{world.draft.id}/comments", params={"since": 0})
        assert draft.status_code == 404
        empty = await http.get(path, params={"since": 0})
    assert (empty.status_code, empty.json()["items"], empty.headers["Live-Seq"]) == (200, [], "0")


async def test_a_hidden_comment_reaches_only_its_moderators(serve: Serve, world: World) -> None:
    base = serve()
    async with httpx.AsyncClient(base_url=base) as http:
        alice_ticket = await ticket(http, world.alice.headers)
        bob_ticket = await ticket(http, world.bob.headers)
    async with (
        open_socket(base) as anonymous,
        open_socket(base, ticket=bob_ticket) as bob,
        open_socket(base, ticket=alice_ticket) as alice,
    ):
        sockets = (anonymous, bob, alice)
        for ws in sockets:
            await subscribe(ws, world.channel)
        written = await comment(base, world, "Something *rude*")
        for ws in sockets:
            created = await receive(ws)
            assert "rude" in created["data"]["comment"]["content_html"]
        async with httpx.AsyncClient(base_url=base) as http:
            hidden = await http.post(
                f"/api/v1/comments/{written}/hide", headers=world.alice.headers
            )
        assert hidden.status_code == 200
        for ws in (anonymous, bob):
            removed = await receive(ws)
            assert removed["type"] == "comment.removed"
            assert removed["data"] == {"id": written}
            assert "rude" not in json.dumps(removed)
        seen = await receive(alice)
        assert seen["type"] == "comment.hidden"
        assert "rude" in seen["data"]["comment"]["content_html"]


async def test_a_draft_channel_is_refused_to_everyone_but_its_moderators(
    serve: Serve, world: World
) -> None:
    base = serve()
    draft = f"post:{world.draft.id}"
    async with httpx.AsyncClient(base_url=base) as http:
        alice_ticket = await ticket(http, world.alice.headers)
        bob_ticket = await ticket(http, world.bob.headers)
    async with open_socket(base) as anonymous, open_socket(base, ticket=bob_ticket) as bob:
        for ws in (anonymous, bob):
            for channel in (draft, "post:00000000-0000-0000-0000-000000000000", "post:x", "user:1"):
                refused = await subscribe(ws, channel)
                assert (refused["type"], refused["code"]) == ("error", "channel_not_found")
        for garbage in ("not json", "[]", json.dumps({"type": "subscribe"}), "x" * 2000):
            await anonymous.send(garbage)
            assert (await receive(anonymous))["code"] == "invalid_message"
    async with open_socket(base, ticket=alice_ticket) as alice:
        assert (await subscribe(alice, draft))["type"] == "subscribed"
        await alice.send(json.dumps({"type": "unsubscribe", "channel": draft}))
        assert (await receive(alice)) == {"type": "unsubscribed", "channel": draft}


async def test_tickets_work_once_and_expire(
    serve: Serve, world: World, committing_state: AppState
) -> None:
    base = serve()
    async with httpx.AsyncClient(base_url=base) as http:
        assert (await http.post("/api/v1/live/ticket")).status_code == 401
        issued = await http.post("/api/v1/live/ticket", headers=world.bob.headers)
        expiring = await ticket(http, world.bob.headers)
    assert issued.headers["Cache-Control"] == "no-store"
    used = issued.json()["ticket"]
    async with open_socket(base, ticket=used) as ws:
        assert (await subscribe(ws, world.channel))["type"] == "subscribed"
    async with committing_state.sessionmaker() as session:
        await session.execute(text("UPDATE live_tickets SET expires_at = now() - interval '1s'"))
        await session.commit()
    for refused in (used, expiring, "made-up"):
        async with open_socket(base, ticket=refused) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401


async def test_origin_must_be_one_cors_allows(serve: Serve, world: World) -> None:
    base = serve()
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(base, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    async with open_socket(base, origin=ALLOWED_ORIGIN) as ws:
        assert (await subscribe(ws, world.channel))["type"] == "subscribed"


async def test_connections_and_subscriptions_are_limited(serve: Serve, world: World) -> None:
    base = serve(live_max_connections_per_user=2, live_max_subscriptions=1)
    async with httpx.AsyncClient(base_url=base) as http:
        tickets = [await ticket(http, world.bob.headers) for _ in range(3)]
        second_post = await http.post(
            "/api/v1/posts",
            json={"title": "Another", "content_raw": "Text", "status": "published"},
            headers=world.alice.headers,
        )
    assert second_post.status_code == 201, second_post.text
    async with (
        open_socket(base, ticket=tickets[0]) as one,
        open_socket(base, ticket=tickets[1]) as two,
    ):
        for ws in (one, two):  # an answer means the connection is counted
            assert (await subscribe(ws, world.channel))["type"] == "subscribed"
        async with open_socket(base, ticket=tickets[2]) as third:
            with pytest.raises(ConnectionClosed) as closed:
                await receive(third)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4429
        other = await subscribe(one, f"post:{world.draft.id}")
        assert other["code"] == "channel_not_found"
        too_many = await subscribe(one, f"post:{second_post.json()['id']}")
        assert too_many["code"] == "too_many_subscriptions"


async def test_idle_connections_get_heartbeats(serve: Serve, world: World) -> None:
    base = serve(live_heartbeat_seconds=0.2)
    async with open_socket(base) as ws:
        await subscribe(ws, world.channel)
        assert json.loads(await ws.recv()) == {"type": "heartbeat"}


async def test_a_slow_client_is_dropped_without_delaying_the_others(
    serve: Serve, world: World
) -> None:
    # Small kernel buffers on both ends, so a client that reads nothing blocks the server's
    # sends after a few messages (about 27 kB of HTML each) instead of megabytes.
    base = serve(live_queue_size=4, send_buffer=8192)
    slow = await asyncio.to_thread(raw_socket_that_never_reads, base, world.channel)
    count, body = 40, "*a* " * 2_499
    async with open_socket(base) as fast:
        start = (await subscribe(fast, world.channel))["seq"]
        reading = asyncio.create_task(_receive_many(fast, count))
        ids = [await comment(base, world, f"{n} {body}") for n in range(count)]
        got = await reading
    assert [m["data"]["comment"]["id"] for m in got] == ids
    assert [m["seq"] for m in got] == list(range(start + 1, start + 1 + count))
    # The server ended the slow connection after the few messages the buffers held (its
    # close frame, 4008, cannot pass the unread data, so it ends without one).
    received = await asyncio.to_thread(read_until_eof, slow)
    slow.close()
    assert 0 < received.count(b'"type":"comment.created"') < count


async def _receive_many(ws: Any, count: int) -> list[dict[str, Any]]:
    return [await receive(ws) for _ in range(count)]
