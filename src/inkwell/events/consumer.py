"""In-process consumers of the outbox (webhooks, and the next features): each reads every
committed row once, in its own order, without Kafka.

`position` is taken from a sequence before the writing transaction commits, so positions do
not commit in order: a reader that remembers "the last position I saw" would skip a row that
commits later with a lower position. Each row also records the id of the transaction that
wrote it (`xact_id`), and a consumer reads only rows whose transaction is older than every
transaction still running (`pg_snapshot_xmin` of the current snapshot). Those transactions
have all ended, and every transaction that starts later gets a higher id, so no row can
appear later below that horizon: a cursor on (xact_id, position) misses nothing. A long
transaction anywhere on the server holds the horizon back, which delays consumers (it never
loses a row).

A consumer's cursor is its row in `outbox_consumers`, advanced in the same transaction as the
handler's work: the work commits with the cursor, or both roll back and the batch is read
again (at least once). The row is locked while a batch runs, so one process at a time works
for each consumer; the others skip it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Row, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from inkwell.core.config import Settings
from inkwell.core.db import unit_of_work
from inkwell.models.event import OUTBOX_CHANNEL

log = logging.getLogger("inkwell.events.consumer")

_REGISTER = "INSERT INTO outbox_consumers (name) VALUES ($1) ON CONFLICT DO NOTHING RETURNING name"
_CLAIM = "SELECT xact_id, position FROM outbox_consumers WHERE name = $1 FOR UPDATE SKIP LOCKED"
_READ = """
SELECT position, xact_id, event_id, type, payload::text AS body
FROM outbox_events
WHERE (xact_id, position) > ($1, $2)
  AND xact_id < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
ORDER BY xact_id, position
LIMIT $3
"""
_ADVANCE = (
    "UPDATE outbox_consumers SET xact_id = $2, position = $3, updated_at = now() WHERE name = $1"
)


@dataclass(frozen=True)
class OutboxRow:
    position: int
    xact_id: int
    event_id: uuid.UUID
    type: str
    body: str  # the CloudEvent's JSON


Handler = Callable[[AsyncSession, Sequence[OutboxRow]], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    """A named reader of the outbox and what it does with each batch (in the batch's
    transaction)."""

    name: str
    handle: Handler


async def consume_batch(
    consumer: Consumer, sessionmaker: async_sessionmaker[AsyncSession], batch_size: int
) -> int:
    """Hand the consumer its next committed rows and move its cursor past them; how many."""
    async with unit_of_work(sessionmaker) as session:
        connection = await session.connection()
        cursor = await _claim(connection, consumer.name)
        if cursor is None:
            return 0  # another process is on it
        result = await connection.exec_driver_sql(_READ, (*cursor, batch_size))
        rows = [OutboxRow(**row) for row in result.mappings()]
        if rows:
            await consumer.handle(session, rows)
            last = rows[-1]
            await connection.exec_driver_sql(_ADVANCE, (consumer.name, last.xact_id, last.position))
        return len(rows)


async def _claim(connection: AsyncConnection, name: str) -> Row[Any] | None:
    """Lock the consumer's cursor row (made on its first run); None while another process
    holds it."""
    cursor = (await connection.exec_driver_sql(_CLAIM, (name,))).first()
    if cursor is None and (await connection.exec_driver_sql(_REGISTER, (name,))).first():
        cursor = (await connection.exec_driver_sql(_CLAIM, (name,))).first()
    return cursor


class OutboxConsumers:
    """Runs consumers in this process: woken by the outbox's NOTIFY, polling as a fallback."""

    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        consumers: Sequence[Consumer],
        batch_size: int = 500,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.consumers = consumers
        self.batch_size = batch_size

    async def run_forever(self) -> None:
        """Consume until cancelled; after an error (a lost database), start again."""
        while True:
            try:
                await self._listen_and_consume()
            except Exception:
                log.exception("outbox consumers stopped; they start again")
            await asyncio.sleep(self.settings.outbox_consumer_poll_seconds)

    async def drain(self) -> int:
        """Run every consumer until it has nothing left to read; the rows handed over."""
        total = 0
        for consumer in self.consumers:
            while True:
                taken = await consume_batch(consumer, self.sessionmaker, self.batch_size)
                total += taken
                if taken < self.batch_size:
                    break
        return total

    async def _listen_and_consume(self) -> None:
        url = make_url(str(self.settings.database_url)).set(drivername="postgresql")
        connection = await asyncpg.connect(url.render_as_string(hide_password=False))
        try:
            woken = asyncio.Event()
            await connection.add_listener(OUTBOX_CHANNEL, lambda *_: woken.set())
            while not connection.is_closed():
                woken.clear()
                await self.drain()
                with suppress(TimeoutError):
                    poll = self.settings.outbox_consumer_poll_seconds
                    await asyncio.wait_for(woken.wait(), poll)
        finally:
            await connection.close()
