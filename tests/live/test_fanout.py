"""Two app processes (real Uvicorn servers on loopback) share live messages: a comment posted
through one reaches subscribers of both, in order, with Redis and with PostgreSQL as the bus."""

from __future__ import annotations

import httpx
import pytest

from inkwell.core.state import AppState
from tests.factories import create_post, create_user, signed_in_headers
from tests.live.support import open_socket, receive, server_env, server_process, subscribe
from tests.redis_support import redis_url, requires_redis

COMMENTS = 5


@pytest.mark.parametrize("bus", [pytest.param("redis", marks=requires_redis), "postgres"])
async def test_a_comment_reaches_subscribers_on_both_processes_in_order(
    bus: str, database_url: str, committing_state: AppState
) -> None:
    async with committing_state.sessionmaker() as session:
        alice = await create_user(session)
        post = await create_post(session, alice)
    headers = await signed_in_headers(committing_state, alice)
    env = server_env(database_url, **({"redis_url": redis_url()} if bus == "redis" else {}))
    channel = f"post:{post.id}"
    with server_process(env) as one, server_process(env) as two:
        async with open_socket(one) as first, open_socket(two) as second:
            starts = [(await subscribe(ws, channel))["seq"] for ws in (first, second)]
            async with httpx.AsyncClient(base_url=one) as http:
                ids = [
                    (
                        await http.post(
                            f"/api/v1/posts/{post.id}/comments",
                            json={"content": f"Comment {n}"},
                            headers=headers,
                        )
                    ).json()["id"]
                    for n in range(COMMENTS)
                ]
            for ws, start in zip((first, second), starts, strict=True):
                got = [await receive(ws) for _ in ids]
                assert [m["type"] for m in got] == ["comment.created"] * COMMENTS
                assert [m["data"]["comment"]["id"] for m in got] == ids
                assert [m["seq"] for m in got] == list(range(start + 1, start + 1 + COMMENTS))
                assert got[-1]["data"]["comments_count"] == COMMENTS
