"""The same streams as Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from tests.live.conftest import World
from tests.live.support import WAIT_SECONDS

Serve = Callable[..., str]


async def events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Each event's fields (`id`, `event`, `data` parsed), heartbeats left out."""
    fields: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line == "":
            if fields:
                yield fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = json.loads(value) if name == "data" else value


async def test_a_stream_carries_a_channel_s_messages(serve: Serve, world: World) -> None:
    base = serve()
    timeout = httpx.Timeout(WAIT_SECONDS)
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        params = {"channels": world.channel}
        async with http.stream("GET", "/api/v1/live/sse", params=params) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = events(response)
            subscribed = await anext(stream)
            assert subscribed["event"] == "subscribed"
            assert subscribed["data"]["channel"] == world.channel
            posted = await http.post(
                f"/api/v1/posts/{world.post.id}/comments",
                json={"content": "Streamed"},
                headers=world.bob.headers,
            )
            created = await anext(stream)
    assert created["event"] == "comment.created"
    assert created["id"] == f"{world.channel}:{subscribed['data']['seq'] + 1}"
    assert created["data"]["data"]["comment"]["id"] == posted.json()["id"]


async def test_a_stream_refuses_what_it_may_not_show(serve: Serve, world: World) -> None:
    base = serve()
    async with httpx.AsyncClient(base_url=base) as http:
        path = "/api/v1/live/sse"
        draft = await http.get(path, params={"channels": f"post:{world.draft.id}"})
        malformed = await http.get(path, params={"channels": "user:1"})
        missing = await http.get(path)
    assert (draft.status_code, draft.json()["code"]) == (404, "channel_not_found")
    assert malformed.status_code == 422
    assert malformed.json()["errors"]
    assert missing.status_code == 422
