"""Denormalised counters change in SQL, so concurrent increments are never lost."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from inkwell.core.db import unit_of_work
from inkwell.core.state import AppState
from inkwell.models.post import Post
from inkwell.posts.repository import PostRepository
from tests.factories import create_post, create_user


async def test_concurrent_increments_are_all_counted(committing_state: AppState) -> None:
    async with committing_state.sessionmaker() as session:
        author = await create_user(session, username="counted")
        post = await create_post(session, author)

    async def like() -> None:
        async with unit_of_work(committing_state.sessionmaker) as session:
            await PostRepository(session).increment(post.id, "likes_count")

    await asyncio.gather(*(like() for _ in range(20)))
    async with unit_of_work(committing_state.sessionmaker) as session:
        await PostRepository(session).increment(post.id, "views_count", 5)
        await PostRepository(session).increment(post.id, "views_count", -2)
        row = (
            await session.execute(
                select(Post.likes_count, Post.views_count, Post.version).where(Post.id == post.id)
            )
        ).one()
    assert tuple(row) == (20, 3, 1)
