"""Every query on the outbox."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.envelope import CloudEvent
from inkwell.models.event import OutboxEvent

_INSERT = insert(OutboxEvent.metadata.tables[OutboxEvent.__tablename__])  # Core: no entity


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, event: CloudEvent, *, topic: str) -> None:
        """One INSERT in the session's transaction; the table's trigger notifies the relay."""
        await self.session.execute(
            _INSERT,
            {
                "event_id": event.id,
                "topic": topic,
                "key": event.subject,
                "type": event.type,
                "payload": event.model_dump(mode="json"),
            },
        )
