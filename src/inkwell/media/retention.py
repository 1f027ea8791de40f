"""Removing uploads nothing uses once they are older than the retention time (the prune job)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.clock import utcnow
from inkwell.core.config import Settings
from inkwell.core.queue import DELETE_MEDIA_FILES, JobQueue
from inkwell.events.catalogue import MediaDeleted
from inkwell.events.outbox import Outbox
from inkwell.media.files import stored_names
from inkwell.media.repository import MediaRepository

BATCH = 200  # uploads removed per run at most; the hourly prune takes the rest next time


async def remove_unused_media(session: AsyncSession, settings: Settings, before: datetime) -> int:
    """Delete unused uploads made before `before`; their files go in a job after the commit."""
    repository = MediaRepository(session)
    unused = await repository.unused(before, BATCH)
    if not unused:
        return 0
    for media in unused:
        await repository.delete(media.id)
    await Outbox(session, settings).record(
        *(MediaDeleted(media_id=m.id, owner_id=m.owner_id, actor_id=None) for m in unused)
    )
    names = ",".join(name for media in unused for name in stored_names(media))
    await JobQueue(session).defer(DELETE_MEDIA_FILES, at=utcnow(), names=names)
    return len(unused)
