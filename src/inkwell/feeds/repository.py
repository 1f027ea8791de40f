"""The feed query: the newest listed posts of the authors a user follows."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Uuid, bindparam, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Follow
from inkwell.models.post import Post
from inkwell.posts.filters import (
    UNFILTERED,
    PostQuery,
    after_key,
    after_params,
    filter_conditions,
    filter_values,
)
from inkwell.posts.records import PostRecord
from inkwell.posts.repository import PostRepository, reading


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.posts = PostRepository(session)

    async def page(
        self,
        follower_id: uuid.UUID,
        *,
        now: datetime,
        tag_id: uuid.UUID | None,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
        offset: int = 0,
    ) -> list[PostRecord]:
        """One page of the feed, newest first, in one statement.

        For each followed author the newest `offset + limit` posts are read from
        ix_posts_author_feed (a LATERAL subquery), then merged: the work grows with the number
        of authors followed and the page's end, never with how many posts those authors wrote.
        """
        statement, params = page_statement(
            follower_id, now=now, tag_id=tag_id, after=after, limit=limit, offset=offset
        )
        return await self.posts.read(statement, params)

    async def count(self, follower_id: uuid.UUID, *, now: datetime) -> int:
        """How many posts the feed holds in all (it reads every one of them: use with care)."""
        params = {"follower_id": follower_id, "now": now}
        return int(await self.session.scalar(_COUNT, params) or 0)


def page_statement(
    follower_id: uuid.UUID,
    *,
    now: datetime,
    tag_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    offset: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """The feed page's statement (cached) and the values to bind into it."""
    filters, params = filter_values(
        PostQuery(now=now, tag_ids=(tag_id,) if tag_id is not None else ())
    )
    params.update(
        follower_id=follower_id,
        viewer_id=follower_id,
        per_author=offset + limit,
        limit=limit,
        offset=offset,
    )
    if after is not None:
        params.update(after_params(after))
    return _page_statement(filters, after is not None), params


def _conditions(filters: tuple[int, ...], after: bool) -> list[ColumnElement[bool]]:
    """The list filters of this shape (posts.filters), and the keyset when `after`."""
    conditions = filter_conditions(filters)
    if after:
        conditions.append(after_key("newest"))
    return conditions


@lru_cache(maxsize=8)
def _page_statement(filters: tuple[int, ...], after: bool) -> Select[Any]:
    """The feed page's statement, built once for each combination of filters."""
    newest_of_author = (
        select(Post.id, Post.published_at)
        .where(Post.author_id == Follow.followee_id, *_conditions(filters, after))
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(bindparam("per_author"))
        .lateral("newest_of_author")
    )
    page = (
        select(newest_of_author.c.id, newest_of_author.c.published_at)
        .select_from(Follow)
        .join(newest_of_author, true())
        .where(Follow.follower_id == _FOLLOWER)
        .order_by(newest_of_author.c.published_at.desc(), newest_of_author.c.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery("page")
    )
    return reading(page, [page.c.published_at.desc(), page.c.id.desc()], viewer=True)


_FOLLOWER = bindparam("follower_id", type_=Uuid)
_COUNT = (
    select(func.count())
    .select_from(Follow)
    .join(Post, Post.author_id == Follow.followee_id)
    .where(Follow.follower_id == _FOLLOWER, *_conditions(UNFILTERED, after=False))
)
