"""Who sees a post, declared once: each `Audience` gives the Python check (posts/policy.py)
and the SQL predicate the queries filter with (the partial indexes of models/post.py cover it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Boolean, ColumnElement, and_, literal_column

from inkwell.models.post import LISTED_STATUSES, Post, PostStatus


class Visible(Protocol):
    """What visibility reads of a post: a loaded entity or a row."""

    @property
    def status(self) -> PostStatus: ...
    @property
    def published_at(self) -> datetime | None: ...
    @property
    def deleted_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Audience:
    """The posts anyone sees somewhere: live, in one of `statuses`, and their time has come."""

    statuses: tuple[PostStatus, ...]

    def admits(self, post: Visible, now: datetime) -> bool:
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
