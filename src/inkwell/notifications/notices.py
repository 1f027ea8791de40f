"""What the notifications' consumer sends to live clients: each notification a batch made or
grew, as the list shows it, numbered in its recipient's live channel, with the recipient's
unread count as the batch left it. Read in the batch's transaction, sent once it commits."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from inkwell.models.live import user_channel
from inkwell.notifications.records import LiveNotice
from inkwell.notifications.repository import NotificationRepository
from inkwell.notifications.schemas import NotificationView
from inkwell.notifications.service import NotificationRecord


async def live_notices(repository: NotificationRepository, now: datetime) -> list[LiveNotice]:
    """The notices of the notifications `repository` made or grew (shown in the app only)."""
    shown = await repository.shown(list(dict.fromkeys(repository.touched)), now)
    if not shown:
        return []
    actors = await repository.actors([a for _, row in shown for a in row.actor_ids])
    counts = await repository.unread_counts({recipient for recipient, _ in shown})
    channels = [user_channel(recipient) for recipient, _ in shown]
    last = await repository.number_live(dict(Counter(channels)))
    first = {name: last[name] - taken + 1 for name, taken in Counter(channels).items()}
    notices = []
    for channel, (recipient, row) in zip(channels, shown, strict=True):
        record = NotificationRecord(row, [actors[a] for a in row.actor_ids if a in actors])
        view = NotificationView.from_record(record).model_dump(mode="json")
        notices.append(LiveNotice(channel, first[channel], view, counts[recipient]))
        first[channel] += 1
    return notices
