"""Every query on the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from inkwell.events.envelope import CloudEvent

# One statement for any number of events, with one text (prepared once per connection): the
# arrays become rows in their order, so positions follow the order the events were given.
_INSERT = (
    "INSERT INTO outbox_events (event_id, topic, key, type, payload) "
    "SELECT id, topic, key, type, payload::jsonb "
    "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) "
    "WITH ORDINALITY AS event(id, topic, key, type, payload, n) ORDER BY n"
)


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, events: Sequence[tuple[CloudEvent, str]]) -> None:
        """Insert (event, topic) pairs in the session's transaction, in one statement; the
        table's trigger notifies the relay at commit.

        The statement is sent as text: SQLAlchemy's compiled-insert path cost as much as the
        insert itself (docs/architecture.md); server errors still come back as DBAPIError.
        """
        connection = await self.session.connection()
        await connection.exec_driver_sql(
            _INSERT,
            (
                [event.id for event, _ in events],
                [topic for _, topic in events],
                [event.subject for event, _ in events],
                [event.type for event, _ in events],
                [event.model_dump_json() for event, _ in events],
            ),
        )
