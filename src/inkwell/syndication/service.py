"""Which posts a feed or the sitemap shows: listed public posts only, newest first."""

from __future__ import annotations

from math import ceil

from inkwell.core.clock import utcnow
from inkwell.syndication.exceptions import SitemapNotFound
from inkwell.syndication.records import FeedPage, FeedScope, SitemapEntry
from inkwell.syndication.repository import SyndicationRepository
from inkwell.tags.exceptions import TagNotFound
from inkwell.users.exceptions import UserNotFound

SITE = FeedScope(kind="site")


class SyndicationService:
    def __init__(self, *, repository: SyndicationRepository) -> None:
        self.repository = repository

    async def site_feed(self, *, limit: int, full: bool) -> FeedPage:
        """The newest listed posts of the whole site."""
        items = await self.repository.items(now=utcnow(), limit=limit, full=full)
        return FeedPage(scope=SITE, items=items, full_content=full)

    async def author_feed(self, *, username: str, limit: int, full: bool) -> FeedPage:
        """The newest listed posts of one author; an unknown or deleted account is a 404."""
        found = await self.repository.author(username)
        if found is None:
            raise UserNotFound
        author_id, name, display_name = found
        items = await self.repository.items(
            now=utcnow(), limit=limit, full=full, author_id=author_id
        )
        scope = FeedScope(kind="author", key=name, name=display_name or name)
        return FeedPage(scope=scope, items=items, full_content=full)

    async def tag_feed(self, *, slug: str, limit: int, full: bool) -> FeedPage:
        """The newest listed posts with one tag; an unknown tag is a 404."""
        found = await self.repository.tag(slug)
        if found is None:
            raise TagNotFound
        tag_id, name = found
        items = await self.repository.items(now=utcnow(), limit=limit, full=full, tag_id=tag_id)
        return FeedPage(
            scope=FeedScope(kind="tag", key=slug, name=name), items=items, full_content=full
        )

    async def sitemap_files(self, *, per_file: int) -> int:
        """How many sitemap files the listed posts fill (one at least, maybe empty)."""
        return max(1, ceil(await self.repository.count_listed(utcnow()) / per_file))

    async def sitemap_file(self, *, number: int, per_file: int) -> list[SitemapEntry]:
        """The posts of sitemap file `number` (from 1); past the last one is a 404."""
        if number > await self.sitemap_files(per_file=per_file):
            raise SitemapNotFound
        offset = (number - 1) * per_file
        return await self.repository.sitemap_entries(now=utcnow(), offset=offset, limit=per_file)
