"""Every query on likes, bookmarks and post views."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Date, cast, delete, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.engagement import Bookmark, Like, PostViewEvent
from inkwell.models.post import Post
from inkwell.models.visibility import PUBLIC
from inkwell.posts.records import PostRecord
from inkwell.posts.repository import Counter, PostRepository

Kind = Literal["like", "bookmark"]
_TABLES: dict[Kind, type[Like] | type[Bookmark]] = {"like": Like, "bookmark": Bookmark}
COUNTERS: dict[Kind, Counter] = {"like": "likes_count", "bookmark": "bookmarks_count"}


@dataclass(frozen=True, slots=True)
class MarkedQuery:
    """A page of the posts one user liked or bookmarked, as the service resolved it."""

    kind: Kind
    user_id: uuid.UUID
    viewer_id: uuid.UUID | None
    now: datetime
    limit: int
    offset: int
    # Posts that are not public show only to their author (`viewer_id`), or to everyone when set.
    include_hidden: bool = False


class EngagementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.posts = PostRepository(session)

    async def mark(self, kind: Kind, user_id: uuid.UUID, post_id: uuid.UUID) -> bool:
        """Insert the like or bookmark; False when it was already there (nothing written)."""
        table = _TABLES[kind]
        inserted = await self.session.scalar(
            pg_insert(table)
            .values(user_id=user_id, post_id=post_id)
            .on_conflict_do_nothing()
            .returning(table.post_id)
        )
        return inserted is not None

    async def unmark(self, kind: Kind, user_id: uuid.UUID, post_id: uuid.UUID) -> bool:
        """Delete the like or bookmark; False when there was none."""
        table = _TABLES[kind]
        removed = await self.session.scalar(
            delete(table)
            .where(table.user_id == user_id, table.post_id == post_id)
            .returning(table.post_id)
        )
        return removed is not None

    async def increment(self, post_id: uuid.UUID, counter: Counter, by: int = 1) -> int:
        """Move one of the post's counters by `by` in SQL; its new value."""
        return await self.posts.increment(post_id, counter, by)

    async def counter(self, post_id: uuid.UUID, counter: Counter) -> int:
        return await self.posts.counter(post_id, counter)

    async def marked_posts(self, query: MarkedQuery) -> tuple[list[PostRecord], int]:
        """The posts a user liked or bookmarked, newest mark first, and how many there are."""
        table = _TABLES[query.kind]
        conditions = self._marked_conditions(table, query)
        page = (
            select(Post.id, table.created_at.label("marked_at"))
            .join(table, table.post_id == Post.id)
            .where(*conditions)
            .order_by(table.created_at.desc(), Post.id.desc())
            .limit(query.limit)
            .offset(query.offset)
            .subquery("page")
        )
        order = [page.c.marked_at.desc(), page.c.id.desc()]
        records = await self.posts.records_for(page, order, query.viewer_id)
        total = await self.session.scalar(
            select(func.count())
            .select_from(table)
            .join(Post, Post.id == table.post_id)
            .where(*conditions)
        )
        return records, int(total or 0)

    def _marked_conditions(
        self, table: type[Like] | type[Bookmark], query: MarkedQuery
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [
            table.user_id == query.user_id,
            Post.deleted_at.is_(None),
        ]
        if not query.include_hidden:
            public = PUBLIC.where(query.now)
            own = Post.author_id == query.viewer_id if query.viewer_id else literal(False)
            conditions.append(or_(public, own))
        return conditions

    # Views

    async def lock_viewer(self, key: int) -> None:
        """Serialise the views of one viewer of one post until the transaction ends."""
        await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def add_view_unless_recent(
        self,
        *,
        post_id: uuid.UUID,
        user_id: uuid.UUID | None,
        viewer_hash: bytes,
        window: timedelta,
        view_id: uuid.UUID,
    ) -> bool:
        """Record a view unless this viewer has one for the post within `window`; was it new?"""
        recent = (
            select(PostViewEvent.id)
            .where(
                PostViewEvent.post_id == post_id,
                PostViewEvent.viewer_hash == viewer_hash,
                PostViewEvent.seen_at > func.now() - window,
            )
            .exists()
        )
        row = select(
            literal(view_id).label("id"),
            literal(post_id).label("post_id"),
            literal(user_id, type_=PostViewEvent.user_id.type).label("user_id"),
            literal(viewer_hash, type_=PostViewEvent.viewer_hash.type).label("viewer_hash"),
        ).where(~recent)
        inserted = await self.session.scalar(
            pg_insert(PostViewEvent)
            .from_select(["id", "post_id", "user_id", "viewer_hash"], row)
            .returning(PostViewEvent.id)
        )
        return inserted is not None

    async def views_per_day(self, post_id: uuid.UUID, since: date) -> dict[date, int]:
        """Views of the post per UTC day from `since` on, counted in SQL."""
        day = cast(func.timezone(text("'UTC'"), PostViewEvent.seen_at), Date).label("day")
        start = datetime(since.year, since.month, since.day, tzinfo=UTC)
        rows = await self.session.execute(
            select(day, func.count())
            .where(PostViewEvent.post_id == post_id, PostViewEvent.seen_at >= start)
            .group_by(day)
        )
        return {row[0]: int(row[1]) for row in rows}
