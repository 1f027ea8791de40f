"""The personal feed: who sees what, and its keyset paging."""

from __future__ import annotations

from dataclasses import dataclass

from inkwell.core.clock import utcnow
from inkwell.feeds.repository import FeedRepository
from inkwell.models.user import User
from inkwell.posts.cursors import decode_cursor, encode_cursor
from inkwell.posts.records import PostPage, PostRecord
from inkwell.tags.repository import TagRepository

_SORT = "newest"  # the feed's cursors are those of GET /posts?sort=newest


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: list[PostRecord]
    next_cursor: str | None


class FeedService:
    def __init__(self, *, feeds: FeedRepository, tags: TagRepository) -> None:
        self.feeds = feeds
        self.tags = tags

    async def feed(
        self, *, user: User, tag: str | None, cursor: str | None, page_size: int
    ) -> FeedPage:
        """Listed public posts of the authors the user follows, newest first; one tag optional."""
        after = decode_cursor(cursor, _SORT) if cursor else None
        tag_id = None
        if tag is not None:
            tag_id = (await self.tags.ids_by_slug([tag])).get(tag)
            if tag_id is None:  # an unknown tag: nothing can match
                return FeedPage(items=[], next_cursor=None)
        items = await self.feeds.page(
            user.id, now=utcnow(), tag_id=tag_id, after=after, limit=page_size
        )
        full = len(items) == page_size
        return FeedPage(
            items=items, next_cursor=encode_cursor(items[-1].post, _SORT) if full else None
        )

    async def feed_slice(self, *, user: User, limit: int, offset: int) -> PostPage:
        """The feed newest first with `offset` posts skipped, and how many posts it holds."""
        now = utcnow()
        items = await self.feeds.page(
            user.id, now=now, tag_id=None, after=None, limit=limit, offset=offset
        )
        total = await self.feeds.count(user.id, now=now)
        return PostPage(items=items, total=total, page=offset // limit + 1, page_size=limit)
