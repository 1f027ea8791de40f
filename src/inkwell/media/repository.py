"""Every query on media rows."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.models.media import Media, MediaStatus
from inkwell.models.post import Post, PostVersion
from inkwell.models.user import User


class MediaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, media: Media) -> Media:
        self.session.add(media)
        await self.session.flush()
        return media

    async def get(self, media_id: uuid.UUID) -> Media | None:
        return await self.session.scalar(select(Media).where(Media.id == media_id))

    async def lock_owner(self, owner_id: uuid.UUID) -> None:
        """Hold the owner's row until the transaction ends, so one user's uploads count
        their quota one at a time."""
        await self.session.execute(select(User.id).where(User.id == owner_id).with_for_update())

    async def used_bytes(self, owner_id: uuid.UUID) -> int:
        """Bytes the owner's uploads count against the quota (failed ones count nothing)."""
        used = await self.session.scalar(
            select(func.coalesce(func.sum(Media.byte_size), 0)).where(
                Media.owner_id == owner_id, Media.status != MediaStatus.FAILED
            )
        )
        return int(used or 0)

    async def list_by_owner(
        self, owner_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[Media], int]:
        """One page of the owner's uploads, newest first, and how many there are."""
        rows = await self.session.scalars(
            select(Media)
            .where(Media.owner_id == owner_id)
            .order_by(Media.created_at.desc(), Media.id.desc())
            .limit(limit)
            .offset(offset)
        )
        total = await self.session.scalar(
            select(func.count()).select_from(Media).where(Media.owner_id == owner_id)
        )
        return list(rows), int(total or 0)

    async def sizes_of_files(self, keys: Collection[str]) -> dict[str, tuple[int, int]]:
        """Width and height of every stored file (original, variants) of the ready uploads
        with these keys, by file name."""
        metas = await self.session.scalars(
            select(Media.meta).where(Media.key.in_(keys), Media.status == MediaStatus.READY)
        )
        return {
            stored["name"]: (stored["width"], stored["height"])
            for meta in metas
            for stored in [meta["original"], *meta["variants"]]
        }

    async def by_keys(self, keys: Collection[str]) -> dict[str, Media]:
        """The uploads with these keys, by key (keys of no upload are absent)."""
        rows = await self.session.scalars(select(Media).where(Media.key.in_(keys)))
        return {media.key: media for media in rows}

    async def unused(self, before: datetime, limit: int) -> list[Media]:
        """Uploads made before `before` that no profile shows as avatar and no post (deleted
        ones too) uses as cover or names in its Markdown, now or in an older version (which
        a restore brings back)."""
        avatar = exists().where(User.avatar_media_id == Media.id)
        cover = exists().where(Post.cover_media_id == Media.id)
        inline = exists().where(func.strpos(Post.content_raw, Media.key) > 0)
        versioned = exists().where(func.strpos(PostVersion.content_raw, Media.key) > 0)
        rows = await self.session.scalars(
            select(Media)
            .where(Media.created_at < before, ~avatar, ~cover, ~inline, ~versioned)
            .order_by(Media.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows)

    async def clear_uses(self, media_id: uuid.UUID) -> None:
        """Profiles and posts showing this upload (avatar, cover) show none; a post's changed
        version gives it a new ETag."""
        await self.session.execute(
            update(User)
            .where(User.avatar_media_id == media_id)
            .values(avatar_media_id=None, avatar_url=None)
        )
        await self.session.execute(
            update(Post)
            .where(Post.cover_media_id == media_id)
            .values(
                cover_media_id=None, cover=None, version=Post.version + 1, updated_at=func.now()
            )
        )

    async def delete(self, media_id: uuid.UUID) -> None:
        await self.session.execute(delete(Media).where(Media.id == media_id))

    async def finish(
        self,
        media_id: uuid.UUID,
        *,
        status: MediaStatus,
        meta: dict[str, Any],
        reason: str | None,
        at: datetime | None,
    ) -> bool:
        """Record the job's outcome if the upload still waits for it."""
        result = await self.session.execute(
            update(Media)
            .where(Media.id == media_id, Media.status == MediaStatus.PROCESSING)
            .values(status=status, meta=meta, failure_reason=reason, ready_at=at)
        )
        return bool(getattr(result, "rowcount", 0))
