"""Counters under real concurrency: separate connections, committed transactions."""

from __future__ import annotations

import asyncio

import httpx

from inkwell.core.state import AppState
from tests.comments.conftest import COMMENTS, counted, thread_url
from tests.factories import create_post, create_user, signed_in_headers


async def test_concurrent_comments_are_all_counted(
    committing_state: AppState, committing_client: httpx.AsyncClient
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session, username="host")
        writers = [await create_user(session, username=f"writer{n}") for n in range(5)]
        post = await create_post(session, author)
    headers = [await signed_in_headers(committing_state, user) for user in writers]
    root = await committing_client.post(
        thread_url(post), json={"content": "root"}, headers=headers[0]
    )

    async def write(n: int) -> int:
        body = {"content": f"comment {n}", "parent_id": root.json()["id"] if n % 2 else None}
        response = await committing_client.post(
            thread_url(post), json=body, headers=headers[n % len(headers)]
        )
        return response.status_code

    statuses = await asyncio.gather(*(write(n) for n in range(30)))
    assert statuses == [201] * 30
    async with committing_state.sessionmaker() as session:
        assert await counted(session, post.id) == (31, 31)


async def test_concurrent_hides_and_deletes_keep_the_count_true(
    committing_state: AppState, committing_client: httpx.AsyncClient
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session, username="owner")
        post = await create_post(session, author)
    headers = await signed_in_headers(committing_state, author)
    ids = [
        (
            await committing_client.post(
                thread_url(post), json={"content": f"c{n}"}, headers=headers
            )
        ).json()["id"]
        for n in range(8)
    ]

    async def act(comment_id: str, action: str) -> int:
        if action == "delete":
            response = await committing_client.delete(f"{COMMENTS}/{comment_id}", headers=headers)
        else:
            url = f"{COMMENTS}/{comment_id}/{action}"
            response = await committing_client.post(url, headers=headers)
        return response.status_code

    actions = ("hide", "hide", "unhide", "delete", "hide")
    results = await asyncio.gather(*(act(i, a) for i in ids for a in actions))
    assert set(results) <= {200, 204, 404}
    async with committing_state.sessionmaker() as session:
        stored, recount = await counted(session, post.id)
    assert stored == recount
