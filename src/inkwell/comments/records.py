"""What the comments repository hands back, and the trees the service builds from it."""

from __future__ import annotations

import hashlib
import struct
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from inkwell.models.comment import Comment, CommentStatus
from inkwell.models.post import PostStatus


@dataclass(frozen=True, slots=True)
class CommentPost:
    """The columns of a post that comment rules read (a PostState), without an ORM entity."""

    id: uuid.UUID
    author_id: uuid.UUID
    status: PostStatus
    published_at: datetime | None
    deleted_at: datetime | None
    version: int
    allow_comments: bool
    moderate_comments: bool
    comments_count: int


POST_FIELDS = tuple(CommentPost.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class CommentRow:
    """A comment's columns that a response shows or a rule reads (`root_id` and `path` place
    it in its thread), without an ORM entity.

    Thread reads map rows straight into these: loading entities cost more than the statement
    (docs/architecture.md, Comments).
    """

    id: uuid.UUID
    number: int
    post_id: uuid.UUID
    author_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    root_id: uuid.UUID
    path: str
    depth: int
    status: CommentStatus
    content_html: str
    content_raw: str
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None

    @classmethod
    def of(cls, comment: Comment) -> CommentRow:
        """The row of a loaded comment (the paths that still read entities)."""
        return cls(**{name: getattr(comment, name) for name in COMMENT_FIELDS})


COMMENT_FIELDS = tuple(CommentRow.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class AuthorRef:
    """The public face of a comment's author."""

    username: str
    display_name: str | None
    avatar_url: str | None
    bio: str | None = None
    followed_by_me: bool = False  # the reader follows this author (when the query asked)


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A comment and its author (None once the author's account is gone)."""

    comment: CommentRow
    author: AuthorRef | None


# Who sees which comment, declared once: ReadScope.shows and the repository's SQL both read
# these (tests/comments/test_visibility.py generates comments and readers to check they agree).
SHOWN_TO_ANYONE = (CommentStatus.VISIBLE,)
SHOWN_TO_ITS_WRITER = (CommentStatus.PENDING,)


class Shown(Protocol):
    """What ReadScope.shows reads of a comment: an entity or a CommentRow."""

    @property
    def author_id(self) -> uuid.UUID | None: ...
    @property
    def status(self) -> CommentStatus: ...
    @property
    def deleted_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class ReadScope:
    """Which comments one reader sees in full.

    Everyone sees visible comments; the post's moderators (its author, moderators, admins)
    also see hidden and pending ones; a writer sees their own pending comments. Deleted
    comments are shown to nobody. The repository spells the same rule in SQL.
    """

    viewer_id: uuid.UUID | None
    every_status: bool

    def shows(self, comment: Shown) -> bool:
        if comment.deleted_at is not None:
            return False
        if comment.status in SHOWN_TO_ANYONE or self.every_status:
            return True
        return comment.status in SHOWN_TO_ITS_WRITER and comment.author_id == self.viewer_id


@dataclass(frozen=True, slots=True)
class ThreadRows:
    """What one thread-page statement read: the page's roots in page order, their replies in
    thread order, and how many roots the reader can page through."""

    roots: list[CommentRecord]
    replies: list[CommentRecord]
    threads: int


@dataclass(slots=True)
class CommentNode:
    """A comment in a thread: `full` is False for a placeholder kept for its replies."""

    record: CommentRecord
    full: bool
    show_raw: bool
    replies: list[CommentNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThreadPage:
    """A page of threads. `etag` changes whenever the page's body would: a validator for HTTP
    caching, computed from the rows read (thread_etag), not from the rendered response."""

    items: list[CommentNode]
    total: int
    threads: int
    page: int
    page_size: int
    etag: str
    # With `since`: the live sequence number of the post's channel the page reaches.
    live_seq: int | None = None


@dataclass(frozen=True, slots=True)
class CommentPage:
    items: list[CommentNode]
    total: int
    page: int
    page_size: int


def thread_etag(
    rows: ThreadRows, *, scope: ReadScope, post: CommentPost, page: tuple[int, int, str]
) -> str:
    """A validator of a page of threads, from the values its statement read, without rendering
    the response: a hash of what decides the body.

    That is the page (number, size, sort), the reader (which comments they see in full, which
    sources are theirs), the post's count of comments, the number of threads, and for each
    comment its number (unique, like its id, and cheaper to hash), its times, whether it is
    deleted or edited, its status, its text and its author's public fields. A comment and
    its author are hashed as read, so a renamed or closed account changes the validator too.
    The structure needs no more: a comment's parent and depth never change.
    """
    records = [*rows.roots, *rows.replies]
    context = (
        post.id,
        post.comments_count,
        rows.threads,
        page,
        scope.viewer_id,
        scope.every_status,
    )
    digest = hashlib.blake2b(repr(context).encode(), digest_size=16)
    # NUL joins the texts: no stored text holds one (core/text.py refuses it).
    digest.update("\x00".join([text for record in records for text in _texts(record)]).encode())
    comments = [record.comment for record in records]
    numbers = [comment.number for comment in comments]
    stamps = [comment.updated_at.timestamp() for comment in comments]
    flags = [
        (c.deleted_at is None) + (c.edited_at is None) * 2 + _missing(r) * 4
        for c, r in zip(comments, records, strict=True)
    ]
    count = len(comments)
    digest.update(struct.pack(f"{count}q{count}d{count}B", *numbers, *stamps, *flags))
    return f'W/"{digest.hexdigest()}"'


def _texts(record: CommentRecord) -> tuple[str, ...]:
    """The record's texts, a missing one as "" (`_missing` tells which are missing)."""
    comment, author = record.comment, record.author
    names = (
        ("", "", "")
        if author is None
        else (author.username, author.display_name or "", author.avatar_url or "")
    )
    return (comment.status, comment.content_html, comment.content_raw, *names)


def _missing(record: CommentRecord) -> int:
    """Which of the author's texts are missing, as bits (so "" and none hash apart)."""
    author = record.author
    if author is None:
        return 7
    return (author.display_name is None) * 2 + (author.avatar_url is None) * 4
