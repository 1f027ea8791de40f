"""The notifications' consumer of the outbox: each event it knows becomes the notifications
the rules of notifier.py make, in the transaction that moves the consumer's cursor; then
the messages of those its recipients want mailed at once (mailing.py), in the same
transaction.

Idempotent: a notification is unique per recipient, source event and kind (grouped likes per
recipient and post, each liker counted once), so a batch read again after a crash, or the
consumer run again over old events, adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.events.catalogue import (
    CATALOGUE,
    CommentApproved,
    CommentCreated,
    CommentHidden,
    PostLiked,
    PostPublished,
    UserFollowed,
)
from inkwell.events.consumer import Consumer, OutboxRow
from inkwell.events.envelope import EventData
from inkwell.notifications.mailing import NotificationMail
from inkwell.notifications.notifier import Notifier
from inkwell.notifications.records import Origin
from inkwell.notifications.repository import NotificationRepository

CONSUMER_NAME = "notifications"

Rule = Callable[[Notifier, Any, Origin], Awaitable[None]]
RULES: dict[str, Rule] = {
    CommentCreated.event_type(): Notifier.comment_shown,
    CommentApproved.event_type(): Notifier.comment_shown,
    CommentHidden.event_type(): Notifier.comment_hidden,
    PostLiked.event_type(): Notifier.post_liked,
    UserFollowed.event_type(): Notifier.user_followed,
    PostPublished.event_type(): Notifier.post_published,
}


async def create_notifications(session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
    """Apply the rule of each row's type (other types notify nobody)."""
    notifier = Notifier(NotificationRepository(session), datetime.now(UTC))
    for row in rows:
        rule = RULES.get(row.type)
        if rule is not None:
            event, origin = _parse(row)
            await rule(notifier, event, origin)


def _parse(row: OutboxRow) -> tuple[EventData, Origin]:
    body = json.loads(row.body)
    event = CATALOGUE[row.type].model_validate(body["data"])
    return event, Origin(row.event_id, datetime.fromisoformat(body["time"]))


def notifications_consumer(settings: Settings) -> Consumer:
    """The consumer the job worker runs: notifications, then their immediate mail."""

    async def handle(session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
        await create_notifications(session, rows)
        if any(row.type in RULES for row in rows):
            await NotificationMail.over(session, settings).send_immediate(datetime.now(UTC))

    return Consumer(CONSUMER_NAME, handle)
