"""Inkwell's records in the RealWorld contract's shapes (users, profiles, articles, comments)."""

from __future__ import annotations

from datetime import datetime

from inkwell.comments.records import CommentNode
from inkwell.models.user import User
from inkwell.posts.records import PostRecord
from inkwell.realworld.schemas import (
    ConduitArticle,
    ConduitArticleSummary,
    ConduitComment,
    ConduitProfile,
    ConduitUser,
)
from inkwell.users.repository import ProfileRecord

# The author of a comment whose account is closed (not a valid username, so no one's name).
GONE_AUTHOR = "[deleted]"


def conduit_user(user: User, token: str) -> ConduitUser:
    return ConduitUser(
        email=user.email,
        token=token,
        username=user.username,
        bio=user.bio,
        image=user.avatar_url,
    )


def conduit_profile(record: ProfileRecord) -> ConduitProfile:
    user = record.user
    return ConduitProfile(
        username=user.username, bio=user.bio, image=user.avatar_url, following=record.followed_by_me
    )


def _author(record: PostRecord) -> ConduitProfile:
    author = record.author
    return ConduitProfile(
        username=author.username,
        bio=author.bio,
        image=author.avatar_url,
        following=record.follows_author,
    )


def _times(record: PostRecord) -> tuple[datetime, datetime]:
    """createdAt is when the post became public (lists are ordered by it); updatedAt is never
    earlier (a post scheduled for later was last saved before it appeared)."""
    post = record.post
    created = post.published_at or post.created_at
    return created, max(created, post.updated_at)


def _summary_fields(record: PostRecord) -> dict[str, object]:
    post = record.post
    created, updated = _times(record)
    return {
        "slug": post.slug,
        "title": post.title,
        "description": post.summary,
        "tag_list": [tag["name"] for tag in record.tags],
        "created_at": created,
        "updated_at": updated,
        "favorited": record.liked_by_me,
        "favorites_count": post.likes_count,
        "author": _author(record),
    }


def article_summary(record: PostRecord) -> ConduitArticleSummary:
    """An article in a list: no body (the list statement does not even load it)."""
    return ConduitArticleSummary.model_validate(_summary_fields(record))


def article(record: PostRecord) -> ConduitArticle:
    """One article; `body` is the Markdown source, which RealWorld front ends render."""
    return ConduitArticle.model_validate(
        {**_summary_fields(record), "body": record.post.content_raw}
    )


def comment(node: CommentNode) -> ConduitComment:
    """A comment; its integer `number` is its id in this API."""
    found, author = node.record.comment, node.record.author
    profile = ConduitProfile(
        username=author.username if author else GONE_AUTHOR,
        bio=author.bio if author else None,
        image=author.avatar_url if author else None,
        following=author.followed_by_me if author else False,
    )
    return ConduitComment(
        id=found.number,
        created_at=found.created_at,
        updated_at=found.updated_at,
        body=found.content_raw,
        author=profile,
    )
