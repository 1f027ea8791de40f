"""Tag rules: the public tags (those of public posts), with how many public posts each has.

The tag endpoints are public-only for everyone, authors included: a tag that only drafts or
scheduled posts use is not listed and answers 404, as one that does not exist.
"""

from __future__ import annotations

from inkwell.core.clock import utcnow
from inkwell.core.slugs import is_slug
from inkwell.tags.exceptions import TagNotFound
from inkwell.tags.records import TagPage, TagRecord, TagSort
from inkwell.tags.repository import TagRepository


class TagService:
    def __init__(self, *, tags: TagRepository) -> None:
        self.tags = tags

    async def list(self, *, sort: TagSort, page: int, page_size: int) -> TagPage:
        """A page of the public tags with their counts of public posts."""
        items, total = await self.tags.list(
            now=utcnow(), sort=sort, limit=page_size, offset=(page - 1) * page_size
        )
        return TagPage(items=items, total=total, page=page, page_size=page_size)

    async def get(self, *, slug: str) -> TagRecord:
        """One public tag by slug, with its count of public posts; TagNotFound otherwise."""
        tag = await self.tags.get(slug=slug, now=utcnow()) if is_slug(slug) else None
        if tag is None:
            raise TagNotFound
        return tag
