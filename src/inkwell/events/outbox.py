"""The recorder services give their events to: outbox rows written in their transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.db import ReadOnlySession, WriteInSafeRequestError
from inkwell.core.ids import uuid7
from inkwell.events.envelope import CloudEvent, EventData
from inkwell.events.repository import OutboxRepository


def topic_name(settings: Settings, data: type[EventData]) -> str:
    """The full topic of an event type: the configured prefix and the aggregate's topic."""
    return f"{settings.event_topic_prefix}.{data.topic}"


class Outbox:
    """Records domain events in the outbox table of the caller's session.

    The rows are written in the same transaction as the change they describe: a rolled-back
    request leaves no event, and a committed one always leaves its events.
    """

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.events = OutboxRepository(session)
        self.settings = settings

    async def record(self, *changes: EventData) -> list[CloudEvent]:
        """Wrap each change in a CloudEvent and write them, in order, with one INSERT."""
        if not changes:
            return []
        if isinstance(self.session.sync_session, ReadOnlySession):
            raise WriteInSafeRequestError("a GET, HEAD or OPTIONS request cannot record events")
        now = datetime.now(UTC)
        events = [
            CloudEvent(
                id=uuid7(),
                source=self.settings.event_source,
                type=data.event_type(),
                subject=data.key,
                time=now,
                data=data.model_dump(mode="json"),
            )
            for data in changes
        ]
        topics = [topic_name(self.settings, type(data)) for data in changes]
        await self.events.add(list(zip(events, topics, strict=True)))
        return events
