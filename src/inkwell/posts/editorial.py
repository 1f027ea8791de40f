"""Queries of the editorial flow: a post's authors, its reviews and the review queue."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.ids import uuid7
from inkwell.models.post import Post, PostAuthor, PostReview, PostStatus
from inkwell.models.user import User
from inkwell.posts.reads import VIEWER_SUMMARIES, to_record
from inkwell.posts.records import PostRecord

_IN_REVIEW = (Post.status == PostStatus.PENDING_REVIEW, Post.deleted_at.is_(None))


class PostEditorial:
    session: AsyncSession

    async def is_coauthor(self, post_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        """Is the user among the post's co-authors (a probe of post_authors' primary key)?"""
        found = await self.session.scalar(
            select(exists().where(PostAuthor.post_id == post_id, PostAuthor.user_id == user_id))
        )
        return bool(found)

    async def active_user_ids(self, usernames: Sequence[str]) -> dict[str, uuid.UUID]:
        """The ids of the live, active accounts among these usernames, by lower-case name."""
        rows = await self.session.execute(
            select(func.lower(User.username), User.id).where(
                func.lower(User.username).in_([name.lower() for name in usernames]),
                User.is_active.is_(True),
                User.deleted_at.is_(None),
            )
        )
        return {row[0]: row[1] for row in rows}

    async def set_coauthors(self, post_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> None:
        """Replace the post's co-authors with these, in this order (positions from 1)."""
        await self.session.execute(delete(PostAuthor).where(PostAuthor.post_id == post_id))
        if user_ids:
            rows = [
                {"post_id": post_id, "user_id": u, "position": n} for n, u in enumerate(user_ids, 1)
            ]
            await self.session.execute(insert(PostAuthor), rows)

    async def add_review(
        self, post_id: uuid.UUID, reviewer_id: uuid.UUID, outcome: str, note: str | None
    ) -> None:
        await self.session.execute(
            insert(PostReview).values(
                id=uuid7(), post_id=post_id, reviewer_id=reviewer_id, outcome=outcome, note=note
            )
        )

    async def list_reviews(self, post_id: uuid.UUID) -> list[tuple[PostReview, str | None]]:
        """The post's reviews, newest first, with the reviewer's username."""
        rows = await self.session.execute(
            select(PostReview, User.username)
            .outerjoin(User, User.id == PostReview.reviewer_id)
            .where(PostReview.post_id == post_id)
            .order_by(PostReview.created_at.desc(), PostReview.id.desc())
        )
        return [(row[0], row[1]) for row in rows]

    async def list_in_review(
        self, viewer_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[PostRecord], int]:
        """Posts waiting for an editor, the longest waiting first."""
        statement = (
            VIEWER_SUMMARIES.where(*_IN_REVIEW)
            .order_by(Post.updated_at, Post.id)
            .limit(limit)
            .offset(offset)
        )
        result = await (await self.session.connection()).execute(
            statement, {"viewer_id": viewer_id}
        )
        rows: Sequence[Any] = result.mappings().all()
        total = await self.session.scalar(select(func.count()).select_from(Post).where(*_IN_REVIEW))
        return [to_record(row, show_raw=True) for row in rows], int(total or 0)
