"""Every query of syndication: the listed posts of a feed and of the sitemap."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    DateTime,
    Uuid,
    bindparam,
    exists,
    func,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.db import DriverSelect
from inkwell.models.post import Post, PostTag, Tag
from inkwell.models.user import User
from inkwell.models.visibility import LISTED
from inkwell.syndication.records import Enclosure, FeedItem, SitemapEntry

_TAG_NAMES = (
    select(func.array_agg(aggregate_order_by(Tag.name, PostTag.position)))
    .select_from(PostTag)
    .join(Tag, Tag.id == PostTag.tag_id)
    .where(PostTag.post_id == Post.id)
    .scalar_subquery()
)


def _item(row: Mapping[str, Any]) -> FeedItem:
    return FeedItem(
        id=row["id"],
        title=row["title"],
        slug=row["slug"],
        summary=row["summary"],
        content_html=row["content_html"],
        published_at=row["published_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        author_username=row["username"],
        author_name=row["display_name"],
        tags=list(row["tags"] or ()),
        cover=_enclosure(row["cover"]),
    )


def _enclosure(cover: dict[str, Any] | None) -> Enclosure | None:
    """The cover's processed original (what `posts.cover` copies of the upload), if any."""
    original = (cover or {}).get("original")
    if not original:
        return None
    return Enclosure(original["url"], original["content_type"], int(original["byte_size"]))


class SyndicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def author(self, username: str) -> tuple[uuid.UUID, str, str | None] | None:
        """A live account's id, username and display name, by its username (any case)."""
        statement = select(User.id, User.username, User.display_name).where(
            func.lower(User.username) == username.lower(), User.deleted_at.is_(None)
        )
        row = (await self.session.execute(statement)).first()
        return (row.id, row.username, row.display_name) if row else None

    async def tag(self, slug: str) -> tuple[uuid.UUID, str] | None:
        """A tag's id and name, by its slug."""
        row = (await self.session.execute(select(Tag.id, Tag.name).where(Tag.slug == slug))).first()
        return (row.id, row.name) if row else None

    async def items(
        self,
        *,
        now: datetime,
        limit: int,
        full: bool,
        author_id: uuid.UUID | None = None,
        tag_id: uuid.UUID | None = None,
    ) -> list[FeedItem]:
        """The newest listed posts (of an author, or with a tag), in one statement."""
        params = {"now": now, "limit": limit, "author_id": author_id, "tag_id": tag_id}
        statement = _items_statement(full, author_id is not None, tag_id is not None)
        rows = await statement.mappings(
            self.session, {k: v for k, v in params.items() if v is not None}
        )
        return [_item(row) for row in rows]

    async def count_listed(self, now: datetime) -> int:
        """How many posts are listed now (the sitemap's URLs)."""
        statement = select(func.count()).select_from(Post).where(LISTED.where(now))
        return int(await self.session.scalar(statement) or 0)

    async def sitemap_entries(
        self, *, now: datetime, offset: int, limit: int
    ) -> list[SitemapEntry]:
        """Listed posts' slugs and last changes, newest first, `offset` skipped."""
        statement = (
            select(Post.slug, func.greatest(Post.updated_at, Post.published_at).label("modified"))
            .where(LISTED.where(now))
            .order_by(Post.published_at.desc(), Post.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = await self.session.execute(statement)
        return [SitemapEntry(slug=row.slug, modified_at=row.modified) for row in rows]


_NOW = bindparam("now", type_=DateTime(timezone=True))


@lru_cache(maxsize=8)
def _items_statement(full: bool, by_author: bool, by_tag: bool) -> DriverSelect:
    """A feed's statement, built once per shape; read sessions run it on the driver itself."""
    content = Post.content_html if full else null()
    conditions = [LISTED.where(_NOW)]
    if by_author:
        conditions.append(Post.author_id == bindparam("author_id", type_=Uuid()))
    if by_tag:
        tag = bindparam("tag_id", type_=Uuid())
        conditions.append(exists().where(PostTag.post_id == Post.id, PostTag.tag_id == tag))
    columns: list[Any] = [
        Post.id,
        Post.title,
        Post.slug,
        Post.summary,
        content.label("content_html"),
        Post.published_at,
        Post.updated_at,
        Post.version,
        User.username,
        User.display_name,
        _TAG_NAMES.label("tags"),
        Post.cover,
    ]
    statement = (
        select(*columns)
        .join(User, User.id == Post.author_id)
        .where(*conditions)
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(bindparam("limit"))
    )
    return DriverSelect(statement)
