"""The neutral model every import reads into and the importer writes from.

A parser yields authors first, then posts (each with its comments), then relations; every
item carries its key in the source, which makes a second run of the same import find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from inkwell.models.comment import CommentStatus
from inkwell.models.post import PostStatus


@dataclass(slots=True)
class Site:
    """Names the source (e.g. `wordpress:https://blog.example.com`): the same source imported
    again finds what it already brought in."""

    source: str
    # Keys are Inkwell post ids (an Inkwell archive): a post whose id is here already is this
    # site's own and is skipped, so a site's export imported into itself adds nothing.
    keys_are_ids: bool = False


@dataclass(slots=True)
class Author:
    key: str
    email: str
    login: str
    display_name: str | None = None
    bio: str | None = None


@dataclass(slots=True)
class Comment:
    key: str
    parent_key: str | None
    author_key: str | None  # an author of the source, or an e-mail for guests
    markdown: str
    created_at: datetime
    status: CommentStatus = CommentStatus.VISIBLE
    html: str | None = None  # converted to `markdown` only when the comment is written


@dataclass(slots=True)
class Version:
    title: str
    summary: str
    markdown: str
    created_at: datetime
    editor_key: str | None


@dataclass(slots=True)
class Post:
    key: str
    author_key: str
    title: str
    slug: str
    markdown: str
    status: PostStatus
    published_at: datetime | None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    summary: str | None = None
    tags: list[str] = field(default_factory=list)
    old_slugs: list[str] = field(default_factory=list)
    url: str | None = None
    comments: list[Comment] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    # A body still in HTML: converted to `markdown` only when the post is written, so a
    # second run does not convert the posts it skips.
    html: str | None = None


@dataclass(slots=True)
class Relation:
    """A like or bookmark (of a post) or a follow (of an author) by an author."""

    kind: str  # "like", "bookmark" or "follow"
    user_key: str
    target_key: str
    created_at: datetime


Item = Site | Author | Post | Relation
