"""What the posts repository hands back: a post with its author and tags, and list pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from inkwell.models.post import PostStatus, PostVersion


class PostState(Protocol):
    """What the rules read of a post: a loaded entity or a PostRow."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def author_id(self) -> uuid.UUID: ...
    @property
    def status(self) -> PostStatus: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def deleted_at(self) -> datetime | None: ...
    @property
    def version(self) -> int: ...


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as reads return it: its columns (a list leaves out the content), no ORM identity.

    Reads map rows straight into these; loading entities into the session cost more than the
    statement (tests are in tests/posts, the measurements in docs/benchmarks.md).
    """

    id: uuid.UUID
    author_id: uuid.UUID
    title: str
    slug: str
    status: PostStatus
    published_at: datetime | None
    summary: str
    meta: dict[str, Any]
    reading_time: int
    comments_count: int
    likes_count: int
    bookmarks_count: int
    views_count: int
    allow_comments: bool
    moderate_comments: bool
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    content_raw: str | None = None
    content_html: str | None = None
    content_json: dict[str, Any] | None = None
    cover_media_id: uuid.UUID | None = None
    cover: dict[str, Any] | None = None
    featured_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuthorRow:
    """A post's author: the public profile fields."""

    id: uuid.UUID
    username: str
    display_name: str | None
    bio: str | None
    avatar_url: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A post with its author and its tags (`[{"name", "slug"}]`, in the author's order)."""

    post: PostRow
    author: AuthorRow
    tags: list[dict[str, str]]
    show_raw: bool = False
    snippet: str | None = None
    rank: float | None = None
    liked_by_me: bool = False
    bookmarked_by_me: bool = False
    follows_author: bool = False  # the viewer follows the post's author
    # The post's series, its place and its public neighbours (single-post reads only):
    # {id, slug, title, position, count, previous: {slug, title} | None, next: ...}.
    series: dict[str, Any] | None = None
    # The authors after the primary (`author`), in order, as public profiles
    # (`[{"id", "username", ...}]`).
    coauthors: list[dict[str, Any]] = field(default_factory=list)

    def has_author(self, user_id: uuid.UUID) -> bool:
        """Is the user one of the post's authors (the primary or a co-author)?"""
        wanted = str(user_id)
        return user_id == self.post.author_id or any(a["id"] == wanted for a in self.coauthors)


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
