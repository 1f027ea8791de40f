"""Counters under real concurrency: separate connections, committed transactions."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from inkwell.core.state import AppState
from inkwell.models.engagement import Like, PostViewEvent
from inkwell.models.post import Post
from inkwell.models.user import User
from inkwell.posts.records import PostRow
from inkwell.posts.service import PostService
from tests.factories import create_post, create_user, signed_in_headers

POSTS = "/api/v1/posts"


def in_step(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Hold requests after they read the post until `parties` of them have, then let them on.

    Without this the first request tends to finish while the others are still connecting,
    and a lost update or a missing lock goes unnoticed. The barrier is cyclic: groups of
    `parties` go on together, and fewer requests wait than there are pooled connections.
    """
    barrier = asyncio.Barrier(parties)
    real_visible = PostService.visible

    async def visible_together(self: PostService, **kwargs: Any) -> PostRow:
        found = await real_visible(self, **kwargs)
        async with asyncio.timeout(20):  # a request that failed early must not hang the others
            await barrier.wait()
        return found

    monkeypatch.setattr(PostService, "visible", visible_together)


async def _likes(state: AppState, post: PostRow) -> tuple[int | None, int | None]:
    async with state.sessionmaker() as session:
        stored = await session.scalar(select(Post.likes_count).where(Post.id == post.id))
        rows = await session.scalar(
            select(func.count()).select_from(Like).where(Like.post_id == post.id)
        )
    return stored, rows


async def test_50_concurrent_likes_then_50_flips_keep_the_count_true(
    committing_state: AppState,
    committing_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session, username="popular")
        post = await create_post(session, author)
        users: list[User] = [await create_user(session, username=f"fan{n}") for n in range(50)]
    headers = await asyncio.gather(*(signed_in_headers(committing_state, u) for u in users))
    url = f"{POSTS}/{post.id}/like"
    in_step(monkeypatch, 5)

    liked = await asyncio.gather(*(committing_client.put(url, headers=h) for h in headers))
    assert [r.status_code for r in liked] == [200] * 50
    assert max(r.json()["likes_count"] for r in liked) == 50
    assert await _likes(committing_state, post) == (50, 50)

    # Each fan sends an unlike and a like at the same moment (some twice), in a random order.
    rng = random.Random(7)  # noqa: S311 - a reproducible shuffle, not a secret
    flips = [("DELETE", h) for h in headers] + [("PUT", h) for h in headers[::2]]
    flips += [("PUT", h) for h in headers[:10]] + [("DELETE", h) for h in headers[40:]]
    rng.shuffle(flips)
    answers = await asyncio.gather(
        *(committing_client.request(method, url, headers=h) for method, h in flips)
    )
    assert {r.status_code for r in answers} == {200}
    stored, rows = await _likes(committing_state, post)
    assert stored == rows
    assert rows is not None
    assert 0 <= rows <= 50


async def test_a_concurrent_double_view_counts_once(
    committing_state: AppState,
    committing_client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session, username="viewed")
        post = await create_post(session, author)
    racers = 8
    in_step(monkeypatch, racers)
    url = f"{POSTS}/{post.id}/views"
    same_viewer = {"User-Agent": "racing-browser/1.0"}
    answers = await asyncio.gather(
        *(committing_client.post(url, headers=same_viewer) for _ in range(racers))
    )
    assert [r.status_code for r in answers] == [200] * racers
    assert sum(r.json()["counted"] for r in answers) == 1
    async with committing_state.sessionmaker() as session:
        stored = await session.scalar(select(Post.views_count).where(Post.id == post.id))
        rows = await session.scalar(select(func.count()).select_from(PostViewEvent))
    assert stored == rows == 1
