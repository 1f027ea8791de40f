"""Every query on the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
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


_PENDING = text(
    "SELECT count(*) AS pending, count(*) FILTER (WHERE attempts > 0) AS failing, "
    "min(created_at) AS oldest_pending_at FROM outbox_events WHERE published_at IS NULL"
)
_FAILING = text(
    "SELECT position, type, key, attempts, last_error, next_attempt_at, created_at "
    "FROM outbox_events WHERE published_at IS NULL AND attempts > 0 "
    "ORDER BY position LIMIT :limit"
)
# A consumer has read every row up to its (xact_id, position); the rest it has still to read.
_CONSUMERS = text(
    "SELECT c.name, c.updated_at, (SELECT count(*) FROM outbox_events AS o "
    "WHERE (o.xact_id, o.position) > (c.xact_id, c.position)) AS behind "
    "FROM outbox_consumers AS c ORDER BY c.name"
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

    async def pending(self) -> dict[str, Any]:
        """How many rows the relay has not sent, how many of them failed, the oldest one's time."""
        return dict((await self.session.execute(_PENDING)).mappings().one())

    async def failing(self, limit: int) -> list[dict[str, Any]]:
        """The first `limit` rows that failed and wait for another try, in position order."""
        rows = await self.session.execute(_FAILING, {"limit": limit})
        return [dict(row) for row in rows.mappings()]

    async def consumers(self) -> list[dict[str, Any]]:
        """Each in-process consumer, with the committed rows it has not read."""
        return [dict(row) for row in (await self.session.execute(_CONSUMERS)).mappings()]
