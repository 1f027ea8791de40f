"""Multi-row writes are atomic, concurrent edits lose nothing silently, counters stay true."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from inkwell.core.state import AppState
from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.engagement import Bookmark, Like
from inkwell.models.post import Post, PostTag, PostVersion, Tag
from inkwell.posts.repository import PostRepository
from tests.factories import create_post, create_user, signed_in_headers


async def _count(state: AppState, model: Any) -> int:
    async with state.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _fail(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the database went away halfway")


async def test_post_tags_and_version_are_all_or_nothing(
    committing_client: httpx.AsyncClient,
    committing_state: AppState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session)
    headers = await signed_in_headers(committing_state, author)
    monkeypatch.setattr(PostRepository, "add_version", _fail)
    response = await committing_client.post(
        "/api/v1/posts",
        headers=headers,
        json={
            "title": "Half a post",
            "content_raw": "Body.",
            "tags": ["brand-new", "another"],
            "status": "published",
        },
    )
    assert response.status_code == 500
    for model in (Post, Tag, PostTag, PostVersion):
        assert await _count(committing_state, model) == 0, model.__name__


async def test_comment_and_its_counter_are_all_or_nothing(
    committing_client: httpx.AsyncClient,
    committing_state: AppState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session)
        post = await create_post(session, author)
    headers = await signed_in_headers(committing_state, author)
    monkeypatch.setattr(PostRepository, "increment", _fail)
    response = await committing_client.post(
        f"/api/v1/posts/{post.id}/comments", json={"content": "lost?"}, headers=headers
    )
    assert response.status_code == 500
    assert await _count(committing_state, Comment) == 0
    async with committing_state.sessionmaker() as session:
        assert await session.scalar(select(Post.comments_count).where(Post.id == post.id)) == 0


async def test_concurrent_if_match_updates_lose_no_write_silently(
    committing_client: httpx.AsyncClient,
    committing_state: AppState,
) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session)
        post = await create_post(session, author, title="Original")
    headers = await signed_in_headers(committing_state, author)
    etag = (await committing_client.get(f"/api/v1/posts/{post.id}")).headers["etag"]

    async def edit(n: int) -> httpx.Response:
        return await committing_client.patch(
            f"/api/v1/posts/{post.id}",
            json={"title": f"Edit {n}"},
            headers={**headers, "If-Match": etag},
        )

    responses = await asyncio.gather(*(edit(n) for n in range(8)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * 7
    winner = next(r for r in responses if r.status_code == 200).json()["title"]
    final = (await committing_client.get(f"/api/v1/posts/{post.id}")).json()
    assert final["title"] == winner


async def test_concurrent_mixed_writes_keep_every_counter_true(
    committing_client: httpx.AsyncClient,
    committing_state: AppState,
) -> None:
    async with committing_state.sessionmaker() as session:
        users = [await create_user(session) for _ in range(12)]
        post = await create_post(session, users[0])
    headers = [await signed_in_headers(committing_state, user) for user in users]
    base = f"/api/v1/posts/{post.id}"

    async def actor(h: dict[str, str], n: int) -> None:
        await committing_client.put(f"{base}/like", headers=h)
        await committing_client.put(f"{base}/bookmark", headers=h)
        created = await committing_client.post(
            f"{base}/comments", headers=h, json={"content": f"c{n}"}
        )
        if n % 3 == 0:
            await committing_client.delete(f"{base}/like", headers=h)
            await committing_client.delete(f"/api/v1/comments/{created.json()['id']}", headers=h)
        if n % 4 == 0:
            await committing_client.delete(f"{base}/bookmark", headers=h)

    await asyncio.gather(*(actor(h, n) for n, h in enumerate(headers)))
    async with committing_state.sessionmaker() as session:
        stored = (
            await session.execute(
                select(Post.likes_count, Post.bookmarks_count, Post.comments_count).where(
                    Post.id == post.id
                )
            )
        ).one()
        likes = await session.scalar(select(func.count()).select_from(Like))
        bookmarks = await session.scalar(select(func.count()).select_from(Bookmark))
        comments = await session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.deleted_at.is_(None), Comment.status == CommentStatus.VISIBLE)
        )
    assert tuple(stored) == (likes, bookmarks, comments)
    assert (likes, bookmarks, comments) == (8, 9, 8)
