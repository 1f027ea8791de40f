"""Every query on tags."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.ids import uuid7
from inkwell.models.post import Post, PostTag, Tag
from inkwell.models.visibility import LISTED
from inkwell.tags.records import TagRecord, TagSort


def _used_publicly(now: datetime) -> Any:
    """Whether a public post (listed, published by `now`) carries the tag: what makes a tag
    public. A tag used only by drafts, scheduled or archived posts is not shown anywhere."""
    return (
        select(PostTag.post_id)
        .join(Post, Post.id == PostTag.post_id)
        .where(PostTag.tag_id == Tag.id, LISTED.where(now))
        .exists()
    )


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(self, tags: Sequence[tuple[str, str]]) -> list[uuid.UUID]:
        """Ids of the tags given as (name, slug), creating the missing ones; in the same order."""
        if not tags:
            return []
        statement = (
            pg_insert(Tag)
            .values([{"id": uuid7(), "name": name, "slug": slug} for name, slug in tags])
            .on_conflict_do_nothing()
        )
        await self.session.execute(statement)
        slugs = [slug for _, slug in tags]
        rows = await self.session.execute(select(Tag.slug, Tag.id).where(Tag.slug.in_(slugs)))
        ids: dict[str, uuid.UUID] = {row.slug: row.id for row in rows}
        return [ids[slug] for slug in slugs]

    async def ids_by_slug(self, slugs: Sequence[str]) -> dict[str, uuid.UUID]:
        """The ids of the tags that exist among `slugs`."""
        rows = await self.session.execute(select(Tag.slug, Tag.id).where(Tag.slug.in_(slugs)))
        return {row.slug: row.id for row in rows}

    def _public_counts(self, now: datetime, tag_ids: Any = None) -> Any:
        """Public posts per tag in one grouped pass (optionally only for some tags)."""
        query = (
            select(PostTag.tag_id, func.count().label("n"))
            .join(Post, Post.id == PostTag.post_id)
            .where(LISTED.where(now))
            .group_by(PostTag.tag_id)
        )
        if tag_ids is not None:
            query = query.where(PostTag.tag_id.in_(tag_ids))
        return query.subquery("counts")

    def _counted(self, now: datetime) -> Any:
        public = LISTED.where(now)
        count = (
            select(func.count())
            .select_from(PostTag)
            .join(Post, Post.id == PostTag.post_id)
            .where(PostTag.tag_id == Tag.id, public)
            .scalar_subquery()
            .label("post_count")
        )
        return select(Tag.name, Tag.slug, Tag.description, count).where(_used_publicly(now))

    def _by_count(self, now: datetime, limit: int, offset: int) -> Any:
        counts = self._public_counts(now)
        return (
            select(Tag.name, Tag.slug, Tag.description, counts.c.n, func.count().over())
            .join(counts, counts.c.tag_id == Tag.id)
            .order_by(counts.c.n.desc(), func.lower(Tag.name), Tag.slug)
            .limit(limit)
            .offset(offset)
        )

    def _by_name(self, now: datetime, limit: int, offset: int) -> Any:
        page = (
            select(Tag.id, func.count().over().label("total"))
            .where(_used_publicly(now))
            .order_by(func.lower(Tag.name), Tag.slug)
            .limit(limit)
            .offset(offset)
        )
        chosen = page.subquery("page")
        counts = self._public_counts(now, select(chosen.c.id))
        return (
            select(Tag.name, Tag.slug, Tag.description, counts.c.n, chosen.c.total)
            .join(chosen, chosen.c.id == Tag.id)
            .join(counts, counts.c.tag_id == Tag.id)
            .order_by(func.lower(Tag.name), Tag.slug)
        )

    async def list(
        self, *, now: datetime, sort: TagSort, limit: int, offset: int
    ) -> tuple[list[TagRecord], int]:
        """A page of public tags with their public post counts, and how many there are.

        By count, every tag's count is needed: one grouped pass, whose groups are the public
        tags. By name, each tag is a probe of `ix_post_tags_tag_id_post_id` that stops at its
        first public post, and only the page's tags are counted. Either way the page carries
        the total (`count(*) OVER ()`); only a page past the last counts apart.
        """
        by = self._by_count if sort == "count" else self._by_name
        rows = (await self.session.execute(by(now, limit, offset))).all()
        if rows:
            total = rows[0][-1]
        else:
            total = await self.session.scalar(
                select(func.count()).select_from(Tag).where(_used_publicly(now))
            )
        return [TagRecord(*row[:-1]) for row in rows], int(total or 0)

    async def get(self, *, slug: str, now: datetime) -> TagRecord | None:
        """A public tag by slug, with its public post count."""
        row = (await self.session.execute(self._counted(now).where(Tag.slug == slug))).first()
        return TagRecord(*row) if row else None
