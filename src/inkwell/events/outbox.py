"""The recorder services give their events to: one outbox row per event, in their transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.core.config import Settings
from inkwell.core.ids import uuid7
from inkwell.events.envelope import CloudEvent, EventData
from inkwell.events.repository import OutboxRepository


def topic_name(settings: Settings, data: type[EventData]) -> str:
    """The full topic of an event type: the configured prefix and the aggregate's topic."""
    return f"{settings.event_topic_prefix}.{data.topic}"


class Outbox:
    """Records domain events in the outbox table of the caller's session.

    The row is written in the same transaction as the change it describes: a rolled-back
    request leaves no event, and a committed one always leaves its event.
    """

    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.events = OutboxRepository(session)
        self.settings = settings

    async def record(self, data: EventData) -> CloudEvent:
        """Wrap the data in a CloudEvent and write it to the outbox."""
        event = CloudEvent(
            id=uuid7(),
            source=self.settings.event_source,
            type=data.event_type(),
            subject=data.key,
            time=datetime.now(UTC),
            data=data.model_dump(mode="json"),
        )
        await self.events.add(event, topic=topic_name(self.settings, type(data)))
        return event
