"""Every event type Inkwell emits, with its data (version 1 of each).

No event carries an e-mail address, a password (or its hash) or a token. A consumer that
writes to a user (the welcome mail) reads the current address by `user_id` when it sends.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from inkwell.events.envelope import EventData

# Users (topic `users`, key: the user's id)


class UserEvent(EventData):
    topic: ClassVar[str] = "users"
    key_field: ClassVar[str] = "user_id"

    user_id: uuid.UUID
    username: str


class UserRegistered(UserEvent):
    """An account was created (registration, or an admin made by the CLI)."""

    name: ClassVar[str] = "user.registered"

    display_name: str | None
    role: str


class UserUpdated(UserEvent):
    """An account changed: its profile, password, role or active flag (`changed` says which)."""

    name: ClassVar[str] = "user.updated"

    display_name: str | None
    role: str
    active: bool
    changed: list[str] = Field(description="Names of the fields that changed (never values).")


class UserDeleted(UserEvent):
    """An account was closed by its owner (it can no longer sign in)."""

    name: ClassVar[str] = "user.deleted"


class UserEmailVerified(UserEvent):
    """An account's owner confirmed its address through a mailed link (after registering or
    changing it)."""

    name: ClassVar[str] = "user.email_verified"


# Posts (topic `posts`, key: the post's id)


class PostEvent(EventData):
    topic: ClassVar[str] = "posts"
    key_field: ClassVar[str] = "post_id"

    post_id: uuid.UUID
    author_id: uuid.UUID
    actor_id: uuid.UUID = Field(
        description="Who made the change (an author, an editor or an admin)."
    )


class PostSnapshot(PostEvent):
    slug: str
    title: str
    status: str
    published_at: datetime | None
    tags: list[str] = Field(description="The tags' slugs, in the author's order.")
    revision: int = Field(description="The post's change counter (what its ETag names).")


class PostCreated(PostSnapshot):
    """A post was written (in any status; a post published at once also emits post.published)."""

    name: ClassVar[str] = "post.created"


class PostUpdated(PostSnapshot):
    """A post's fields changed (`changed` names them); a status change also emits its own event."""

    name: ClassVar[str] = "post.updated"

    changed: list[str]


class PostPublished(PostSnapshot):
    """A post became published: created so, published, or edited to published."""

    name: ClassVar[str] = "post.published"


class PostUnpublished(PostSnapshot):
    """A published, scheduled or archived post went back to draft."""

    name: ClassVar[str] = "post.unpublished"


class PostArchived(PostSnapshot):
    """A post was archived."""

    name: ClassVar[str] = "post.archived"


class PostRestored(PostSnapshot):
    """An old version of a post became current again (as a new version)."""

    name: ClassVar[str] = "post.restored"

    restored_version: int


class PostFeatured(PostSnapshot):
    """An editor featured a post (it shows in `featured=true` lists while it is listed)."""

    name: ClassVar[str] = "post.featured"


class PostUnfeatured(PostSnapshot):
    """An editor took a post off the featured list."""

    name: ClassVar[str] = "post.unfeatured"


class PostSubmitted(PostSnapshot):
    """An author of a draft submitted it for review (its status is now pending_review)."""

    name: ClassVar[str] = "post.submitted"


class PostWithdrawn(PostSnapshot):
    """An author took a post back out of review (a draft again)."""

    name: ClassVar[str] = "post.withdrawn"


class PostApproved(PostSnapshot):
    """An editor approved a post in review: it is published now (post.published follows) or
    scheduled for `published_at`."""

    name: ClassVar[str] = "post.approved"


class PostChangesRequested(PostSnapshot):
    """An editor sent a post in review back to its authors as a draft, with a note."""

    name: ClassVar[str] = "post.changes_requested"

    note: str = Field(description="What the editor asks the authors to change.")


class PostDeleted(PostEvent):
    """A post was deleted (soft: its slug is free again)."""

    name: ClassVar[str] = "post.deleted"

    slug: str


# Comments (topic `comments`, key: the comment's id)


class CommentEvent(EventData):
    topic: ClassVar[str] = "comments"
    key_field: ClassVar[str] = "comment_id"

    comment_id: uuid.UUID
    post_id: uuid.UUID
    author_id: uuid.UUID
    parent_id: uuid.UUID | None
    status: str = Field(description="visible, pending or hidden, after the change.")


