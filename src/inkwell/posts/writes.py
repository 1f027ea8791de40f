"""Changing posts: locking them for an edit, inserting and saving, slugs, tags, counters,
versions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from inkwell.core.ids import uuid7
from inkwell.models.post import Post, PostSlug, PostStatus, PostTag, PostVersion
from inkwell.models.series import SeriesPost
from inkwell.posts.exceptions import SlugTaken
from inkwell.posts.reads import Counter


def _slug_conflict(error: IntegrityError) -> bool:
    constraint = getattr(getattr(error.orig, "__cause__", None), "constraint_name", None)
    return constraint == "uq_posts_slug_live"


class PostWrites:
    session: AsyncSession

    async def get_for_update(self, post_id: uuid.UUID) -> Post | None:
        """A live post, locked until the end of the transaction."""
        return await self.session.scalar(
            select(Post).where(Post.id == post_id, Post.deleted_at.is_(None)).with_for_update()
        )

    async def lock_due_scheduled(self, now: datetime, limit: int) -> Sequence[Post]:
        """Scheduled posts whose time has come, oldest first, locked (those another
        transaction holds are skipped: it is changing them)."""
        query = (
            select(Post)
            .where(
                Post.status == PostStatus.SCHEDULED,
                Post.deleted_at.is_(None),
                Post.published_at <= now,
            )
            .order_by(Post.published_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def get_for_update_by_slug(self, slug: str) -> Post | None:
        """A live post by its current slug, locked until the end of the transaction."""
        return await self.session.scalar(
            select(Post).where(Post.slug == slug, Post.deleted_at.is_(None)).with_for_update()
        )

    async def taken_slugs(
        self, candidates: Sequence[str], exclude: uuid.UUID | None = None
    ) -> set[str]:
        """Which of the candidates live posts use."""
        query = select(Post.slug).where(Post.slug.in_(candidates), Post.deleted_at.is_(None))
        if exclude is not None:
            query = query.where(Post.id != exclude)
        return set(await self.session.scalars(query))

    async def add(self, post: Post) -> bool:
        """Insert a new post; False (and nothing written) when another post took its slug."""
        try:
            async with self.session.begin_nested():
                self.session.add(post)
                await self.session.flush()
        except IntegrityError as error:
            if not _slug_conflict(error):
                raise
            return False
        return True

    async def flush(self) -> None:
        """Flush, turning a lost race for a slug into SlugTaken."""
        try:
            await self.session.flush()
        except IntegrityError as error:
            if not _slug_conflict(error):
                raise
            raise SlugTaken from error

    async def save(self, post: Post) -> None:
        """Write the changes made to `post` and bump its version (in SQL)."""
        post.version = Post.version + 1
        await self.flush()
        await self.session.refresh(post, ["version", "updated_at"])
        await self._bump_series_neighbours(post.id)

    async def _bump_series_neighbours(self, post_id: uuid.UUID) -> None:
        """The other posts of the post's series show it as a neighbour (its title, slug,
        whether it is readable): their versions, and so their ETags, move too."""
        link, other = aliased(SeriesPost), aliased(SeriesPost)
        siblings = (
            select(other.post_id)
            .join(link, link.series_id == other.series_id)
            .where(link.post_id == post_id, other.post_id != post_id)
        )
        await self.session.execute(
            update(Post)
            .where(Post.id.in_(siblings))
            .values(version=Post.version + 1, updated_at=Post.updated_at),
            execution_options={"synchronize_session": False},
        )

    async def remember_slug(self, post_id: uuid.UUID, slug: str) -> None:
        """Keep an old slug pointing at its post (the newest owner wins)."""
        statement = pg_insert(PostSlug).values(slug=slug, post_id=post_id)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[PostSlug.slug],
                set_={"post_id": statement.excluded.post_id, "created_at": func.now()},
            )
        )

    async def set_tags(self, post_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(delete(PostTag).where(PostTag.post_id == post_id))
        if tag_ids:
            await self.session.execute(
                insert(PostTag),
                [
                    {"post_id": post_id, "tag_id": tag_id, "position": n}
                    for n, tag_id in enumerate(tag_ids)
                ],
            )

    async def increment(self, post_id: uuid.UUID, counter: Counter, by: int = 1) -> int:
        """Change a denormalised counter in SQL (`SET n = n + 1`); the new value.

        Never read-modify-write. `updated_at` is kept: a like or a view is not an edit.
        """
        column = getattr(Post, counter)
        value = await self.session.scalar(
            update(Post)
            .where(Post.id == post_id)
            .values({column: column + by, Post.updated_at: Post.updated_at})
            .returning(column)
            .execution_options(synchronize_session=False)
        )
        return int(value or 0)

    # Versions

    async def add_version(self, post: Post, editor_id: uuid.UUID | None) -> None:
        """Save the post's title, summary, content and metadata as its next version."""
        number = (
            select(func.coalesce(func.max(PostVersion.version), 0) + 1)
            .where(PostVersion.post_id == post.id)
            .scalar_subquery()
        )
        await self.session.execute(
            insert(PostVersion).values(
                id=uuid7(),
                post_id=post.id,
                version=number,
                title=post.title,
                summary=post.summary,
                content_raw=post.content_raw,
                meta=post.meta,
                editor_id=editor_id,
            )
        )
