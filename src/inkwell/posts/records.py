"""What the posts repository hands back: a post with its author and tags, and list pages."""

from __future__ import annotations

from dataclasses import dataclass

from inkwell.models.post import Post, PostVersion
from inkwell.models.user import User


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A post with its author and its tags (`[{"name", "slug"}]`, in the author's order)."""

    post: Post
    author: User
    tags: list[dict[str, str]]
    show_raw: bool = False
    snippet: str | None = None
    rank: float | None = None
    liked_by_me: bool = False
    bookmarked_by_me: bool = False
    follows_author: bool = False  # the viewer follows the post's author


@dataclass(frozen=True, slots=True)
class Redirect:
    """The post is asked for by a slug it used to have; `slug` is the current one."""

    slug: str


@dataclass(frozen=True, slots=True)
class PostPage:
    items: list[PostRecord]
    total: int
    page: int
    page_size: int
    next_cursor: str | None = None
    total_is_exact: bool = True


@dataclass(frozen=True, slots=True)
class VersionRecord:
    version: PostVersion
    editor: str | None


@dataclass(frozen=True, slots=True)
class TagRecord:
    name: str
    slug: str
    description: str | None
    post_count: int


@dataclass(frozen=True, slots=True)
class TagPage:
    items: list[TagRecord]
    total: int
    page: int
    page_size: int
