"""Who may see and who may change a post; pure functions of the post, the user and the time."""

from __future__ import annotations

from datetime import datetime

from inkwell.models.post import PostStatus
from inkwell.models.user import Role, User
from inkwell.posts.records import PostState

_LISTED = {PostStatus.PUBLISHED, PostStatus.SCHEDULED}
_READABLE = {PostStatus.PUBLISHED, PostStatus.SCHEDULED, PostStatus.ARCHIVED}


def is_public(post: PostState, now: datetime) -> bool:
    """Readable by anyone: published or scheduled, its time has come; archived stays readable."""
    return (
        post.deleted_at is None
        and post.status in _READABLE
        and post.published_at is not None
        and post.published_at <= now
    )


def is_listed(post: PostState, now: datetime) -> bool:
    """Shown in public lists: public and not archived."""
    return is_public(post, now) and post.status in _LISTED


def can_see(post: PostState, user: User | None, now: datetime) -> bool:
    """Anyone sees public posts; those who moderate a post see it before (and after)."""
    return is_public(post, now) or can_moderate(post, user)


def can_moderate(post: PostState, user: User | None) -> bool:
    """The author, moderators and admins: they see the post whatever its state, and
    moderate its comments."""
    if user is None:
        return False
    return user.id == post.author_id or user.role in {Role.MODERATOR, Role.ADMIN}


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
