"""Who may see and who may change a post; pure functions of the post, the user and the time.

Who sees a post is declared once, as an `Audience`: the Python checks (`is_public`,
`is_listed`, `can_see`) and the SQL predicates every query filters with are both made from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, literal_column

from inkwell.models.post import LISTED_STATUSES, Post, PostStatus
from inkwell.models.user import Role, User
from inkwell.posts.records import PostState


@dataclass(frozen=True, slots=True)
class Audience:
    """The posts anyone sees somewhere: live, in one of `statuses`, and their time has come."""

    statuses: tuple[PostStatus, ...]

    def admits(self, post: PostState, now: datetime) -> bool:
        return (
            post.deleted_at is None
            and post.status in self.statuses
            and post.published_at is not None
            and post.published_at <= now
        )

    def where(self, now: Any) -> ColumnElement[bool]:
        """The same rule in SQL; `now` is a value or a bound parameter."""
        return and_(self.live, Post.published_at <= now)

    @property
    def live(self) -> ColumnElement[bool]:
        """The rule without the time, spelled exactly as the partial indexes' predicate (the
        statuses inline, not bound), so the planner can use them with any plan."""
        names = ", ".join(f"'{status.value}'" for status in self.statuses)
        return literal_column(f"(posts.status IN ({names}) AND posts.deleted_at IS NULL)", Boolean)


# Scheduled posts count as published once their time has come: no job has to flip them.
LISTED = Audience(tuple(PostStatus(status) for status in LISTED_STATUSES))
"""Shown in public lists, feeds and tag counts."""
PUBLIC = Audience((*LISTED.statuses, PostStatus.ARCHIVED))
"""Readable by anyone: archived posts leave the lists but stay readable."""
_SEE_EVERY_POST = frozenset({Role.MODERATOR, Role.ADMIN})


def is_public(post: PostState, now: datetime) -> bool:
    """Readable by anyone: published or scheduled, its time has come; archived stays readable."""
    return PUBLIC.admits(post, now)


def is_listed(post: PostState, now: datetime) -> bool:
    """Shown in public lists: public and not archived."""
    return LISTED.admits(post, now)


def can_see(post: PostState, user: User | None, now: datetime) -> bool:
    """Anyone sees public posts; authors, moderators and admins see the rest."""
    if is_public(post, now):
        return True
    if user is None:
        return False
    return user.id == post.author_id or user.role in _SEE_EVERY_POST


def can_edit(post: PostState, user: User) -> bool:
    """Only the author or an admin changes or deletes a post."""
    return user.id == post.author_id or user.role == Role.ADMIN


def etag(post: PostState) -> str:
    return f'"{post.id}-{post.version}"'


def etag_matches(header: str | None, post: PostState) -> bool:
    """Does an If-Match / If-None-Match header name this version of the post?"""
    if header is None:
        return False
    current = etag(post)
    for candidate in header.split(","):
        value = candidate.strip().removeprefix("W/")
        if value in {"*", current}:
            return True
    return False