class CommentCreated(CommentEvent):
    """A comment or reply was written (pending when the post's comments are moderated)."""

    name: ClassVar[str] = "comment.created"

    depth: int


class CommentEdited(CommentEvent):
    """A comment's author changed its content."""

    name: ClassVar[str] = "comment.edited"


class CommentModerated(CommentEvent):
    moderator_id: uuid.UUID


class CommentHidden(CommentModerated):
    """A moderator hid a visible or pending comment."""

    name: ClassVar[str] = "comment.hidden"


class CommentUnhidden(CommentModerated):
    """A moderator showed a hidden comment again."""

    name: ClassVar[str] = "comment.unhidden"


class CommentApproved(CommentModerated):
    """A moderator approved a pending comment."""

    name: ClassVar[str] = "comment.approved"


class CommentDeleted(CommentEvent):
    """A comment was deleted by its author or a moderator (replies keep a tombstone)."""

    name: ClassVar[str] = "comment.deleted"

    deleted_by: uuid.UUID


# Likes and bookmarks (topic `engagement`, key: the post's id)


class EngagementEvent(EventData):
    topic: ClassVar[str] = "engagement"
    key_field: ClassVar[str] = "post_id"

    post_id: uuid.UUID
    user_id: uuid.UUID


class PostLiked(EngagementEvent):
    """A user liked a post (liking it again emits nothing)."""

    name: ClassVar[str] = "post.liked"

    likes_count: int


class PostUnliked(EngagementEvent):
    """A user took back a like."""

    name: ClassVar[str] = "post.unliked"

    likes_count: int


class BookmarkAdded(EngagementEvent):
    """A user bookmarked a post."""

    name: ClassVar[str] = "bookmark.added"


class BookmarkRemoved(EngagementEvent):
    """A user removed a bookmark."""

    name: ClassVar[str] = "bookmark.removed"


# Follows (topic `follows`, key: the followed user's id)


class FollowEvent(EventData):
    topic: ClassVar[str] = "follows"
    key_field: ClassVar[str] = "followee_id"

    follower_id: uuid.UUID
    followee_id: uuid.UUID


class UserFollowed(FollowEvent):
    """A user followed another (following again emits nothing)."""

    name: ClassVar[str] = "user.followed"


class UserUnfollowed(FollowEvent):
    """A user stopped following another."""

    name: ClassVar[str] = "user.unfollowed"


# Media (topic `media`, key: the media's id)


class MediaEvent(EventData):
    topic: ClassVar[str] = "media"
    key_field: ClassVar[str] = "media_id"

    media_id: uuid.UUID
    owner_id: uuid.UUID


class MediaUploaded(MediaEvent):
    """An image was accepted; its processing job is queued."""

    name: ClassVar[str] = "media.uploaded"

    content_type: str
    byte_size: int


class MediaReady(MediaEvent):
    """An image was processed: its cleaned original and variants are stored."""

    name: ClassVar[str] = "media.ready"

    width: int
    height: int
    variant_widths: list[int]


class MediaDeleted(MediaEvent):
    """An image was deleted by its uploader or an admin, or removed unused after the retention
    time (its files go with it)."""

    name: ClassVar[str] = "media.deleted"

    actor_id: uuid.UUID | None = Field(description="Who deleted it; null: the retention job.")


EVENT_TYPES: tuple[type[EventData], ...] = (
    UserRegistered,
    UserUpdated,
    UserDeleted,
    UserEmailVerified,
    PostCreated,
    PostUpdated,
    PostPublished,
    PostUnpublished,
    PostArchived,
    PostRestored,
    PostFeatured,
    PostUnfeatured,
    PostSubmitted,
    PostWithdrawn,
    PostApproved,
    PostChangesRequested,
    PostDeleted,
    CommentCreated,
    CommentEdited,
    CommentHidden,
    CommentUnhidden,
    CommentApproved,
    CommentDeleted,
    PostLiked,
    PostUnliked,
    BookmarkAdded,
    BookmarkRemoved,
    UserFollowed,
    UserUnfollowed,
    MediaUploaded,
    MediaReady,
    MediaDeleted,
)
CATALOGUE: dict[str, type[EventData]] = {cls.event_type(): cls for cls in EVENT_TYPES}
