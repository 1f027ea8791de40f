"""Who may see and who may change a post; pure functions of the post, the user and the time.

Who sees a post is declared once, as an `Audience` (models/visibility.py, beside the partial
indexes, so tags can use it too): the Python checks here (`is_public`, `is_listed`, `can_see`)
and the SQL predicates every query filters with are both made from it.
"""

from __future__ import annotations

from datetime import datetime

from inkwell.models.user import Role, User
from inkwell.models.visibility import LISTED, PUBLIC
from inkwell.posts.records import PostState

_SEE_EVERY_POST = frozenset({Role.MODERATOR, Role.ADMIN})
_FEATURE_POSTS = frozenset({Role.MODERATOR, Role.ADMIN})


def is_public(post: PostState, now: datetime) -> bool:
    """Readable by anyone: published or scheduled, its time has come; archived stays readable."""
    return PUBLIC.admits(post, now)


def is_listed(post: PostState, now: datetime) -> bool:
    """Shown in public lists: public and not archived."""
    return LISTED.admits(post, now)


def can_see(post: PostState, user: User | None, now: datetime) -> bool:
    """Anyone sees public posts; those who moderate a post see it before (and after)."""
    return is_public(post, now) or can_moderate(post, user)


def can_moderate(post: PostState, user: User | None) -> bool:
    """The author, moderators and admins: they see the post whatever its state, and
    moderate its comments."""
    if user is None:
        return False
    return user.id == post.author_id or moderates_every_post(user)


def moderates_every_post(user: User | None) -> bool:
    """Moderators and admins: what `can_moderate` says whatever the post."""
    return user is not None and user.role in _SEE_EVERY_POST


def can_edit(post: PostState, user: User) -> bool:
    """Only the author or an admin changes or deletes a post."""
    return user.id == post.author_id or user.role == Role.ADMIN


def can_feature(user: User) -> bool:
    """Who features posts (and takes them off the featured list): the editors of the site."""
    return user.role in _FEATURE_POSTS


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
