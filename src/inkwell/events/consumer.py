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

A consumer that must not wait for that (the live consumer: a bulk load in another database
of the same server held its messages back for seconds) **reads ahead**: it takes every
committed row past its cursor at once, whatever the horizon, and remembers those above the
horizon in `outbox_consumer_ahead`. Its cursor moves only up to the horizon, so a row of an
older transaction that commits later is still read; the rows remembered are skipped when read
again and forgotten once the cursor passes them. Rows are then handled in about the order of
their commits rather than of their transaction ids.

A consumer's cursor is its row in `outbox_consumers`, advanced in the same transaction as the
handler's work: the work commits with the cursor, or both roll back and the batch is read
again (at least once). The row is locked while a batch runs, so one process at a time works
for each consumer; the others skip it.

A consumer that publishes what a batch made once it has committed (`committed`: the live
messages, the notifications' notices) holds a second lock, a transaction-scoped advisory lock
on a connection of its own, from the claim until the publication has returned. Without it a
process could number a batch, commit, and publish after another process had numbered,
committed and published the next batch: clients would get a channel's numbers out of order
(a test with two processes caught it). The lock ends with that transaction, so a process that
fails or is cancelled mid-batch never leaves it held.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Row, func, make_url, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

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
# Every committed row past the cursor not yet handled, beside the horizon of the same snapshot
# and whether rows are remembered above the cursor (one row of NULLs when none is found).
_READ_AHEAD = """
SELECT h.horizon, h.remembering, o.*
FROM (
    SELECT (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint AS horizon,
           EXISTS (SELECT FROM outbox_consumer_ahead WHERE consumer = $4) AS remembering
) h
LEFT JOIN LATERAL (
    SELECT e.position, e.xact_id, e.event_id, e.type, e.payload::text AS body
    FROM outbox_events e
    WHERE (e.xact_id, e.position) > ($1, $2)
      AND NOT EXISTS (
          SELECT FROM outbox_consumer_ahead a WHERE a.consumer = $4 AND a.position = e.position
      )
    ORDER BY e.xact_id, e.position
    LIMIT $3
) o ON true
"""
_REMEMBER = (
    "INSERT INTO outbox_consumer_ahead (consumer, position, xact_id)"
    " SELECT $1, unnest($2::bigint[]), unnest($3::bigint[])"
)
_FORGET = (
    "DELETE FROM outbox_consumer_ahead WHERE consumer = $1 AND (xact_id, position) <= ($2, $3)"
)
_LAST_POSITION = 2**63 - 1
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
    reads_ahead: bool = False  # take committed rows above the horizon at once (see above)
    # Called after a batch's transaction has committed (to publish what it made).
    committed: Callable[[], Awaitable[None]] | None = None


async def consume_batch(
    consumer: Consumer, sessionmaker: async_sessionmaker[AsyncSession], batch_size: int
) -> int:
    """Hand the consumer its next committed rows and move its cursor past them; how many."""
    if consumer.committed is None:
        return await _consume(consumer, sessionmaker, batch_size)
    async with _publishing(consumer, sessionmaker) as ours:
        if not ours:
            return 0  # another process numbers and publishes a batch now
        taken = await _consume(consumer, sessionmaker, batch_size)
        if taken:
            await consumer.committed()
    return taken


@asynccontextmanager
async def _publishing(
    consumer: Consumer, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[bool]:
    """Whether this process holds the consumer's publishing lock (module docstring) while the
    block runs; leaving rolls back the lock's transaction, which ends the lock."""
    engine: AsyncEngine = sessionmaker.kw["bind"]
    async with engine.connect() as connection:
        key = func.hashtextextended(f"outbox_consumer:{consumer.name}", 0)
        yield bool(await connection.scalar(select(func.pg_try_advisory_xact_lock(key))))


async def _consume(
    consumer: Consumer, sessionmaker: async_sessionmaker[AsyncSession], batch_size: int
) -> int:
    async with unit_of_work(sessionmaker) as session:
        connection = await session.connection()
        cursor = await _claim(connection, consumer.name)
        if cursor is None:
            return 0  # another process is on it
        if consumer.reads_ahead:
            return await _consume_ahead(connection, session, consumer, cursor, batch_size)
        result = await connection.exec_driver_sql(_READ, (*cursor, batch_size))
        rows = [OutboxRow(**row) for row in result.mappings()]
        if rows:
            await consumer.handle(session, rows)
            last = rows[-1]
            await connection.exec_driver_sql(_ADVANCE, (consumer.name, last.xact_id, last.position))
        return len(rows)


async def _consume_ahead(
    connection: AsyncConnection,
    session: AsyncSession,
    consumer: Consumer,
    cursor: Row[Any],
    batch_size: int,
) -> int:
    """Hand over every committed row not yet handled; move the cursor up to the horizon and
    remember the rows handled above it."""
    result = await connection.exec_driver_sql(_READ_AHEAD, (*cursor, batch_size, consumer.name))
    found = list(result.mappings())
    horizon, remembering = found[0]["horizon"], found[0]["remembering"]
    rows = [OutboxRow(**_row_fields(row)) for row in found if row["position"] is not None]
    if not rows and not remembering:
        return 0
    if rows:
        await consumer.handle(session, rows)
    new_cursor = max(
        (int(cursor.xact_id), int(cursor.position)),
        _cursor_after(rows, horizon, full=len(rows) == batch_size),
    )
    above = [row for row in rows if (row.xact_id, row.position) > new_cursor]
    await connection.exec_driver_sql(_ADVANCE, (consumer.name, *new_cursor))
    await connection.exec_driver_sql(_FORGET, (consumer.name, *new_cursor))
    if above:
        positions, xact_ids = [r.position for r in above], [r.xact_id for r in above]
        await connection.exec_driver_sql(_REMEMBER, (consumer.name, positions, xact_ids))
    return len(rows)


def _row_fields(row: Any) -> dict[str, Any]:
    return {name: row[name] for name in ("position", "xact_id", "event_id", "type", "body")}


def _cursor_after(rows: Sequence[OutboxRow], horizon: int, *, full: bool) -> tuple[int, int]:
    """How far every row is handled: all rows below the horizon when the batch took them all,
    else up to the last row taken (rows come in cursor order)."""
    below_horizon = (horizon - 1, _LAST_POSITION)
    if not full:
        return below_horizon
    return min((rows[-1].xact_id, rows[-1].position), below_horizon)


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
