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
from inkwell.notifications.notices import live_notices
from inkwell.notifications.notifier import Notifier
from inkwell.notifications.records import LiveNotice, Origin
from inkwell.notifications.repository import NotificationRepository

CONSUMER_NAME = "notifications"

Publish = Callable[[Sequence[LiveNotice]], Awaitable[None]]

Rule = Callable[[Notifier, Any, Origin], Awaitable[None]]
RULES: dict[str, Rule] = {
    CommentCreated.event_type(): Notifier.comment_shown,
    CommentApproved.event_type(): Notifier.comment_shown,
    CommentHidden.event_type(): Notifier.comment_hidden,
    PostLiked.event_type(): Notifier.post_liked,
    UserFollowed.event_type(): Notifier.user_followed,
    PostPublished.event_type(): Notifier.post_published,
}


async def create_notifications(
    session: AsyncSession, rows: Sequence[OutboxRow]
) -> NotificationRepository:
    """Apply the rule of each row's type (other types notify nobody); the repository that
    wrote, which knows what it made."""
    repository = NotificationRepository(session)
    notifier = Notifier(repository, datetime.now(UTC))
    for row in rows:
        rule = RULES.get(row.type)
        if rule is not None:
            event, origin = _parse(row)
            await rule(notifier, event, origin)
    return repository


def _parse(row: OutboxRow) -> tuple[EventData, Origin]:
    body = json.loads(row.body)
    event = CATALOGUE[row.type].model_validate(body["data"])
    return event, Origin(row.event_id, datetime.fromisoformat(body["time"]))


def notifications_consumer(settings: Settings, publish: Publish | None = None) -> Consumer:
    """The consumer the job worker runs: notifications, then their immediate mail; with
    `publish`, each batch's notices for live clients once the batch has committed. It reads
    ahead of the horizon (events/consumer.py), so a long transaction elsewhere does not hold
    notifications back."""
    pending: list[LiveNotice] = []

    async def handle(session: AsyncSession, rows: Sequence[OutboxRow]) -> None:
        pending.clear()
        repository = await create_notifications(session, rows)
        if any(row.type in RULES for row in rows):
            await NotificationMail.over(session, settings).send_immediate(datetime.now(UTC))
        if publish is not None:
            pending.extend(await live_notices(repository, datetime.now(UTC)))

    async def committed() -> None:
        notices, pending[:] = list(pending), []
        if publish is not None and notices:
            await publish(notices)

    return Consumer(CONSUMER_NAME, handle, reads_ahead=True, committed=committed)
