"""Fixtures of the comments tests: the signed-in accounts and statement counter of the posts
tests, a published post by alice and helpers that talk to the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.post import Post
from inkwell.posts.records import PostRow
from tests.factories import create_post
from tests.posts.conftest import (  # noqa: F401 - fixtures shared with the posts tests
    Account,
    admin,
    alice,
    bob,
    moderator,
    sql_statements,
)

COMMENTS = "/api/v1/comments"


def thread_url(post: PostRow | str) -> str:
    ref = post if isinstance(post, str) else str(post.id)
    return f"/api/v1/posts/{ref}/comments"


@pytest.fixture
async def post(session: AsyncSession, alice: Account) -> PostRow:  # noqa: F811
    return await create_post(session, alice.user, title="Commented")


async def comment(
    client: httpx.AsyncClient,
    who: Account,
    post: PostRow | str,
    content: str = "Hello *there*.",
    *,
    parent: str | None = None,
    expect: int = 201,
) -> dict[str, Any]:
    body: dict[str, Any] = {"content": content}
    if parent is not None:
        body["parent_id"] = parent
    response = await client.post(thread_url(post), json=body, headers=who.headers)
    assert response.status_code == expect, response.text
    data: dict[str, Any] = response.json()
    return data


async def counted(session: AsyncSession, post_id: Any) -> tuple[int, int]:
    """The post's comments_count and a recount of its visible, live comments."""
    stored = await session.scalar(select(Post.comments_count).where(Post.id == post_id))
    recount = await session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.post_id == post_id,
            Comment.status == CommentStatus.VISIBLE,
            Comment.deleted_at.is_(None),
        )
    )
    return int(stored or 0), int(recount or 0)
