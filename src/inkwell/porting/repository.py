"""Every statement of imports: the map of what was imported, and set-based inserts."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.comment import Comment
from inkwell.models.engagement import Bookmark, Follow, Like
from inkwell.models.porting import ExportJob, ImportedRecord, ImportJob
from inkwell.models.post import Post, PostSlug, PostTag, PostVersion, Tag
from inkwell.models.user import User

ROWS_PER_STATEMENT = 1000  # three columns a row: far below PostgreSQL's 32,767 parameters
RELATION_TABLES: dict[str, Any] = {"like": Like, "bookmark": Bookmark, "follow": Follow}


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known(self, source: str, kind: str, keys: Collection[str]) -> dict[str, uuid.UUID]:
        """Which of these keys of the source an earlier run imported, and what they became."""
        if not keys:
            return {}
        rows = await self.session.execute(
            select(ImportedRecord.external_id, ImportedRecord.target_id).where(
                ImportedRecord.source == source,
                ImportedRecord.kind == kind,
                ImportedRecord.external_id.in_(keys),
            )
        )
        return {row.external_id: row.target_id for row in rows}

    async def existing_posts(self, keys: Collection[str]) -> dict[str, uuid.UUID]:
        """Which of these keys are the ids of posts here."""
        ids = [uuid.UUID(key) for key in keys]
        found = await self.session.scalars(select(Post.id).where(Post.id.in_(ids)))
        return {str(post_id): post_id for post_id in found}

    async def remember(
        self, source: str, kind: str, rows: Sequence[tuple[str, uuid.UUID, str | None]]
    ) -> None:
        if rows:
            values = [
                {"source": source, "kind": kind, "external_id": k, "target_id": t, "url": u}
                for k, t, u in rows
            ]
            await self.session.execute(pg_insert(ImportedRecord).on_conflict_do_nothing(), values)

    async def users_by_email(self, emails: Collection[str]) -> dict[str, uuid.UUID]:
        if not emails:
            return {}
        rows = await self.session.execute(
            select(User.email, User.id).where(User.email.in_([e.lower() for e in emails]))
        )
        return {row.email: row.id for row in rows}

    async def taken_usernames(self, candidates: Collection[str]) -> set[str]:
        lowered = [c.lower() for c in candidates]
        found = await self.session.scalars(
            select(func.lower(User.username)).where(func.lower(User.username).in_(lowered))
        )
        return set(found)

    async def taken_slugs(self, candidates: Collection[str]) -> set[str]:
        """Which of the candidates live posts use or old slugs keep."""
        live = select(Post.slug).where(Post.slug.in_(candidates), Post.deleted_at.is_(None))
        old = select(PostSlug.slug).where(PostSlug.slug.in_(candidates))
        return set(await self.session.scalars(live.union(old)))

    async def insert_rows(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Insert many rows of users, posts, tags of posts, versions or comments at once."""
        if rows:
            await self.session.execute(insert(table), rows)

    async def add_old_slugs(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(pg_insert(PostSlug).on_conflict_do_nothing(), rows)

    async def add_relations(self, kind: str, rows: Sequence[dict[str, Any]]) -> int:
        """Insert likes, bookmarks or follows, leaving those already there; how many new."""
        added = 0
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = list(rows[start : start + ROWS_PER_STATEMENT])
            statement = pg_insert(RELATION_TABLES[kind]).values(chunk).on_conflict_do_nothing()
            result = await self.session.execute(statement)
            added += int(getattr(result, "rowcount", 0) or 0)
        return added

    async def recount(self, post_ids: Collection[uuid.UUID]) -> None:
        """Set the like and bookmark counters of these posts from their rows."""
        if not post_ids:
            return
        likes = select(func.count()).where(Like.post_id == Post.id).scalar_subquery()
        marks = select(func.count()).where(Bookmark.post_id == Post.id).scalar_subquery()
        await self.session.execute(
            update(Post)
            .where(Post.id.in_(post_ids))
            .values(likes_count=likes, bookmarks_count=marks, updated_at=Post.updated_at)
            .execution_options(synchronize_session=False)
        )


class ExportRepository:
    """The rows of a site's (or one user's) data, as plain dictionaries for export.json."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, statement: Any) -> list[dict[str, Any]]:
        return [dict(row) for row in (await self.session.execute(statement)).mappings()]

    async def users(self, user_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        statement = (
            select(
                User.id,
                User.username,
                User.email,
                User.display_name,
                User.bio,
                User.role,
                User.created_at,
            )
            .where(User.deleted_at.is_(None))
            .order_by(User.created_at, User.id)
        )
        if user_id is not None:
            statement = statement.where(User.id == user_id)
        return await self._rows(statement)

    async def posts(self, author_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        tags = (
            select(
                func.coalesce(func.array_agg(aggregate_order_by(Tag.name, PostTag.position)), [])
            )
            .join(PostTag, PostTag.tag_id == Tag.id)
            .where(PostTag.post_id == Post.id)
            .scalar_subquery()
        )
        old = (
            select(func.coalesce(func.array_agg(PostSlug.slug), []))
            .where(PostSlug.post_id == Post.id)
            .scalar_subquery()
        )
        statement = (
            select(
                Post.id,
                Post.author_id,
                Post.title,
                Post.slug,
                Post.status,
                Post.published_at,
                Post.created_at,
                Post.updated_at,
                Post.summary,
                Post.content_raw,
                Post.allow_comments,
                Post.moderate_comments,
                tags.label("tags"),
                old.label("old_slugs"),
            )
            .where(Post.deleted_at.is_(None))
            .order_by(Post.created_at, Post.id)
        )
        if author_id is not None:
            statement = statement.where(Post.author_id == author_id)
        return await self._rows(statement)

    async def versions(self, author_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        statement = (
            select(
                PostVersion.post_id,
                PostVersion.version,
                PostVersion.title,
                PostVersion.summary,
                PostVersion.content_raw,
                PostVersion.editor_id,
                PostVersion.created_at,
            )
            .join(Post, Post.id == PostVersion.post_id)
            .where(Post.deleted_at.is_(None))
            .order_by(PostVersion.post_id, PostVersion.version)
        )
        if author_id is not None:
            statement = statement.where(Post.author_id == author_id)
        return await self._rows(statement)

    async def comments(self, author_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        statement = (
            select(
                Comment.id,
                Comment.post_id,
                Comment.author_id,
                Comment.parent_id,
                Comment.content_raw,
                Comment.status,
                Comment.created_at,
            )
            .join(Post, Post.id == Comment.post_id)
            .where(Comment.deleted_at.is_(None), Post.deleted_at.is_(None))
            .order_by(Comment.post_id, Comment.path)
        )
        if author_id is not None:
            statement = statement.where(Comment.author_id == author_id)
        return await self._rows(statement)

    async def relations(self, kind: str, user_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        table = RELATION_TABLES[kind]
        user_column = table.follower_id if kind == "follow" else table.user_id
        statement = select(table).order_by(table.created_at)
        if user_id is not None:
            statement = statement.where(user_column == user_id)
        rows = (await self.session.scalars(statement)).all()
        columns = table.__table__.columns.keys()
        return [{name: getattr(row, name) for name in columns} for row in rows]

    async def followers(self, user_id: uuid.UUID) -> list[dict[str, Any]]:
        return await self._rows(
            select(Follow.follower_id, Follow.followee_id, Follow.created_at).where(
                Follow.followee_id == user_id
            )
        )

    async def user_id(self, username: str) -> uuid.UUID | None:
        return await self.session.scalar(
            select(User.id).where(
                func.lower(User.username) == username.lower(), User.deleted_at.is_(None)
            )
        )


class JobRepository:
    """The rows of import and export jobs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job: ImportJob | ExportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def get_import(self, import_id: uuid.UUID) -> ImportJob | None:
        return await self.session.get(ImportJob, import_id)

    async def get_export(self, export_id: uuid.UUID) -> ExportJob | None:
        return await self.session.get(ExportJob, export_id)

    async def set_progress(self, import_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            update(ImportJob).where(ImportJob.id == import_id).values(**values)
        )

    async def set_export(self, export_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            update(ExportJob).where(ExportJob.id == export_id).values(**values)
        )

    async def expired_exports(self, now: datetime, limit: int) -> list[ExportJob]:
        """Exports whose archive time is over, locked (others running the sweep skip them)."""
        found = await self.session.scalars(
            select(ExportJob)
            .where(ExportJob.expires_at <= now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(found)

    async def delete_export(self, export_id: uuid.UUID) -> None:
        await self.session.execute(delete(ExportJob).where(ExportJob.id == export_id))
