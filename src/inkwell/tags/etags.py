"""ETags of tag reads, computed from the records the repository returned, not the body."""

from __future__ import annotations

from collections.abc import Iterable

from inkwell.core.http_cache import weak_etag
from inkwell.tags.records import TagPage, TagRecord


def tag_key(tag: TagRecord) -> str:
    """Every value of a tag that a response shows, as one text."""
    return f"{tag.slug}:{tag.name}:{tag.description!r}:{tag.post_count}"


def tags_etag(tags: Iterable[TagRecord], *numbers: object) -> str:
    """The ETag of a list of tags and the numbers its page shows."""
    return weak_etag(*numbers, *map(tag_key, tags))


def page_etag(page: TagPage) -> str:
    """The ETag of a page of tags."""
    return tags_etag(page.items, page.total, page.page, page.page_size)
