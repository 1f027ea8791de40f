"""Every query on posts, their versions and their old slugs, as one repository.

The queries live by purpose: reads and lists in posts.reads, search in posts.search, writes in
posts.writes, authors and reviews in posts.editorial; the filters of public lists are declared
in posts.filters and who sees a post in posts.policy.
"""

from __future__ import annotations

from inkwell.posts.editorial import PostEditorial
from inkwell.posts.filters import PostQuery
from inkwell.posts.reads import COUNT_LIMIT, Content, Counter, reading
from inkwell.posts.search import MARK_START, MARK_STOP, SEARCH_CANDIDATES, PostSearch
from inkwell.posts.writes import PostWrites

__all__ = [
    "COUNT_LIMIT",
    "MARK_START",
    "MARK_STOP",
    "SEARCH_CANDIDATES",
    "Content",
    "Counter",
    "PostQuery",
    "PostRepository",
    "reading",
]


class PostRepository(PostSearch, PostWrites, PostEditorial):
    """Reads, lists, search, writes and the editorial flow of posts, on one session."""
