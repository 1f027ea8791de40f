"""ETags of post reads, computed from the records the repository returned, not the body.

A list page's ETag covers what its body shows: each post's id, version and `updated_at`
(every edit through the ORM moves `updated_at`), its counters (which change without moving
it), its author's profile fields, its tags, the viewer's flags, search snippets and ranks, and
the page's own numbers (total, page, size, cursor). Hashing these costs a fraction of
rendering the page (docs/http-caching.md has the measurements).
"""

from __future__ import annotations

from collections.abc import Iterable

from inkwell.core.http_cache import weak_etag
from inkwell.posts.records import PostPage, PostRecord


def record_key(record: PostRecord) -> str:
    """The values of one post record that its summary shows, as one text."""
    post, author = record.post, record.author
    return (
        f"{post.id.int}:{post.version}:{post.updated_at.timestamp()}:{post.status}:"
        f"{post.comments_count}:{post.likes_count}:{post.bookmarks_count}:{post.views_count}:"
        f"{author.username}:{author.display_name!r}:{author.bio!r}:{author.avatar_url!r}:"
        f"{_tags(record.tags)}:{record.liked_by_me:d}{record.bookmarked_by_me:d}"
        f"{record.follows_author:d}:{record.snippet!r}:{record.rank!r}"
    )


def records_etag(records: Iterable[PostRecord], *numbers: object) -> str:
    """The ETag of a list of posts and the numbers its page shows (total, cursor, ...)."""
    return weak_etag(*numbers, *map(record_key, records))


def page_etag(page: PostPage) -> str:
    """The ETag of a page of posts."""
    numbers = (page.total, page.page, page.page_size, page.next_cursor, page.total_is_exact)
    return records_etag(page.items, *numbers)


def record_etag(record: PostRecord) -> str:
    """The ETag of one post as a list-style summary plus its version (RealWorld's article)."""
    return weak_etag(record_key(record), record.show_raw)


def _tags(tags: list[dict[str, str]]) -> str:
    return "\x01".join([f"{tag['name']}\x02{tag['slug']}" for tag in tags])
