"""The live consumer of the outbox: committed events become messages of post channels.

Each message takes its channel's next sequence number and is kept in `live_messages`, in the
transaction that moves the consumer's cursor; once that commits, the messages go out on the
bus (bus.py) to every process. The consumer's cursor row is locked while a batch runs, so one
process at a time numbers messages: numbers are gapless and in commit order. A publishing
lock held until the batch is sent (events/consumer.py) keeps them in that order on the bus. A
process that dies between the commit and the publication loses those messages for live
clients only; they notice the gap and resume through REST.

What a message shows is read when the consumer runs, from the comment's current row: a comment
hidden since it was written is never sent to readers as visible.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.events.catalogue import (
    CommentApproved,
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    CommentHidden,
    CommentUnhidden,
    PostDeleted,
    PostLiked,
    PostUnliked,
    PostUnpublished,
)
from inkwell.events.consumer import Consumer, OutboxConsumers, OutboxRow
from inkwell.live.bus import Bus
from inkwell.live.messages import Audience, LiveMessage, Redacted
from inkwell.live.repository import LiveRepository
from inkwell.models.comment import CommentStatus
from inkwell.models.live import post_channel

CONSUMER_NAME = "live"
COMMENT_TYPES = {
    CommentCreated.event_type(): "comment.created",
    CommentEdited.event_type(): "comment.edited",
    CommentApproved.event_type(): "comment.shown",
    CommentUnhidden.event_type(): "comment.shown",
    CommentHidden.event_type(): "comment.hidden",
    CommentDeleted.event_type(): "comment.deleted",
}
COUNT_TYPES = {PostLiked.event_type(), PostUnliked.event_type()}
CLOSING_TYPES = {PostUnpublished.event_type(), PostDeleted.event_type()}


class MessageMaker:
    """Turns one batch of outbox rows into numbered, stored messages."""

    def __init__(self, repository: LiveRepository) -> None:
        self.repository = repository
        self.made: list[LiveMessage] = []

    async def take(self, row: OutboxRow) -> None:
        data = json.loads(row.body)["data"]
        post_id = uuid.UUID(data["post_id"]) if "post_id" in data else None
        if post_id is None:
            return
        if row.type in COMMENT_TYPES:
            await self._comment(COMMENT_TYPES[row.type], post_id, uuid.UUID(data["comment_id"]))
        elif row.type in COUNT_TYPES:
            await self._counts(post_id)
        elif row.type in CLOSING_TYPES:
            await self._add(post_channel(post_id), "post.closed", {"post_id": str(post_id)})

    async def _comment(self, kind: str, post_id: uuid.UUID, comment_id: uuid.UUID) -> None:
        comment = await self.repository.comment(comment_id)
        post = await self.repository.post(post_id)
        if comment is None or post is None:
            return
        data = {"comment": _comment_view(comment), "comments_count": post.comments_count}
        audience, redacted = _audience(kind, comment)
        await self._add(
            post_channel(post_id),
            kind,
            data,
            audience=audience,
            author_id=comment["author_id"],
            redacted=redacted,
            comment_id=comment_id,
        )

    async def _counts(self, post_id: uuid.UUID) -> None:
        post = await self.repository.post(post_id)
        if post is not None:
            counts = {"likes_count": post.likes_count, "comments_count": post.comments_count}
            await self._add(post_channel(post_id), "post.counts", counts)

    async def _add(
        self,
        channel: str,
        kind: str,
        data: dict[str, Any],
        *,
        audience: Audience = Audience.PUBLIC,
        author_id: uuid.UUID | None = None,
        redacted: Redacted | None = None,
        comment_id: uuid.UUID | None = None,
    ) -> None:
        seq = await self.repository.next_seq(channel)
        message = LiveMessage(channel, seq, kind, data, audience, author_id, redacted)
        await self.repository.add_message(channel, seq, comment_id, message.to_json())
        self.made.append(message)


def _audience(kind: str, comment: dict[str, Any]) -> tuple[Audience, Redacted | None]:
    """Who sees a comment's message whole, and what the others get."""
    removed = Redacted("comment.removed", {"id": str(comment["id"])})
    if kind == "comment.hidden":
        return Audience.MODERATORS, removed
    if kind == "comment.deleted" or comment["deleted"]:
        public = comment["status"] == CommentStatus.VISIBLE
        return (Audience.PUBLIC if public else Audience.MODERATORS), None
    if comment["status"] == CommentStatus.VISIBLE:
        return Audience.PUBLIC, None
    if comment["status"] == CommentStatus.PENDING:
        return Audience.MODERATORS_AND_AUTHOR, None
    return Audience.MODERATORS, removed


def _comment_view(comment: dict[str, Any]) -> dict[str, Any]:
    """The comment as the REST API shows it (without replies and raw content); a deleted
    comment keeps no content or author."""
    deleted = comment["deleted"]
    author = None
    if comment["username"] is not None and not deleted:
        author = {key: comment[key] for key in ("username", "display_name", "avatar_url")}
    view = {
        key: comment[key]
        for key in ("id", "number", "post_id", "parent_id", "depth", "status", "deleted")
    }
    times = {key: comment[key] for key in ("created_at", "updated_at", "edited_at")}
    view.update({key: _iso(value) for key, value in times.items()})
    view.update({"content_html": None if deleted else comment["content_html"], "author": author})
    plain: dict[str, Any] = json.loads(json.dumps(view, default=str))  # ids as text
    return plain


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


class LiveConsumer(OutboxConsumers):
    """Runs the live consumer in this process and publishes each committed batch."""

    def __init__(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], bus: Bus
    ) -> None:
        self.consumer = Consumer(
            CONSUMER_NAME, self._handle, reads_ahead=True, committed=self._publish
        )
        super().__init__(settings, sessionmaker, [self.consumer])
        self.bus = bus
        self.pending: list[LiveMessage] = []

    async def _handle(self, session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
        maker = MessageMaker(LiveRepository(session))
        for row in rows:
            await maker.take(row)
        self.pending = maker.made

    async def _publish(self) -> None:
        """Send a batch's messages once it has committed (still under the publishing lock,
        events/consumer.py, so batches go out in the order they were numbered)."""
        messages, self.pending = self.pending, []
        await self.bus.publish(messages)
