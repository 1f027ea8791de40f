"""The feed query: the newest listed posts of the authors a user follows."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Follow
from inkwell.models.post import Post, PostTag
from inkwell.posts.records import PostRecord
from inkwell.posts.repository import LISTED, PostRepository


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
        conditions = self._conditions(now, tag_id, after)
        newest_of_author = (
            select(Post.id, Post.published_at)
            .where(Post.author_id == Follow.followee_id, *conditions)
            .order_by(Post.published_at.desc(), Post.id.desc())
            .limit(offset + limit)
            .lateral("newest_of_author")
        )
        page = (
            select(newest_of_author.c.id, newest_of_author.c.published_at)
            .select_from(Follow)
            .join(newest_of_author, true())
            .where(Follow.follower_id == follower_id)
            .order_by(newest_of_author.c.published_at.desc(), newest_of_author.c.id.desc())
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        order = [page.c.published_at.desc(), page.c.id.desc()]
        return await self.posts.records_for(page, order, follower_id)

    async def count(self, follower_id: uuid.UUID, *, now: datetime) -> int:
        """How many posts the feed holds in all (it reads every one of them: use with care)."""
        statement = (
            select(func.count())
            .select_from(Follow)
            .join(Post, Post.author_id == Follow.followee_id)
            .where(Follow.follower_id == follower_id, *self._conditions(now, None, None))
        )
        return int(await self.session.scalar(statement) or 0)

    def _conditions(
        self, now: datetime, tag_id: uuid.UUID | None, after: tuple[datetime, uuid.UUID] | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [LISTED, Post.published_at <= now]
        if after is not None:
            conditions.append(tuple_(Post.published_at, Post.id) < tuple_(*after))
        if tag_id is not None:
            conditions.append(exists().where(PostTag.post_id == Post.id, PostTag.tag_id == tag_id))
        return conditions
