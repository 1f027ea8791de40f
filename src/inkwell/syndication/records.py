"""What the syndication repository hands back, and the feeds the service builds from it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file attached to an item (a post's cover image): its URL, media type and size."""

    url: str
    media_type: str
    length: int


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A listed post as a feed shows it; `content_html` is None when the feed shows excerpts."""

    id: uuid.UUID
    title: str
    slug: str
    summary: str
    content_html: str | None
    published_at: datetime
    updated_at: datetime
    version: int
    author_username: str
    author_name: str | None
    tags: list[str]
    # The post's cover image (its processed original), as an enclosure in every format.
    cover: Enclosure | None = None

    @property
    def modified_at(self) -> datetime:
        """When the item last changed for a reader: its edit, or its (later) publication."""
        return max(self.updated_at, self.published_at)


@dataclass(frozen=True, slots=True)
class FeedScope:
    """Whose posts a feed holds: the site's, an author's or a tag's."""

    kind: str  # "site", "author" or "tag"
    key: str = ""  # the author's username or the tag's slug
    name: str = ""  # the author's shown name or the tag's name


@dataclass(frozen=True, slots=True)
class FeedPage:
    """A feed's items, newest first, with the scope they were chosen by."""

    scope: FeedScope
    items: list[FeedItem]
    full_content: bool

    @property
    def modified_at(self) -> datetime | None:
        return max((item.modified_at for item in self.items), default=None)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    slug: str
    modified_at: datetime
