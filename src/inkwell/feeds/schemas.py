"""Response models of the feed."""

from __future__ import annotations

from inkwell.core.schemas import OutputModel
from inkwell.feeds.service import FeedPage
from inkwell.posts.schemas import PostSummary


class Feed(OutputModel):
    """A page of the feed; pass `next_cursor` back as `cursor` for the next one (null: the end)."""

    items: list[PostSummary]
    next_cursor: str | None

    @classmethod
    def from_page(cls, page: FeedPage) -> Feed:
        return cls(
            items=[PostSummary.from_record(r) for r in page.items], next_cursor=page.next_cursor
        )
