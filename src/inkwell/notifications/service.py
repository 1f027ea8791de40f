"""Notification rules for their recipient: the list, the unread count, marking read, and the
settings per kind. (Which events make notifications is notifier.py's.)"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.models.notification import EmailDelivery, NotificationKind
from inkwell.models.user import User
from inkwell.notifications.cursors import decode_cursor, encode_cursor
from inkwell.notifications.exceptions import NotificationNotFound, UnsubscribeLinkInvalid
from inkwell.notifications.preferences import Preference
from inkwell.notifications.records import ActorRow, NotificationRow
from inkwell.notifications.repository import NotificationRepository
from inkwell.notifications.unsubscribe import read_unsubscribe_token

# How much of a comment a notification quotes, in characters.
EXCERPT_LENGTH = 140


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """A notification with its actors (newest first, those still active)."""

    row: NotificationRow
    actors: list[ActorRow]

    @property
    def excerpt(self) -> str | None:
        text = self.row.comment_text
        if text is None or len(text) <= EXCERPT_LENGTH:
            return text
        return text[: EXCERPT_LENGTH - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[NotificationRecord]
    next_cursor: str | None


class NotificationService:
    def __init__(self, *, notifications: NotificationRepository) -> None:
        self.notifications = notifications

    async def page(
        self, *, user: User, cursor: str | None, unread: bool, limit: int
    ) -> NotificationPage:
        """The user's notifications, latest activity first; two statements a page."""
        after = decode_cursor(cursor) if cursor else None
        rows = await self.notifications.page(
            user.id, now=utcnow(), unread=unread, after=after, limit=limit + 1
        )
        more, rows = len(rows) > limit, rows[:limit]
        actors = await self.notifications.actors([a for row in rows for a in row.actor_ids])
        items = [
            NotificationRecord(row, [actors[a] for a in row.actor_ids if a in actors])
            for row in rows
        ]
        last = rows[-1] if more else None
        return NotificationPage(
            items=items, next_cursor=encode_cursor(last.updated_at, last.id) if last else None
        )

    async def unread_count(self, *, user: User) -> int:
        """How many of the user's notifications are unread."""
        return await self.notifications.unread_count(user.id)

    async def mark_read(self, *, user: User, notification_id: uuid.UUID) -> None:
        """Mark one of the user's notifications read (another user's is not found)."""
        if not await self.notifications.mark_read(user.id, notification_id, utcnow()):
            raise NotificationNotFound

    async def mark_all_read(self, *, user: User) -> None:
        """Mark every notification of the user read."""
        await self.notifications.mark_all_read(user.id, utcnow())

    async def preferences(self, *, user: User) -> dict[NotificationKind, Preference]:
        """The user's settings for every kind (the defaults where they chose nothing)."""
        return await self.notifications.preferences(user.id)

    async def choose(
        self, *, user: User, choices: dict[NotificationKind, Preference]
    ) -> dict[NotificationKind, Preference]:
        """Store the user's settings for the kinds given; the others stay as they are."""
        await self.notifications.save_preferences(user.id, choices)
        return await self.notifications.preferences(user.id)

    async def unsubscribe(self, *, token: str, settings: Settings) -> list[NotificationKind]:
        """Stop the mail an unsubscribe link names (one kind, or every kind), keeping what
        shows in the app; the kinds now off by mail. Using a link again changes nothing."""
        wish = read_unsubscribe_token(settings, token)
        if wish is None or not await self.notifications.user_exists(wish.user_id):
            raise UnsubscribeLinkInvalid
        current = await self.notifications.preferences(wish.user_id)
        kinds = [wish.kind] if wish.kind is not None else list(current)
        await self.notifications.save_preferences(
            wish.user_id,
            {kind: Preference(current[kind].in_app, EmailDelivery.OFF) for kind in kinds},
        )
        return kinds
