"""Which events notify whom: the rules the outbox consumer applies to each event.

Every check reads the current rows (by id), not the event: a comment hidden or deleted, a post
unpublished or deleted, a like or a follow taken back before the consumer got to the event
notifies nobody. The repository's insert adds the recipient's own rules: an active account,
not the actor, the kind switched on, the actor neither blocked nor muted.
"""

from __future__ import annotations

from datetime import datetime

from inkwell.events.catalogue import (
    CommentEvent,
    CommentHidden,
    PostLiked,
    PostPublished,
    UserFollowed,
)
from inkwell.models.comment import CommentStatus
from inkwell.models.notification import NotificationKind as Kind
from inkwell.notifications.records import CommentContext, Origin
from inkwell.notifications.repository import NotificationRepository

# Followers of an author a fan-out statement takes at a time.
FAN_OUT_BATCH = 1_000


class Notifier:
    def __init__(
        self, notifications: NotificationRepository, now: datetime, batch_size: int = FAN_OUT_BATCH
    ) -> None:
        self.notifications = notifications
        self.now = now
        self.batch_size = batch_size

    async def comment_shown(self, event: CommentEvent, origin: Origin) -> None:
        """A comment became visible (written so, or approved): its parent's author gets a
        reply, the post's author a comment (one notification each, per comment)."""
        context = await self.notifications.comment_context(event.comment_id, self.now)
        if context is None or not _shown(context) or context.author_id is None:
            return
        ids = {"post_id": context.post_id, "comment_id": event.comment_id}
        replied_to = context.parent_author_id if context.parent_live else None
        if replied_to is not None:
            reply = origin.about(Kind.REPLY, context.author_id, **ids)
            await self.notifications.notify(replied_to, reply)
        if context.post_author_id != replied_to:
            comment = origin.about(Kind.COMMENT, context.author_id, **ids)
            await self.notifications.notify(context.post_author_id, comment)

    async def comment_hidden(self, event: CommentHidden, origin: Origin) -> None:
        """A moderator hid a comment that is still hidden: its author is told."""
        context = await self.notifications.comment_context(event.comment_id, self.now)
        if context is None or not _hidden(context) or context.author_id is None:
            return
        hidden = origin.about(
            Kind.COMMENT_HIDDEN,
            event.moderator_id,
            post_id=context.post_id,
            comment_id=event.comment_id,
        )
        await self.notifications.notify(context.author_id, hidden)

    async def post_liked(self, event: PostLiked, origin: Origin) -> None:
        """A like that still stands, of a readable post: counted in its author's group."""
        author = await self.notifications.public_post_author(event.post_id, self.now)
        if author is None or not await self.notifications.likes(event.user_id, event.post_id):
            return
        like = origin.about(Kind.LIKE, event.user_id, post_id=event.post_id)
        await self.notifications.group(author, like)

    async def user_followed(self, event: UserFollowed, origin: Origin) -> None:
        """A follow that still stands: the followed account is told."""
        if await self.notifications.follows(event.follower_id, event.followee_id):
            follow = origin.about(Kind.FOLLOW, event.follower_id)
            await self.notifications.notify(event.followee_id, follow)

    async def post_published(self, event: PostPublished, origin: Origin) -> None:
        """A post in the lists now: every follower of its author, a batch per statement."""
        author = await self.notifications.public_post_author(event.post_id, self.now, listed=True)
        if author is None:
            return
        new_post = origin.about(Kind.NEW_POST, author, post_id=event.post_id)
        await self.notifications.notify_followers(new_post, self.batch_size)


def _shown(context: CommentContext) -> bool:
    return not context.deleted and context.status == CommentStatus.VISIBLE and context.post_public


def _hidden(context: CommentContext) -> bool:
    return not context.deleted and context.status == CommentStatus.HIDDEN and context.post_public
