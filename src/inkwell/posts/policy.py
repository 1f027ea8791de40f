"""Who may see and who may change a post; pure functions of the post, the user and the time.

Who sees a post is declared once, as an `Audience` (models/visibility.py, beside the partial
indexes, so tags can use it too): the Python checks here (`is_public`, `is_listed`, `can_see`)
and the SQL predicates every query filters with are both made from it.
"""

from __future__ import annotations

from datetime import datetime

from inkwell.models.post import PostStatus
from inkwell.models.user import Role, User
from inkwell.models.visibility import LISTED, PUBLIC
from inkwell.posts.records import PostState

_SEE_EVERY_POST = frozenset({Role.MODERATOR, Role.EDITOR, Role.ADMIN})
_EDIT_EVERY_POST = frozenset({Role.EDITOR, Role.ADMIN})
_FEATURE_POSTS = frozenset({Role.EDITOR, Role.ADMIN})


def is_public(post: PostState, now: datetime) -> bool:
    """Readable by anyone: published or scheduled, its time has come; archived stays readable."""
    return PUBLIC.admits(post, now)


def is_listed(post: PostState, now: datetime) -> bool:
    """Shown in public lists: public and not archived."""
    return LISTED.admits(post, now)


def is_author(post: PostState, user: User | None, *, coauthor: bool = False) -> bool:
    """The primary author, or a co-author (`coauthor`: the caller found `user` among the
    post's authors)."""
    return user is not None and (coauthor or user.id == post.author_id)


def can_see(post: PostState, user: User | None, now: datetime, *, coauthor: bool = False) -> bool:
    """Anyone sees public posts; its authors and those who moderate every post see it before
    (and after)."""
    return (
        is_public(post, now) or is_author(post, user, coauthor=coauthor) or can_moderate(post, user)
    )


def can_moderate(post: PostState, user: User | None) -> bool:
    """The primary author, moderators, editors and admins: they see the post whatever its
    state, and moderate its comments."""
    if user is None:
        return False
    return user.id == post.author_id or moderates_every_post(user)


def moderates_every_post(user: User | None) -> bool:
    """Moderators, editors and admins: what `can_moderate` says whatever the post."""
    return user is not None and user.role in _SEE_EVERY_POST


def edits_every_post(user: User | None) -> bool:
    """Editors and admins change, publish and delete anyone's posts."""
    return user is not None and user.role in _EDIT_EVERY_POST


def may_publish(user: User) -> bool:
    """Everyone but contributors publishes, schedules, unpublishes and archives (the posts
    they may edit); a contributor's drafts go through review."""
    return user.role != Role.CONTRIBUTOR


def can_review(user: User) -> bool:
    """Editors and admins approve posts in review or send them back."""
    return user.role in _EDIT_EVERY_POST


def can_edit(post: PostState, user: User, *, coauthor: bool = False) -> bool:
    """Its authors, editors and admins change or delete a post; a contributor only while it
    is a draft (after that, changes go through an editor)."""
    if edits_every_post(user):
        return True
    if not is_author(post, user, coauthor=coauthor):
        return False
    return may_publish(user) or post.status == PostStatus.DRAFT


def can_submit(post: PostState, user: User, *, coauthor: bool = False) -> bool:
    """Its authors submit a post for review or withdraw it."""
    return is_author(post, user, coauthor=coauthor)


def can_set_authors(post: PostState, user: User) -> bool:
    """The primary author, editors and admins choose a post's authors."""
    return user.id == post.author_id or edits_every_post(user)


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
