"""Every query on series and their posts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Subquery, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.post import Post
from inkwell.models.series import Series, SeriesPost
from inkwell.models.user import User


class SeriesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, series: Series) -> bool:
        """Insert a series; false when its slug is taken."""
        self.session.add(series)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def save(self, series: Series) -> bool:
        """Write a series' changes; false when its new slug is taken."""
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            return False
        await self.session.refresh(series, ["updated_at"])
        return True

    async def delete(self, series: Series) -> None:
        await self.session.delete(series)
        await self.session.flush()

    async def get(self, series_id: uuid.UUID, *, lock: bool = False) -> Series | None:
        statement = select(Series).where(Series.id == series_id)
        return await self.session.scalar(statement.with_for_update() if lock else statement)

    async def get_by_slug(self, slug: str, *, lock: bool = False) -> Series | None:
        statement = select(Series).where(Series.slug == slug)
        return await self.session.scalar(statement.with_for_update() if lock else statement)

    async def slug_taken(self, slug: str) -> bool:
        return bool(
            await self.session.scalar(select(select(Series.id).where(Series.slug == slug).exists()))
        )

    async def owner(self, owner_id: uuid.UUID) -> User | None:
        return await self.session.get(User, owner_id)

    async def newest(
        self, *, owner: str | None, limit: int, offset: int
    ) -> tuple[list[tuple[Series, User]], int]:
        """Series newest first, with their owners (active accounts only); `owner`: only the
        series of that username."""
        conditions: list[ColumnElement[bool]] = [
            User.deleted_at.is_(None),
            User.is_active.is_(True),
        ]
        if owner is not None:
            conditions.append(func.lower(User.username) == owner.lower())
        rows = await self.session.execute(
            select(Series, User)
            .join(User, User.id == Series.owner_id)
            .where(*conditions)
            .order_by(Series.created_at.desc(), Series.id.desc())
            .limit(limit)
            .offset(offset)
        )
        total = await self.session.scalar(
            select(func.count())
            .select_from(Series)
            .join(User, User.id == Series.owner_id)
            .where(*conditions)
        )
        return [(row[0], row[1]) for row in rows], int(total or 0)

    @staticmethod
    def in_order(series_id: uuid.UUID) -> tuple[Subquery, list[Any]]:
        """The series' live posts (column `id`) and their order, for `PostReads.records_for`."""
        chosen = (
            select(SeriesPost.post_id.label("id"), SeriesPost.position.label("position"))
            .join(Post, Post.id == SeriesPost.post_id)
            .where(SeriesPost.series_id == series_id, Post.deleted_at.is_(None))
            .subquery("chosen")
        )
        return chosen, [chosen.c.position]

    async def post_ids(self, series_id: uuid.UUID) -> list[uuid.UUID]:
        """The series' posts in order."""
        rows = await self.session.scalars(
            select(SeriesPost.post_id)
            .where(SeriesPost.series_id == series_id)
            .order_by(SeriesPost.position)
        )
        return list(rows)

    async def live_posts(self, post_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Post]:
        """The live posts among `post_ids`, by id."""
        if not post_ids:
            return {}
        posts = await self.session.scalars(
            select(Post).where(Post.id.in_(post_ids), Post.deleted_at.is_(None))
        )
        return {post.id: post for post in posts}

    async def in_other_series(
        self, series_id: uuid.UUID, post_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `post_ids` that another series holds."""
        if not post_ids:
            return set()
        rows = await self.session.scalars(
            select(SeriesPost.post_id).where(
                SeriesPost.post_id.in_(post_ids), SeriesPost.series_id != series_id
            )
        )
        return set(rows)

    async def replace_posts(self, series_id: uuid.UUID, post_ids: Sequence[uuid.UUID]) -> bool:
        """Make `post_ids` the series' posts, in that order; false when a post was taken into
        another series meanwhile."""
        await self.session.execute(delete(SeriesPost).where(SeriesPost.series_id == series_id))
        if not post_ids:
            return True
        rows = [
            {"series_id": series_id, "post_id": post_id, "position": n}
            for n, post_id in enumerate(post_ids, start=1)
        ]
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(SeriesPost), rows)
        except IntegrityError:
            return False
        return True

    async def touch_posts(self, post_ids: Sequence[uuid.UUID]) -> None:
        """Bump the posts' versions: what their reads show of the series changed, so their
        ETags must too."""
        if post_ids:
            await self.session.execute(
                update(Post)
                .where(Post.id.in_(post_ids))
                .values(version=Post.version + 1, updated_at=Post.updated_at),
                execution_options={"synchronize_session": False},
            )
