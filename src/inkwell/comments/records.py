"""What the comments repository hands back, and the trees the service builds from it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from inkwell.models.comment import Comment, CommentStatus


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

    comment: Comment
    author: AuthorRef | None


# Who sees which comment, declared once: ReadScope.shows and the repository's SQL both read
# these (tests/comments/test_visibility.py generates comments and readers to check they agree).
SHOWN_TO_ANYONE = (CommentStatus.VISIBLE,)
SHOWN_TO_ITS_WRITER = (CommentStatus.PENDING,)


@dataclass(frozen=True, slots=True)
class ReadScope:
    """Which comments one reader sees in full.

    Everyone sees visible comments; the post's moderators (its author, moderators, admins)
    also see hidden and pending ones; a writer sees their own pending comments. Deleted
    comments are shown to nobody. The repository spells the same rule in SQL.
    """

    viewer_id: uuid.UUID | None
    every_status: bool

    def shows(self, comment: Comment) -> bool:
        if comment.deleted_at is not None:
            return False
        if comment.status in SHOWN_TO_ANYONE or self.every_status:
            return True
        return comment.status in SHOWN_TO_ITS_WRITER and comment.author_id == self.viewer_id


@dataclass(slots=True)
class CommentNode:
    """A comment in a thread: `full` is False for a placeholder kept for its replies."""

    record: CommentRecord
    full: bool
    show_raw: bool
    replies: list[CommentNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThreadPage:
    items: list[CommentNode]
    total: int
    threads: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class CommentPage:
    items: list[CommentNode]
    total: int
    page: int
    page_size: int
